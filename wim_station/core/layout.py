"""The frozen site layout the core runs on: channels, rows, lanes, calibration, parameters.

Built either from the validated site config or from a recording's header (which carries the
channel table but no rules or calibration: defaults apply then).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Literal

from wim_station.config import (
    DEFAULT_VEHICLE_CLASSES,
    CalibrationSection,
    DetectionSection,
    RulesSection,
    VehicleClass,
    WimSiteConfig,
)
from wim_station.daq.header import RecordingHeader
from wim_station.errors import WimError

Side = Literal["left", "right", "full"]
SensorType = Literal["strip", "plate"]


class LayoutError(WimError):
    """A channel table the core cannot weigh with (e.g. a lane with a single row)."""


@dataclass(frozen=True, slots=True)
class ChannelSpec:
    """One sensor channel: place in the frame, in the lane, and how counts become newtons."""

    index: int
    lane: int
    row: int
    position_m: float
    side: Side
    type: SensorType
    length_m: float
    zero_counts: float
    gain_n_per_count: float
    # Set on a copy routed to a neighbouring lane: a wheel of a vehicle straddling both.
    foreign_lane: int | None = None


@dataclass(frozen=True, slots=True)
class LaneLayout:
    """The rows of one lane, in the direction of travel."""

    lane: int
    rows: tuple[int, ...]
    positions_m: tuple[float, ...]  # per entry of `rows`
    channels: tuple[ChannelSpec, ...]

    def row_channels(self, row: int) -> tuple[ChannelSpec, ...]:
        return tuple(c for c in self.channels if c.row == row)


@dataclass(frozen=True, slots=True)
class SiteLayout:
    """Everything the axle-load core needs, frozen."""

    site_id: str
    sample_rate_hz: int
    channels: tuple[ChannelSpec, ...]  # ordered by frame index
    lanes: tuple[LaneLayout, ...]
    detection: DetectionSection
    calibration: CalibrationSection
    rules: RulesSection
    vehicle_classes: tuple[VehicleClass, ...]

    @property
    def n_channels(self) -> int:
        return len(self.channels)

    @classmethod
    def from_config(cls, config: WimSiteConfig) -> SiteLayout:
        """Layout, rules, detection and calibration of a validated site config."""
        chans = tuple(
            ChannelSpec(c.index, c.lane, c.row, c.position_m, c.side, c.type, c.length_m,
                        float(c.zero_counts), c.gain_n_per_count)
            for c in config.channels
        )
        return cls._build(config.device.id, config.daq.sample_rate_hz, chans,
                          config.detection, config.calibration, config.rules,
                          config.vehicle_classes)

    @classmethod
    def from_header(
        cls, header: RecordingHeader, config: WimSiteConfig | None = None
    ) -> SiteLayout:
        """Channel table of a recording; rules/calibration from `config` or the defaults."""
        chans = tuple(
            ChannelSpec(c.index, c.lane, c.row, c.position_m, c.side, c.type, c.length_m,
                        float(c.zero_counts), float(c.gain_n_per_count))
            for c in header.channels
        )
        if config is None:
            return cls._build(header.site_id, header.sample_rate_hz, chans, DetectionSection(),
                              CalibrationSection(version="uncalibrated"), RulesSection(),
                              DEFAULT_VEHICLE_CLASSES)
        return cls._build(header.site_id, header.sample_rate_hz, chans, config.detection,
                          config.calibration, config.rules, config.vehicle_classes)

    @classmethod
    def _build(
        cls,
        site_id: str,
        rate: int,
        chans: tuple[ChannelSpec, ...],
        detection: DetectionSection,
        calibration: CalibrationSection,
        rules: RulesSection,
        classes: tuple[VehicleClass, ...],
    ) -> SiteLayout:
        chans = tuple(sorted(chans, key=lambda c: c.index))
        if [c.index for c in chans] != list(range(len(chans))):
            raise LayoutError("channel indexes must be 0..n-1 without holes")
        lanes = []
        for lane in sorted({c.lane for c in chans}):
            lane_chans = tuple(c for c in chans if c.lane == lane)
            rows = tuple(sorted({c.row for c in lane_chans}))
            positions = []
            for row in rows:
                pos = {c.position_m for c in lane_chans if c.row == row}
                if len(pos) != 1:
                    raise LayoutError(f"lane {lane} row {row}: channels disagree on position_m")
                positions.append(pos.pop())
            if len(rows) < 2:
                raise LayoutError(f"lane {lane}: speed needs at least two sensor rows")
            if any(b <= a for a, b in itertools.pairwise(positions)):
                raise LayoutError(f"lane {lane}: row positions must increase with the row number")
            lanes.append(LaneLayout(lane, rows, tuple(positions), lane_chans))
        return cls(site_id, rate, chans, tuple(lanes), detection, calibration, rules, classes)
