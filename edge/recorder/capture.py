"""`edge record`: capture a running site's raw input streams, each from its own thread.

Every capture connects as one more client of the device (TCP DAQs, GNSS servers and HTTP
cameras accept several); on a device that takes a single reader (a plain serial port) run
the capture instead of the agent, or tee in the agent. Bytes are stored exactly as they
arrived, garbage included, so a field problem comes back at the desk byte for byte.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
from abc import ABC, abstractmethod
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import serial

from edge.config.common import AgentConfig
from edge.recorder.manifest import Manifest, Role, StreamEntry

log = logging.getLogger(__name__)

_READ_S = 0.2


class StreamCapture(ABC):
    """A thread that records one stream into the folder until `stop()`."""

    def __init__(self, role: Role, name: str, url: str, path: Path) -> None:
        self.entry = StreamEntry(role, name, url, path.name)
        self.path = path
        self.items = 0
        self.bytes = 0
        self.error: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._guarded, name=f"record {role} {name}")

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def result(self) -> StreamEntry:
        e = self.entry
        return StreamEntry(e.role, e.name, e.url, e.path, self.items, self.bytes,
                           self.counters())

    def counters(self) -> dict[str, int]:
        return {}

    def _guarded(self) -> None:
        try:
            self._run()
        except Exception as exc:  # report in the summary; the other streams go on
            self.error = f"{type(exc).__name__}: {exc}"
            log.exception("recording %s %s failed", self.entry.role, self.entry.name)

    @abstractmethod
    def _run(self) -> None: ...


class ByteStreamCapture(StreamCapture):
    """A serial-like URL read raw; each chunk is stored with the host time it arrived."""

    def __init__(self, role: Role, name: str, url: str, path: Path, baudrate: int) -> None:
        super().__init__(role, name, url, path)
        self.baudrate = baudrate
        self.reconnects = 0

    def _run(self) -> None:
        backoff = 0.2
        while not self._stop.is_set():
            try:
                port = serial.serial_for_url(self.entry.url, baudrate=self.baudrate,
                                             timeout=_READ_S)
            except (serial.SerialException, OSError, ValueError) as exc:
                log.warning("record %s: cannot open %s: %s", self.entry.role, self.entry.url,
                            exc)
                self._stop.wait(backoff)
                backoff = min(5.0, backoff * 2)
                continue
            backoff = 0.2
            try:
                while not self._stop.is_set():
                    data = port.read(65536)
                    if data:
                        self.items += 1
                        self.bytes += len(data)
                        self._store(time.time(), data)
            except (serial.SerialException, OSError) as exc:
                self.reconnects += 1
                log.warning("record %s: %s lost (%s), reconnecting", self.entry.role,
                            self.entry.url, exc)
            finally:
                port.close()
        self._finish()

    def counters(self) -> dict[str, int]:
        return {"reconnects": self.reconnects}

    @abstractmethod
    def _store(self, t_s: float, data: bytes) -> None: ...

    @abstractmethod
    def _finish(self) -> None: ...


class NmeaCapture(ByteStreamCapture):
    """NMEA as a capture file `open_gnss("file://...")` reads: `# t=<host s>` before each line."""

    def __init__(self, url: str, path: Path, baudrate: int) -> None:
        super().__init__("gnss", "gnss", url, path, baudrate)
        self._file: BinaryIO = open(path, "wb")  # noqa: SIM115 - closed by _finish()
        self._file.write(b"# edge record: NMEA from " + url.encode() + b"; '# t=' lines give "
                         b"the host time the next line arrived\n")
        self._partial = b""

    def _store(self, t_s: float, data: bytes) -> None:
        lines = (self._partial + data).split(b"\n")
        self._partial = lines.pop()
        for line in lines:
            self._file.write(f"# t={t_s:.6f}\n".encode() + line + b"\n")

    def _finish(self) -> None:
        if self._partial:
            self._file.write(f"# t={time.time():.6f}\n".encode() + self._partial)
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()


class DaqCapture(ByteStreamCapture):
    """DAQ bytes as a `.wimrec` (the site's channel table in its header) + `daq.index`."""

    def __init__(self, config: Any, path: Path) -> None:
        from wim_station.daq import FrameDecoder, RecordingWriter
        from wim_station.record import header_from_site

        super().__init__("daq", "daq", config.daq.url, path, config.daq.baudrate)
        recorded_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        self._writer = RecordingWriter(path, header_from_site(config, recorded_at))
        self._index = open(path.with_suffix(".index"), "w", encoding="ascii")  # noqa: SIM115
        self._decoder = FrameDecoder()

    def _store(self, t_s: float, data: bytes) -> None:
        self._index.write(f"{self._writer.bytes_written} {t_s:.6f}\n")
        self._writer.write_bytes(data)
        self._decoder.feed_items(data)

    def _finish(self) -> None:
        self._writer.close()
        self._index.close()

    def counters(self) -> dict[str, int]:
        c = self._decoder.counters()
        return {"reconnects": self.reconnects, "frames": c["frames"], "bad_crc": c["bad_crc"],
                "resync_bytes": c["resync_bytes"], "seq_gaps": c["seq_gaps"]}


class CameraCapture(StreamCapture):
    """JPEG frames as received (not re-encoded) + `index.csv` (seq, host time, file)."""

    def __init__(self, name: str, url: str, folder: Path) -> None:
        super().__init__("camera", name, url, folder)
        folder.mkdir(parents=True, exist_ok=True)

    def _run(self) -> None:
        from edge.camera import open_frame_source

        last_seq = -1
        with open(self.path / "index.csv", "w", encoding="ascii") as index, \
                open_frame_source(self.entry.url, buffer_s=5.0, backoff_max_s=2.0) as cam:
            index.write("seq,t_s,file\n")
            while not self._stop.wait(0.1):
                for frame in cam.frames_near(time.time(), 5.0):
                    if frame.seq <= last_seq:
                        continue
                    last_seq = frame.seq
                    jpeg = frame.jpeg()
                    name = f"{self.items:06d}.jpg"
                    (self.path / name).write_bytes(jpeg)
                    index.write(f"{self.items},{frame.t_s:.6f},{name}\n")
                    self.items += 1
                    self.bytes += len(jpeg)


def captures_for(config: Any, out_dir: Path) -> list[StreamCapture]:
    """One capture per input stream the config names (outputs are not recorded)."""
    out: list[StreamCapture] = []
    if getattr(config, "gnss", None) is not None:
        out.append(NmeaCapture(config.gnss.url, out_dir / "gnss.nmea", config.gnss.baudrate))
    if getattr(config, "daq", None) is not None:
        out.append(DaqCapture(config, out_dir / "daq.wimrec"))
    for cam in getattr(config, "cameras", ()):
        out.append(CameraCapture(cam.id, cam.url, out_dir / f"camera-{cam.id}"))
    if getattr(config, "camera", None) is not None:
        out.append(CameraCapture("forward", config.camera.url, out_dir / "camera-forward"))
    return out


def record_site(config: AgentConfig, config_path: Path, out_dir: Path,
                seconds: float | None = None, stop: threading.Event | None = None) -> Manifest:
    """Record every input stream for `seconds` (or until `stop` is set); write the manifest."""
    out_dir.mkdir(parents=True, exist_ok=True)
    if (out_dir / "manifest.json").exists():
        raise FileExistsError(f"{out_dir} already holds a recording")
    shutil.copyfile(config_path, out_dir / "config.yaml")
    stop = stop or threading.Event()
    captures = captures_for(config, out_dir)
    t_start = time.time()
    for c in captures:
        c.start()
    try:
        stop.wait(seconds)
    finally:
        for c in captures:
            c.stop()
    manifest = Manifest(config.device.id, config.kind, "config.yaml", t_start, time.time(),
                        tuple(c.result() for c in captures))
    manifest.write(out_dir)
    for c in captures:
        if c.error:
            log.error("record %s %s: %s", c.entry.role, c.entry.name, c.error)
    return manifest
