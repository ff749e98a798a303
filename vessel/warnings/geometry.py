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

    def touches_segment(self, a: tuple[float, float], b: tuple[float, float]) -> bool:
        """Whether any point of the segment a-b (local metres) is inside or on the edge."""
        if self.contains(*a):
            return True
        if a == b:
            return False
        if self.contains(*b):
            return True
        ring = self.polygon_m
        return any(_segments_cross(a, b, ring[i], ring[(i + 1) % len(ring)])
                   for i in range(len(ring)))


def _segments_cross(a: tuple[float, float], b: tuple[float, float],
                    c: tuple[float, float], d: tuple[float, float]) -> bool:
    """Whether segments a-b and c-d share a point (collinear overlaps included)."""
    def side(p: tuple[float, float], q: tuple[float, float], r: tuple[float, float]) -> float:
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    def within(p: tuple[float, float], q: tuple[float, float], r: tuple[float, float]) -> bool:
        return (min(p[0], q[0]) <= r[0] <= max(p[0], q[0])
                and min(p[1], q[1]) <= r[1] <= max(p[1], q[1]))

    d1, d2, d3, d4 = side(c, d, a), side(c, d, b), side(a, b, c), side(a, b, d)
    if ((d1 > 0) != (d2 > 0) and d1 != 0 and d2 != 0
            and (d3 > 0) != (d4 > 0) and d3 != 0 and d4 != 0):
        return True
    return ((d1 == 0 and within(c, d, a)) or (d2 == 0 and within(c, d, b))
            or (d3 == 0 and within(a, b, c)) or (d4 == 0 and within(a, b, d)))


def footprint_en(centre_en: tuple[float, float], course_deg: float | None,
                 half_length_m: float) -> tuple[tuple[float, float], tuple[float, float]]:
    """The stern and bow of a hull `2 * half_length_m` long heading `course_deg` (true)
    around its centre; without a course, the centre alone (both ends)."""
    if course_deg is None or not half_length_m > 0.0:
        return centre_en, centre_en
    dx, dy = velocity_en(half_length_m, course_deg)
    east, north = centre_en
    return (east - dx, north - dy), (east + dx, north + dy)


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
