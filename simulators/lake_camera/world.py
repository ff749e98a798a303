"""The world the camera looks at: the own boat's pose, other boats and swimmers, ground truth."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

from edge.geo import destination_point

TargetKind = Literal["boat", "person"]


@dataclass(frozen=True)
class OwnPose:
    """The patrol boat: WGS-84 position, true heading, pitch (bow down +), roll (stbd down +)."""

    lat_deg: float
    lon_deg: float
    heading_deg: float
    pitch_deg: float = 0.0
    roll_deg: float = 0.0


@dataclass(frozen=True)
class Target:
    """Another boat or a swimmer on the water, at a WGS-84 position."""

    target_id: int
    kind: TargetKind
    lat_deg: float
    lon_deg: float
    heading_deg: float = 0.0
    speed_mps: float = 0.0
    length_m: float = 6.0  # boat length, or swimmer shoulder width
    beam_m: float = 2.2
    freeboard_m: float = 0.8
    cabin_height_m: float = 1.0  # 0 for an open boat
    color_bgr: tuple[int, int, int] = (240, 240, 240)
    cabin_color_bgr: tuple[int, int, int] = (235, 235, 235)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (the HTTP feed uses the same field names)."""
        d = dict(self.__dict__)
        d["color_bgr"] = list(self.color_bgr)
        d["cabin_color_bgr"] = list(self.cabin_color_bgr)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Target:
        """The inverse of `to_dict`; unknown keys are rejected by the constructor."""
        kw = dict(d)
        for key in ("color_bgr", "cabin_color_bgr"):
            if key in kw:
                kw[key] = tuple(int(c) for c in kw[key])
        return cls(**kw)


def relative_position(own: OwnPose, forward_m: float, starboard_m: float) -> tuple[float, float]:
    """(lat, lon) of a point given forward/starboard of the own boat (level frame)."""
    distance = math.hypot(forward_m, starboard_m)
    bearing = own.heading_deg + math.degrees(math.atan2(starboard_m, forward_m))
    return destination_point(own.lat_deg, own.lon_deg, bearing, distance)


@dataclass(frozen=True)
class TruthObject:
    """Ground truth for one target in one frame."""

    target_id: int
    kind: TargetKind
    box: tuple[int, int, int, int]  # x, y, w, h of the visible part
    range_m: float  # horizontal distance camera -> target centre
    bearing_deg: float  # relative to the camera axis, positive to starboard
    lat_deg: float
    lon_deg: float
    contact_px: tuple[float, float]  # where the target's centre meets the water


@dataclass(frozen=True)
class FrameTruth:
    """Ground truth for a rendered frame."""

    t_s: float
    own: OwnPose
    horizon: tuple[float, float, float, float] | None
    objects: tuple[TruthObject, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (one line of truth.jsonl, the body of GET /truth)."""
        return {
            "t_s": self.t_s,
            "own": dict(self.own.__dict__),
            "horizon": list(self.horizon) if self.horizon else None,
            "objects": [
                {
                    "target_id": o.target_id,
                    "kind": o.kind,
                    "box": list(o.box),
                    "range_m": o.range_m,
                    "bearing_deg": o.bearing_deg,
                    "lat_deg": o.lat_deg,
                    "lon_deg": o.lon_deg,
                }
                for o in self.objects
            ],
        }
