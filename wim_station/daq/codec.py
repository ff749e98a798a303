"""DAQ frame codec (`wim-daq.md` §1): bytes to `DaqFrame` and back, no I/O.

`decode` is a pure function over a buffer; `FrameDecoder` keeps the unconsumed tail
between reads, counts what it discards and reports `seq` gaps.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from typing import Literal

import numpy as np

from wim_station.daq.frame import (
    CRC_SIZE,
    HEADER_SIZE,
    MAX_CHANNELS,
    MAX_SAMPLES,
    SYNC,
    TEMPERATURE_UNAVAILABLE,
    VERSION,
    DaqFrame,
    frame_size,
)

_HEADER = struct.Struct("<2sBBIQIHHhH")
_CRC = struct.Struct("<I")
_SEQ_MOD = 1 << 32
_SYNC0 = SYNC[:1]

BadReason = Literal["bad_crc", "bad_version", "bad_size"]


def encode(frame: DaqFrame) -> bytes:
    """Serialise a frame to its wire bytes, CRC included."""
    samples = np.ascontiguousarray(frame.samples, dtype="<i4")
    n_samples, n_channels = samples.shape
    if not 1 <= n_channels <= MAX_CHANNELS or not 1 <= n_samples <= MAX_SAMPLES:
        raise ValueError(
            f"frame shape {samples.shape} outside 1..{MAX_SAMPLES} x 1..{MAX_CHANNELS}"
        )
    if frame.temperature_c is None:
        temperature = TEMPERATURE_UNAVAILABLE
    else:
        temperature = max(-32767, min(32767, round(frame.temperature_c * 100)))
    head = _HEADER.pack(
        SYNC,
        frame.version,
        n_channels,
        frame.seq % _SEQ_MOD,
        frame.t0_us,
        frame.sample_rate_hz,
        n_samples,
        frame.status & 0xFFFF,
        temperature,
        0,
    )
    body = head[2:] + samples.tobytes()
    return SYNC + body + _CRC.pack(zlib.crc32(body))


@dataclass(frozen=True, slots=True)
class _Step:
    consumed: int
    frame: DaqFrame | None
    skipped: int  # garbage bytes before a sync (or before giving up on the buffer)
    bad: BadReason | None  # a rejected frame (its 2 sync bytes are consumed too)

    @property
    def discarded(self) -> int:
        return self.skipped + (len(SYNC) if self.bad else 0)


def _step(buf: bytes, start: int) -> _Step:
    """Skip garbage up to a sync, then decode, reject or wait for one frame at it."""
    end = len(buf)
    i = buf.find(SYNC, start)
    if i < 0:
        # Keep a trailing 0xA5: it may be the first half of the next sync.
        keep = 1 if end > start and buf[end - 1 : end] == _SYNC0 else 0
        skipped = end - start - keep
        return _Step(skipped, None, skipped, None)
    skipped = i - start
    avail = end - i

    def bad(reason: BadReason) -> _Step:
        return _Step(skipped + len(SYNC), None, skipped, reason)

    # Reject impossible headers as soon as the bytes that show it are here: waiting for a
    # 'frame' that claims to be huge would stall the stream.
    if avail >= 3 and buf[i + 2] != VERSION:
        return bad("bad_version")
    if avail >= 4 and not 1 <= buf[i + 3] <= MAX_CHANNELS:
        return bad("bad_size")
    if avail >= 22:
        n_samples = buf[i + 20] | (buf[i + 21] << 8)
        if not 1 <= n_samples <= MAX_SAMPLES:
            return bad("bad_size")
    if avail < HEADER_SIZE:
        return _Step(skipped, None, skipped, None)
    _, version, n_channels, seq, t0_us, rate, n_samples, status, temperature, _ = (
        _HEADER.unpack_from(buf, i)
    )
    size = frame_size(n_channels, n_samples)
    if avail < size:
        return _Step(skipped, None, skipped, None)
    crc_at = i + size - CRC_SIZE
    if zlib.crc32(buf[i + 2 : crc_at]) != _CRC.unpack_from(buf, crc_at)[0]:
        return bad("bad_crc")
    if rate == 0:
        return bad("bad_size")
    # Copy out of the read buffer so a frame never pins a large chunk in memory.
    samples = np.frombuffer(
        buf, dtype="<i4", count=n_samples * n_channels, offset=i + HEADER_SIZE
    ).astype(np.int32)
    samples = samples.reshape(n_samples, n_channels)
    samples.flags.writeable = False
    frame = DaqFrame(
        seq=seq,
        t0_us=t0_us,
        sample_rate_hz=rate,
        samples=samples,
        status=status,
        temperature_c=None if temperature == TEMPERATURE_UNAVAILABLE else temperature / 100.0,
        version=version,
    )
    return _Step(skipped + size, frame, skipped, None)


def decode(buf: bytes | bytearray | memoryview) -> tuple[int, DaqFrame | None, int]:
    """Return (bytes consumed, the next frame or None, bytes discarded while resyncing).

    Drop `consumed` bytes from the front of the buffer and call again while it is non-zero;
    `(0, None, 0)` means more bytes are needed.
    """
    data = buf if isinstance(buf, bytes) else bytes(buf)
    step = _step(data, 0)
    return step.consumed, step.frame, step.discarded


@dataclass(frozen=True, slots=True)
class SeqGap:
    """Frames missing between two received frames; their samples are unknown, not zero."""

    expected_seq: int
    seq: int
    lost_frames: int
    lost_samples: int
    t0_us: int  # start of the first frame after the gap


def seq_distance(prev_seq: int, seq: int) -> int:
    """Frames from `prev_seq` to `seq` modulo 2^32 (1 = consecutive)."""
    return (seq - prev_seq) % _SEQ_MOD


class FrameDecoder:
    """Incremental decoder: feed it any byte chunks, get whole frames back.

    Counters (`counters()`): frames, bytes, bad_crc, bad_version, bad_size, resync_bytes,
    seq_gaps, lost_frames, lost_samples, seq_resets.
    """

    # A backward jump of seq (DAQ restart, duplicate) shows up as a 'gap' of more than half
    # the sequence space; it is counted as a reset, not as billions of lost frames.
    _MAX_FORWARD_GAP = _SEQ_MOD // 2

    def __init__(self) -> None:
        self._buf = b""
        self._prev: DaqFrame | None = None
        self.frames = 0
        self.bytes = 0
        self.bad_crc = 0
        self.bad_version = 0
        self.bad_size = 0
        self.resync_bytes = 0
        self.seq_gaps = 0
        self.lost_frames = 0
        self.lost_samples = 0
        self.seq_resets = 0

    @property
    def pending_bytes(self) -> int:
        """Bytes held back waiting for the rest of a frame."""
        return len(self._buf)

    def feed(self, data: bytes | bytearray | memoryview) -> list[DaqFrame]:
        """Add bytes; return every frame completed by them, in order."""
        return [item for item in self.feed_items(data) if isinstance(item, DaqFrame)]

    def feed_items(self, data: bytes | bytearray | memoryview) -> list[DaqFrame | SeqGap]:
        """Like `feed`, with a `SeqGap` placed before each frame that follows lost frames."""
        self.bytes += len(data)
        buf = self._buf + bytes(data) if self._buf else bytes(data)
        out: list[DaqFrame | SeqGap] = []
        pos = 0
        while True:
            step = _step(buf, pos)
            if step.consumed == 0:
                break
            pos += step.consumed
            self.resync_bytes += step.discarded
            if step.bad is not None:
                setattr(self, step.bad, getattr(self, step.bad) + 1)
            if step.frame is not None:
                gap = self._check_seq(step.frame)
                if gap is not None:
                    out.append(gap)
                out.append(step.frame)
        self._buf = buf[pos:]
        return out

    def finish(self) -> int:
        """End of stream: count and drop the incomplete tail; return its length."""
        dropped = len(self._buf)
        self.resync_bytes += dropped
        self._buf = b""
        return dropped

    def reset_stream(self) -> None:
        """Forget the partial frame and the last seq (after a reconnect)."""
        self.finish()
        self._prev = None

    def _check_seq(self, frame: DaqFrame) -> SeqGap | None:
        prev, self._prev = self._prev, frame
        self.frames += 1
        if prev is None:
            return None
        distance = seq_distance(prev.seq, frame.seq)
        if distance == 1:
            return None
        if distance == 0 or distance > self._MAX_FORWARD_GAP:
            self.seq_resets += 1
            return None
        lost = distance - 1
        self.seq_gaps += 1
        self.lost_frames += lost
        lost_samples = lost * prev.n_samples
        self.lost_samples += lost_samples
        return SeqGap(
            expected_seq=(prev.seq + 1) % _SEQ_MOD,
            seq=frame.seq,
            lost_frames=lost,
            lost_samples=lost_samples,
            t0_us=frame.t0_us,
        )

    def counters(self) -> dict[str, int]:
        """Snapshot of every counter, for health reports."""
        return {
            "frames": self.frames,
            "bytes": self.bytes,
            "bad_crc": self.bad_crc,
            "bad_version": self.bad_version,
            "bad_size": self.bad_size,
            "resync_bytes": self.resync_bytes,
            "seq_gaps": self.seq_gaps,
            "lost_frames": self.lost_frames,
            "lost_samples": self.lost_samples,
            "seq_resets": self.seq_resets,
        }
