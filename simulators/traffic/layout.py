"""Sensor layouts of a simulated WIM site and the channel table they produce."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from wim_station.daq.header import ChannelInfo, LaneInfo, RecordingHeader

# A carriageway lane of a Chinese national highway (JTG B01-2014: 3.75 m).
LANE_WIDTH_M = 3.75
ADC_BITS = 24


@dataclass(frozen=True, slots=True)
class SensorRow:
    row: int
    position_m: float
    type: Literal["strip", "plate"]
    length_m: float  # along the direction of travel


@dataclass(frozen=True, slots=True)
class Layout:
    """Rows of sensors, repeated in every lane, each row split into left and right."""

    name: str
    rows: tuple[SensorRow, ...]
    lanes: int = 1
    lane_width_m: float = LANE_WIDTH_M

    def channels(self) -> list[ChannelInfo]:
        """Channel table: index = ((lane - 1) * rows + row) * 2 + (0 left | 1 right)."""
        out: list[ChannelInfo] = []
        for lane in range(1, self.lanes + 1):
            for r in self.rows:
                for side in ("left", "right"):
                    # Full scale of a 24-bit ADC: ~170 kN per strip, ~210 kN per plate side.
                    gain = 0.02 if r.type == "strip" else 0.025
                    out.append(
                        ChannelInfo(
                            index=len(out),
                            lane=lane,
                            row=r.row,
                            position_m=r.position_m,
                            side=side,
                            type=r.type,
                            length_m=r.length_m,
                            zero_counts=1000 + 137 * len(out),
                            gain_n_per_count=gain,
                        )
                    )
        return out

    def coverage_m(self, channel: ChannelInfo) -> tuple[float, float]:
        """Lateral extent of a channel's sensor (0 = centre of lane 1, positive right)."""
        centre = (channel.lane - 1) * self.lane_width_m
        half = self.lane_width_m / 2
        if channel.side == "left":
            return centre - half, centre
        if channel.side == "right":
            return centre, centre + half
        return centre - half, centre + half

    def header(self, site_id: str, recorded_at: str, sample_rate_hz: int) -> RecordingHeader:
        return RecordingHeader(
            site_id=site_id,
            recorded_at=recorded_at,
            sample_rate_hz=sample_rate_hz,
            lanes=[LaneInfo(lane=i, direction="northbound") for i in range(1, self.lanes + 1)],
            channels=self.channels(),
        )

    @property
    def last_position_m(self) -> float:
        return max(r.position_m + r.length_m / 2 for r in self.rows)


def _rows(
    kind: Literal["strip", "plate"], length_m: float, *positions: float
) -> tuple[SensorRow, ...]:
    return tuple(SensorRow(i, p, kind, length_m) for i, p in enumerate(positions))


# Strips: quartz WIM sensors are 0.05-0.07 m wide along the travel direction.
# Plates: bending plates are ~0.6 m long, longer than any tyre contact patch.
LAYOUTS: dict[str, tuple[SensorRow, ...]] = {
    "two-strips": _rows("strip", 0.07, 0.0, 3.0),
    "four-strips": _rows("strip", 0.07, 0.0, 7.0 / 3, 14.0 / 3, 7.0),
    "two-plates": _rows("plate", 0.6, 0.0, 3.0),
}


def make_layout(name: str, lanes: int = 1) -> Layout:
    """A named layout (`two-strips`, `four-strips`, `two-plates`) over 1 or more lanes."""
    if name not in LAYOUTS:
        raise ValueError(f"unknown layout {name!r} (choose from {', '.join(LAYOUTS)})")
    return Layout(name, LAYOUTS[name], lanes)
