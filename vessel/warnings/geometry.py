"""Zones in a local plane and the closest point of approach between two moving craft."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from edge.geo import LocalFrame, point_in_polygon


@dataclass(frozen=True)
class Zone:
    """A named area with one rule, as (east, north) metres in the engine's local plane."""

    name: str
    rule: str
    polygon_deg: tuple[tuple[float, float], ...]  # (lat, lon) as configured
    polygon_m: tuple[tuple[float, float], ...]
    speed_limit_mps: float | None

    @classmethod
    def from_latlon(cls, frame: LocalFrame, name: str, rule: str,
                    polygon: Sequence[tuple[float, float]],
                    speed_limit_mps: float | None = None) -> Zone:
        """A zone whose polygon is given as (lat, lon) pairs."""
        pts = tuple((float(lat), float(lon)) for lat, lon in polygon)
        return cls(name, rule, pts, tuple(frame.to_enu(lat, lon) for lat, lon in pts),
                   speed_limit_mps)

    def contains(self, east_m: float, north_m: float) -> bool:
        """Whether a point (local metres) is inside."""
        return point_in_polygon(east_m, north_m, list(self.polygon_m))


def velocity_en(speed_mps: float, course_deg: float) -> tuple[float, float]:
    """(east, north) velocity of a craft from its speed and true course."""
    c = math.radians(course_deg)
    return speed_mps * math.sin(c), speed_mps * math.cos(c)


def cpa_tcpa(rel_pos_m: tuple[float, float],
             rel_vel_mps: tuple[float, float]) -> tuple[float, float]:
    """(distance at the closest point of approach, time to it) for a target at `rel_pos_m`
    moving at `rel_vel_mps` relative to us. A target not closing gives (now's range, 0)."""
    px, py = rel_pos_m
    vx, vy = rel_vel_mps
    v2 = vx * vx + vy * vy
    t = -(px * vx + py * vy) / v2 if v2 > 1e-9 else 0.0
    if t <= 0.0:
        return math.hypot(px, py), 0.0
    return math.hypot(px + vx * t, py + vy * t), t
