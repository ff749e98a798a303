"""Reader shells: a receiver on any pyserial URL, or a capture file replayed.

`GnssSource.read(timeout_s)` owns timeouts, counting and reconnecting; a backend fills in
`_read_bytes`. `open_gnss(url)` picks the backend from the URL.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import serial

from edge.closing import ClosedOnExit
from vessel.errors import VesselError
from vessel.gnss.config import GnssConfig
from vessel.gnss.decoder import NmeaDecoder
from vessel.gnss.fix import Fix, iso_utc_ms

log = logging.getLogger(__name__)

_POLL_S = 0.05  # serial read granularity: bounds the latency of close() and of a fix


class GnssSourceError(VesselError):
    """The GNSS source cannot be opened at all (bad URL, unreadable file)."""


class EndOfStream(Exception):
    """A replay has no more bytes."""


class GnssSource(ABC, ClosedOnExit):
    """A stream of navigation epochs from one receiver. Context manager; `close()` is idempotent."""

    def __init__(self, url: str, decoder: NmeaDecoder) -> None:
        self.url = url
        self.decoder = decoder
        self._pending: deque[Fix] = deque()
        self._lock = threading.Lock()
        self._closed = False
        self._at_eof = False
        self._bytes = 0
        self._last_fix: Fix | None = None
        self._last_position_mono: float | None = None
        self._thread: threading.Thread | None = None

    def read(self, timeout_s: float) -> Fix | None:
        """The next epoch (or an update of it); None on timeout, at end of replay, once closed."""
        deadline = time.monotonic() + timeout_s
        while not self._pending:
            remaining = deadline - time.monotonic()
            if self._closed or self._at_eof or remaining <= 0:
                return None
            try:
                data = self._read_bytes(4096, remaining)
            except EndOfStream:
                self._at_eof = True
                self._accept(self.decoder.flush())
                break
            if data:
                self._bytes += len(data)
                self._accept(self.decoder.feed(data))
        return self._pending.popleft() if self._pending else None

    def __iter__(self) -> Iterator[Fix]:
        """Epochs until the replay ends or the source is closed."""
        while not (self._closed or (self._at_eof and not self._pending)):
            fix = self.read(0.5)
            if fix is not None:
                yield fix

    def start(self, on_fix: Callable[[Fix], None]) -> None:
        """Read in a background thread, calling `on_fix` for every epoch, until `close()`."""
        if self._thread is not None:
            raise RuntimeError("already started")

        def run() -> None:
            for fix in self:
                try:
                    on_fix(fix)
                except Exception:  # a consumer's bug must not stop the receiver
                    log.exception("GNSS consumer failed on %s", fix)

        self._thread = threading.Thread(target=run, name=f"gnss {self.url}", daemon=True)
        self._thread.start()

    def _accept(self, fixes: list[Fix]) -> None:
        for fix in fixes:
            self._pending.append(fix)
            self._last_fix = fix
            if fix.has_position:
                self._last_position_mono = time.monotonic()

    @property
    def last_fix(self) -> Fix | None:
        """The most recent epoch seen (with or without a position)."""
        return self._last_fix

    @property
    def at_eof(self) -> bool:
        """True once a replay has delivered its last byte."""
        return self._at_eof

    def fix_age_s(self) -> float | None:
        """Seconds since the last epoch with a valid position arrived; None if never."""
        if self._last_position_mono is None:
            return None
        return time.monotonic() - self._last_position_mono

    def health(self) -> dict[str, Any]:
        """Counters for the agent's health report: state, bytes, discards by reason, fix age."""
        return {
            "url": self.url,
            "state": self._state(),
            "bytes": self._bytes,
            "fix_age_s": self.fix_age_s(),
            "last_fix_time": iso_utc_ms(self._last_fix.time) if self._last_fix else None,
            **self.decoder.counters,
        }

    def close(self) -> None:
        """Stop reading and release the device; safe to call twice."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join()
        self._close_backend()


    @abstractmethod
    def _read_bytes(self, max_bytes: int, timeout_s: float) -> bytes:
        """Up to `max_bytes` (b"" on timeout); raise EndOfStream when a replay is exhausted."""

    @abstractmethod
    def _close_backend(self) -> None: ...

    @abstractmethod
    def _state(self) -> str: ...


class SerialGnssSource(GnssSource):
    """A receiver behind any pyserial URL; survives the port vanishing and coming back."""

    def __init__(
        self, url: str, baud: int, decoder: NmeaDecoder, reconnect_initial_s: float,
        reconnect_max_s: float,
    ) -> None:
        super().__init__(url, decoder)
        self.baud = baud
        self._backoff_initial_s = reconnect_initial_s
        self._backoff_max_s = reconnect_max_s
        self._backoff_s = reconnect_initial_s
        self._next_attempt = 0.0
        self._port: serial.SerialBase | None = None
        self._port_lock = threading.Lock()
        self.reconnects = 0
        self.disconnects = 0
        try:
            self._open()
        except ValueError as exc:  # pyserial: unknown URL scheme or bad parameter
            raise GnssSourceError(f"cannot use GNSS port {url!r}: {exc}") from exc

    def _open(self) -> bool:
        try:
            port = serial.serial_for_url(self.url, baudrate=self.baud, timeout=_POLL_S)
        except (serial.SerialException, OSError) as exc:
            self._next_attempt = time.monotonic() + self._backoff_s
            log.warning("GNSS port %s unavailable (%s); retry in %.1f s", self.url, exc,
                        self._backoff_s)
            self._backoff_s = min(self._backoff_s * 2, self._backoff_max_s)
            return False
        with self._port_lock:
            if self._closed:
                port.close()
                return False
            self._port = port
        if self.disconnects:
            self.reconnects += 1
            log.info("GNSS port %s back", self.url)
        self._backoff_s = self._backoff_initial_s
        return True

    def _read_bytes(self, max_bytes: int, timeout_s: float) -> bytes:
        port = self._port
        if port is None:
            wait_s = self._next_attempt - time.monotonic()
            if wait_s > 0:
                time.sleep(min(wait_s, timeout_s, _POLL_S * 4))
                return b""
            if not self._open():
                return b""
            port = self._port
            assert port is not None
        try:
            data: bytes = port.read(max_bytes)
            return data
        except (serial.SerialException, OSError, TypeError, AttributeError) as exc:
            # TypeError/AttributeError: pyserial racing a concurrent close() of the port.
            if self._closed:
                return b""
            self.disconnects += 1
            log.warning("GNSS port %s lost (%s)", self.url, exc)
            self._drop_port()
            self._next_attempt = time.monotonic() + self._backoff_s
            return b""

    def _drop_port(self) -> None:
        with self._port_lock:
            port, self._port = self._port, None
        if port is not None:
            with contextlib.suppress(serial.SerialException, OSError):
                port.close()

    def _close_backend(self) -> None:
        self._drop_port()

    def _state(self) -> str:
        return "closed" if self._closed else ("connected" if self._port else "disconnected")

    def health(self) -> dict[str, Any]:
        return {**super().health(), "disconnects": self.disconnects, "reconnects": self.reconnects}


class ReplayGnssSource(GnssSource):
    """A capture file replayed as fast as it is read; lines starting with `#` are comments."""

    def __init__(self, path: str | Path, decoder: NmeaDecoder) -> None:
        super().__init__(str(path), decoder)
        try:
            self._file: BinaryIO = open(path, "rb")  # noqa: SIM115 - closed by close()
        except OSError as exc:
            raise GnssSourceError(f"cannot read GNSS capture {path}: {exc.strerror}") from exc

    def _read_bytes(self, max_bytes: int, timeout_s: float) -> bytes:
        chunk = bytearray()
        while len(chunk) < max_bytes:
            try:
                line = self._file.readline()
            except OSError as exc:
                raise GnssSourceError(f"cannot read GNSS capture {self.url}: {exc}") from exc
            if not line:
                if not chunk:
                    raise EndOfStream
                break
            if not line.startswith(b"#"):
                chunk += line
        return bytes(chunk)

    def _close_backend(self) -> None:
        self._file.close()

    def _state(self) -> str:
        return "closed" if self._closed else ("eof" if self._at_eof else "replaying")


def open_gnss(
    url: str, baud: int = 9600, *, require_checksum: bool = True, max_line_bytes: int = 512,
    reconnect_initial_s: float = 0.5, reconnect_max_s: float = 5.0,
) -> GnssSource:
    """Open a receiver by URL: a device path, `socket://`, `rfc2217://` ..., or `file://capture`."""
    decoder = NmeaDecoder(require_checksum=require_checksum, max_line_bytes=max_line_bytes)
    if url.startswith("file://"):
        return ReplayGnssSource(url.removeprefix("file://"), decoder)
    return SerialGnssSource(url, baud, decoder, reconnect_initial_s, reconnect_max_s)


def open_gnss_config(config: GnssConfig) -> GnssSource:
    """`open_gnss` from a validated config section."""
    return open_gnss(
        config.url, config.baud, require_checksum=config.require_checksum,
        max_line_bytes=config.max_line_bytes, reconnect_initial_s=config.reconnect_initial_s,
        reconnect_max_s=config.reconnect_max_s,
    )
