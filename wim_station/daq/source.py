"""DAQ sources selected by URL: a serial device, `socket://`, `rfc2217://` or a recording.

`DaqSource.read()` owns timeouts, decoding, counting and reconnecting; a backend only
implements `_connect`, `_read_bytes` and `_disconnect`.
"""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from collections import deque
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from edge.closing import ClosedOnExit
from wim_station.daq.codec import FrameDecoder, SeqGap
from wim_station.daq.frame import DaqFrame
from wim_station.daq.header import RecordingHeader
from wim_station.daq.recording import RecordingReader, RecordingWriter
from wim_station.errors import WimError

log = logging.getLogger(__name__)

READ_CHUNK = 1 << 16


class DaqSourceError(WimError):
    """A DAQ source cannot be created (bad URL) or used (closed)."""


class DaqSource(ABC, ClosedOnExit):
    """One DAQ stream. `read(timeout_s)` returns the next frame or None; never raises on
    garbage or a lost link (it counts, resyncs and reconnects with capped backoff)."""

    def __init__(
        self,
        url: str,
        *,
        reconnect_min_s: float = 0.2,
        reconnect_max_s: float = 5.0,
        tee: RecordingWriter | None = None,
    ) -> None:
        self.url = url
        self.decoder = FrameDecoder()
        self.tee = tee
        self._items: deque[DaqFrame | SeqGap] = deque()
        self._connected = False
        self._closed = False
        self._eof = False
        self._backoff_min = reconnect_min_s
        self._backoff_max = reconnect_max_s
        self._backoff = reconnect_min_s
        self._next_attempt = 0.0
        self.reconnects = 0
        self.connect_failures = 0
        self.last_error = ""
        self._rate_window: deque[tuple[float, int]] = deque(maxlen=64)

    # -- backend hooks -------------------------------------------------------------------
    @abstractmethod
    def _connect(self) -> None:
        """Open the device; raise OSError (or a subclass such as SerialException) on failure."""

    @abstractmethod
    def _read_bytes(self, max_bytes: int, timeout_s: float) -> bytes:
        """Up to `max_bytes` within `timeout_s` (b"" on timeout); raise OSError on a lost link."""

    @abstractmethod
    def _disconnect(self) -> None:
        """Release the device; must not raise."""

    def _at_eof(self) -> bool:
        """True when the source can never produce more bytes (end of a recording)."""
        return False

    # -- public ---------------------------------------------------------------------------
    def read(self, timeout_s: float = 1.0) -> DaqFrame | None:
        """The next frame, or None when none arrived within `timeout_s` (or at end of file)."""
        deadline = time.monotonic() + timeout_s
        while True:
            item = self.read_item(max(0.0, deadline - time.monotonic()))
            if item is None or isinstance(item, DaqFrame):
                return item

    def read_item(self, timeout_s: float = 1.0) -> DaqFrame | SeqGap | None:
        """Like `read`, but a `SeqGap` comes out before a frame that follows lost frames."""
        if self._closed:
            raise DaqSourceError(f"{self.url}: read after close")
        deadline = time.monotonic() + timeout_s
        while not self._items:
            if self._eof:
                return None
            remaining = deadline - time.monotonic()
            if not self._connected and not self._try_connect(remaining):
                return None
            try:
                data = self._read_bytes(READ_CHUNK, max(0.0, deadline - time.monotonic()))
            except OSError as exc:
                self._lost(exc)
                continue
            if data:
                if self.tee is not None:
                    self.tee.write_bytes(data)
                self._items.extend(self.decoder.feed_items(data))
            elif self._at_eof():
                self.decoder.finish()
                self._eof = True
            elif time.monotonic() >= deadline:
                return None
        item = self._items.popleft()
        if isinstance(item, DaqFrame):
            self._rate_window.append((time.monotonic(), self.decoder.frames))
        return item

    @property
    def connected(self) -> bool:
        return self._connected

    @property
    def eof(self) -> bool:
        """True once a finite source (a recording) has delivered everything."""
        return self._eof and not self._items

    def health(self) -> dict[str, Any]:
        """Counters and state for the agent's health report."""
        return {
            "url": self.url,
            "connected": self._connected,
            "frames_per_s": round(self._frames_per_s(), 2),
            "reconnects": self.reconnects,
            "connect_failures": self.connect_failures,
            "last_error": self.last_error,
            **self.decoder.counters(),
        }

    def close(self) -> None:
        """Release the device (a tee stays open: its owner closes it); safe to call twice."""
        if self._closed:
            return
        self._closed = True
        if self._connected:
            self._connected = False
            self._disconnect()


    # -- internals -------------------------------------------------------------------------
    def _frames_per_s(self) -> float:
        if len(self._rate_window) < 2:
            return 0.0
        (t0, n0), (t1, n1) = self._rate_window[0], self._rate_window[-1]
        if time.monotonic() - t1 > 2.0 or t1 <= t0:
            return 0.0
        return (n1 - n0) / (t1 - t0)

    def _try_connect(self, remaining_s: float) -> bool:
        wait = self._next_attempt - time.monotonic()
        if wait > 0:
            time.sleep(min(wait, max(remaining_s, 0.0)))
            if wait > remaining_s:
                return False
        try:
            self._connect()
        except OSError as exc:
            self.connect_failures += 1
            self._schedule_retry(f"connect failed: {exc}")
            return False
        if self.decoder.bytes:
            self.reconnects += 1
            log.info("DAQ %s reconnected", self.url)
        self._connected = True
        self._backoff = self._backoff_min
        return True

    def _lost(self, exc: OSError) -> None:
        self._connected = False
        self._disconnect()
        # A frame cut by the disconnect can never complete: count it and start clean.
        self.decoder.finish()
        self._schedule_retry(f"link lost: {exc}")

    def _schedule_retry(self, why: str) -> None:
        if why != self.last_error:
            log.warning("DAQ %s: %s (retry in %.1f s)", self.url, why, self._backoff)
        self.last_error = why
        self._next_attempt = time.monotonic() + self._backoff
        self._backoff = min(self._backoff * 2, self._backoff_max)


