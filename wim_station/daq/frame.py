"""One DAQ frame (wire format v1, `wim-daq.md` §1) as an immutable value."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

SYNC = b"\xa5\x5a"
VERSION = 1
HEADER_SIZE = 28
CRC_SIZE = 4
MAX_CHANNELS = 64
MAX_SAMPLES = 1024
TEMPERATURE_UNAVAILABLE = -32768

STATUS_OVERRANGE = 1 << 0
STATUS_CHANNEL_FAULT = 1 << 1
STATUS_CLOCK_UNSYNCED = 1 << 2
STATUS_DROPPED_BEFORE = 1 << 3


def frame_size(n_channels: int, n_samples: int) -> int:
    """Total bytes of a frame on the wire, sync and CRC included."""
    return HEADER_SIZE + 4 * n_channels * n_samples + CRC_SIZE


@dataclass(frozen=True, slots=True, eq=False)
class DaqFrame:
    """A block of samples: `samples[i, ch]` is the ADC count of channel `ch` at sample `i`.

    `samples` is a read-only int32 array of shape (n_samples, n_channels).
    """

    seq: int
    t0_us: int
    sample_rate_hz: int
    samples: npt.NDArray[np.int32]
    status: int = 0
    temperature_c: float | None = None
    version: int = VERSION

    @property
    def n_samples(self) -> int:
        return int(self.samples.shape[0])

    @property
    def n_channels(self) -> int:
        return int(self.samples.shape[1])

    @property
    def duration_us(self) -> float:
        """Time covered by this frame's samples."""
        return self.n_samples * 1e6 / self.sample_rate_hz

    @property
    def overrange(self) -> bool:
        return bool(self.status & STATUS_OVERRANGE)

    @property
    def channel_fault(self) -> bool:
        return bool(self.status & STATUS_CHANNEL_FAULT)

    @property
    def clock_unsynced(self) -> bool:
        return bool(self.status & STATUS_CLOCK_UNSYNCED)

    @property
    def dropped_before(self) -> bool:
        return bool(self.status & STATUS_DROPPED_BEFORE)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DaqFrame):
            return NotImplemented
        return (
            self.seq == other.seq
            and self.t0_us == other.t0_us
            and self.sample_rate_hz == other.sample_rate_hz
            and self.status == other.status
            and self.temperature_c == other.temperature_c
            and self.version == other.version
            and self.samples.shape == other.samples.shape
            and bool(np.array_equal(self.samples, other.samples))
        )

    __hash__ = None  # type: ignore[assignment]
