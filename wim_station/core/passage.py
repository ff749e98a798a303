"""What the axle-load core returns: one `Passage` per vehicle, with its `Axle`s."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Flags that make a measurement unusable for enforcement. Every flag the core sets is one.
FLAG_ACCELERATING = "accelerating"
FLAG_DECELERATING = "decelerating"
FLAG_STRADDLING = "straddling"
FLAG_LANE_CHANGE = "lane_change"
FLAG_TAILGATING = "tailgating"
FLAG_OUT_OF_SPEED_RANGE = "out_of_speed_range"
FLAG_OVERRANGE = "overrange"
FLAG_SENSOR_FAULT = "sensor_fault"
FLAG_LOST_SAMPLES = "lost_samples"
FLAG_CLOCK_UNSYNCED = "clock_unsynced"
FLAG_AXLE_MISMATCH = "axle_mismatch"  # rows disagree on the axles (a wheel missed)
FLAG_ROW_DISAGREEMENT = "row_disagreement"  # rows disagree on a load beyond dynamics
FLAG_UNCLASSIFIED = "unclassified"  # spacings match no configured axle configuration
# Cut from a doubtful neighbour in the same axle train moments before or after: its axles
# may belong to this vehicle (or this one's to it).
FLAG_UNCERTAIN_SPLIT = "uncertain_split"


@dataclass(frozen=True, slots=True)
class Axle:
    """One axle of a passage, loads in kg, SI otherwise."""

    load_kg: float
    spacing_m: float | None  # to the previous axle; None for the first
    t_us: float  # DAQ time the axle crossed row 0 (projected when row 0 missed it)
    speed_mps: float
    group: int  # index of its axle group in the class code
    left_kg: float | None  # mean over rows; None when a row has one 'full' sensor
    right_kg: float | None
    row_loads_kg: tuple[float | None, ...]  # per row of the lane; None where not usable
    # Each channel's part of load_kg (row weight included): what calibration fits gains on.
    channel_kg: tuple[tuple[int, float], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "load_kg": round(self.load_kg, 1),
            "spacing_m": None if self.spacing_m is None else round(self.spacing_m, 3),
        }


@dataclass(frozen=True, slots=True)
class Passage:
    """A vehicle's passage over the sensors of one lane: what was measured and how sure."""

    lane: int
    t_first_axle_us: int
    speed_mps: float
    accel_mps2: float
    axles: tuple[Axle, ...]
    gvw_kg: float
    class_code: str
    vehicle_kind: str | None  # rigid | combination | tractor_single_drive (from the class)
    flags: tuple[str, ...]
    gap_s: float | None  # after the previous vehicle's last axle in the lane
    temperature_c: float | None
    calibration_version: str

    @property
    def valid(self) -> bool:
        """False when the measurement must not be used for enforcement."""
        return not self.flags

    @property
    def speed_kmh(self) -> float:
        return self.speed_mps * 3.6

    @property
    def axle_count(self) -> int:
        return len(self.axles)

    def to_json(self) -> dict[str, Any]:
        """The `tools.md` replay fields this object owns (decision fields come from rules)."""
        return {
            "lane": self.lane,
            "t_first_axle_us": self.t_first_axle_us,
            "speed_kmh": round(self.speed_kmh, 2),
            "axle_count": self.axle_count,
            "axles": [a.to_json() for a in self.axles],
            "gvw_kg": round(self.gvw_kg, 1),
            "class_code": self.class_code,
            "valid": self.valid,
            "flags": list(self.flags),
            "accel_mps2": round(self.accel_mps2, 3),
            "gap_s": None if self.gap_s is None else round(self.gap_s, 3),
            "vehicle_kind": self.vehicle_kind,
            "temperature_c": self.temperature_c,
            "calibration_version": self.calibration_version,
        }