class SerialDaqSource(DaqSource):
    """Any URL pyserial's `serial_for_url` opens: device paths, socket://, rfc2217://, …"""

    def __init__(self, url: str, baudrate: int = 921_600, **kw: Any) -> None:
        super().__init__(url, **kw)
        self.baudrate = baudrate
        self._port: Any = None
        self._timeout: float | None = None
        self._try_connect(0.0)

    def _connect(self) -> None:
        import serial

        try:
            self._port = serial.serial_for_url(self.url, baudrate=self.baudrate, timeout=0.0)
        except serial.SerialException as exc:
            raise OSError(str(exc)) from exc
        except ValueError as exc:  # unknown URL scheme or bad parameters
            raise DaqSourceError(f"{self.url}: {exc}") from exc
        self._timeout = 0.0

    def _set_timeout(self, timeout_s: float) -> None:
        if self._timeout != timeout_s:
            self._port.timeout = timeout_s
            self._timeout = timeout_s

    def _read_bytes(self, max_bytes: int, timeout_s: float) -> bytes:
        import serial

        try:
            # Block for the first byte only, then take whatever else is already waiting.
            self._set_timeout(timeout_s)
            first = self._port.read(1)
            if not first:
                return b""
            self._set_timeout(0.0)
            return bytes(first) + bytes(self._port.read(max_bytes - 1))
        except serial.SerialException as exc:
            raise OSError(str(exc)) from exc

    def _disconnect(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            try:
                port.close()
            except Exception as exc:  # a vanished device may fail to close; nothing to do
                log.debug("closing %s: %s", self.url, exc)


class FileDaqSource(DaqSource):
    """A `.wimrec` recording, as fast as possible or paced to its own DAQ clock."""

    def __init__(
        self, path: str | Path, *, paced: bool = False, speed: float = 1.0, **kw: Any
    ) -> None:
        super().__init__(f"file://{path}", **kw)
        self.path = Path(path)
        self.paced = paced
        self.speed = speed
        self._reader: RecordingReader | None = None
        self._chunks: Any = None
        self._clock0: tuple[float, int] | None = None
        # A bad file is a configuration error, not a link to retry: raise right away.
        self._connect()
        self._connected = True

    @property
    def header(self) -> RecordingHeader:
        assert self._reader is not None
        return self._reader.header

    def _connect(self) -> None:
        self._reader = RecordingReader(self.path)
        self._chunks = self._reader.chunks()

    def _read_bytes(self, max_bytes: int, timeout_s: float) -> bytes:
        return next(self._chunks, b"")

    def _at_eof(self) -> bool:
        return True

    def _disconnect(self) -> None:
        if self._reader is not None:
            self._reader.close()

    def read_item(self, timeout_s: float = 1.0) -> DaqFrame | SeqGap | None:
        item = super().read_item(timeout_s)
        if self.paced and isinstance(item, DaqFrame):
            self._pace(item)
        return item

    def _pace(self, frame: DaqFrame) -> None:
        # Release each frame when its last sample would have been measured.
        t_end_us = frame.t0_us + frame.duration_us
        if self._clock0 is None:
            self._clock0 = (time.monotonic(), frame.t0_us)
        start, t0_us = self._clock0
        delay = start + (t_end_us - t0_us) / 1e6 / self.speed - time.monotonic()
        if delay > 0:
            time.sleep(delay)


def open_daq(
    url: str,
    baudrate: int = 921_600,
    *,
    paced: bool = False,
    tee: RecordingWriter | None = None,
    reconnect_max_s: float = 5.0,
) -> DaqSource:
    """Open a DAQ by URL: `/dev/ttyUSB0`, `socket://host:port`, `rfc2217://…`,
    `file://x.wimrec` (or a path ending in `.wimrec`; `paced=True` replays in real time)."""
    parsed = urlparse(url)
    if parsed.scheme == "file" or (not parsed.scheme and url.endswith(".wimrec")):
        path = unquote(parsed.netloc + parsed.path) if parsed.scheme else url
        return FileDaqSource(path, paced=paced, tee=tee)
    if parsed.scheme not in ("", "socket", "rfc2217", "loop", "spy", "hwgrep", "alt"):
        raise DaqSourceError(f"{url}: unsupported DAQ URL scheme {parsed.scheme!r}")
    return SerialDaqSource(url, baudrate, tee=tee, reconnect_max_s=reconnect_max_s)
