"""`.wimrec` recordings (`wim-daq.md` §2): a magic line, a JSON header line, raw frames.

Reading streams the file in chunks; nothing ever loads a whole recording.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from edge.closing import ClosedOnExit
from wim_station.daq.codec import FrameDecoder, SeqGap, encode
from wim_station.daq.frame import DaqFrame
from wim_station.daq.header import HeaderError, RecordingHeader
from wim_station.errors import FrameError

MAGIC = b"WIMREC 1\n"
CHUNK_SIZE = 1 << 20
# A header is a channel table of at most 64 channels; anything longer is not a header.
MAX_HEADER_BYTES = 1 << 20


class RecordingError(FrameError):
    """A recording cannot be opened or read (bad magic line, header, I/O)."""


def _read_preamble(stream: BinaryIO, name: str) -> RecordingHeader:
    magic = stream.readline(len(MAGIC))
    if magic != MAGIC:
        shown = magic[:16].decode("ascii", "replace").strip() or "empty file"
        raise RecordingError(
            f"{name}: not a .wimrec recording ({shown!r} instead of 'WIMREC 1')", magic
        )
    line = stream.readline(MAX_HEADER_BYTES + 1)
    if not line.endswith(b"\n"):
        why = "header line longer than 1 MiB" if len(line) > MAX_HEADER_BYTES else "truncated"
        raise HeaderError(f"{name}: header {why}", line[:64])
    try:
        data = json.loads(line)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError, nesting
        raise HeaderError(f"{name}: header is not valid JSON ({exc})", line[:64]) from exc
    return RecordingHeader.from_mapping(data, name)


def read_header(path: str | os.PathLike[str]) -> RecordingHeader:
    """Read and validate only the header of a recording."""
    with open_recording(path) as rec:
        return rec.header


class RecordingReader(ClosedOnExit):
    """An open recording: `header`, then its frames streamed chunk by chunk.

    After iterating, `counters()` tells what the decoder discarded; `truncated_bytes` is an
    incomplete frame at the end of the file (a recording cut short by power loss).
    """

    def __init__(self, path: str | os.PathLike[str], chunk_size: int = CHUNK_SIZE) -> None:
        self.path = Path(path)
        self.chunk_size = chunk_size
        try:
            self._file: BinaryIO = open(self.path, "rb")  # noqa: SIM115 - closed by close()
        except OSError as exc:
            raise RecordingError(f"{self.path}: cannot open ({exc.strerror})") from exc
        try:
            self.header = _read_preamble(self._file, str(self.path))
        except BaseException:
            self._file.close()
            raise
        self.data_offset = self._file.tell()
        self.decoder = FrameDecoder()
        self.truncated_bytes = 0

    def chunks(self) -> Iterator[bytes]:
        """Raw frame bytes, as stored, in chunks of at most `chunk_size`."""
        while True:
            try:
                chunk = self._file.read(self.chunk_size)
            except (OSError, ValueError) as exc:
                raise RecordingError(f"{self.path}: read failed ({exc})") from exc
            if not chunk:
                return
            yield chunk

    def items(self) -> Iterator[DaqFrame | SeqGap]:
        """Frames in order, with a `SeqGap` before any frame that follows lost ones."""
        for chunk in self.chunks():
            yield from self.decoder.feed_items(chunk)
        self.truncated_bytes += self.decoder.finish()

    def frames(self) -> Iterator[DaqFrame]:
        """Frames in order (gaps are still counted by `decoder`)."""
        for item in self.items():
            if isinstance(item, DaqFrame):
                yield item

    def __iter__(self) -> Iterator[DaqFrame]:
        return self.frames()

    def counters(self) -> dict[str, int]:
        return {**self.decoder.counters(), "truncated_bytes": self.truncated_bytes}

    def close(self) -> None:
        self._file.close()



def open_recording(path: str | os.PathLike[str], chunk_size: int = CHUNK_SIZE) -> RecordingReader:
    """Open a `.wimrec` for streaming; raises `RecordingError`/`HeaderError` (one line)."""
    return RecordingReader(path, chunk_size)


class RecordingWriter(ClosedOnExit):
    """Writes a recording to `path + '.part'`, renamed to `path` by `close()` after fsync."""

    def __init__(self, path: str | os.PathLike[str], header: RecordingHeader) -> None:
        self.path = Path(path)
        self._part = self.path.with_name(self.path.name + ".part")
        self.header = header
        self.bytes_written = 0
        try:
            self._file: BinaryIO | None = open(self._part, "wb")  # noqa: SIM115
            self._file.write(MAGIC + header.to_json().encode() + b"\n")
        except OSError as exc:
            raise RecordingError(f"{self.path}: cannot write ({exc.strerror})") from exc

    def write_bytes(self, raw: bytes) -> None:
        """Append bytes exactly as received from the DAQ."""
        if self._file is None:
            raise RecordingError(f"{self.path}: write after close")
        try:
            self._file.write(raw)
        except OSError as exc:
            raise RecordingError(f"{self.path}: write failed ({exc.strerror})") from exc
        self.bytes_written += len(raw)

    def write_frame(self, frame: DaqFrame) -> None:
        self.write_bytes(encode(frame))

    def close(self) -> None:
        """Flush, fsync and move the file into place; safe to call twice."""
        if self._file is None:
            return
        f, self._file = self._file, None
        try:
            f.flush()
            os.fsync(f.fileno())
        finally:
            f.close()
        os.replace(self._part, self.path)

