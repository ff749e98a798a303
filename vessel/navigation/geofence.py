"""Keep-in (operating area) and keep-out (no-go) polygons, checked on segments and tracks."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from edge.geo import LocalFrame
from vessel.navigation import planar
from vessel.navigation.planar import Point

LatLon = tuple[float, float]
_CLEAR_POINT_TRIES = 4  # a corner of two lines settles in two moves; more means no room


@dataclass(frozen=True)
class Violation:
    """Why a segment or track is not allowed."""

    zone: str  # "operating_area" or the no-go zone's name
    reason: str  # "leaves" or "enters"

    def __str__(self) -> str:
        return f"{self.reason} {self.zone}"


@dataclass(frozen=True)
class NearestFence:
    """The fence line nearest to a point, and which way is away from it."""

    zone: str  # "operating_area" or the no-go zone's name
    distance_m: float  # from the point to the line; negative when the point is not allowed
    point: Point  # the nearest point of the line
    away: Point  # unit vector from that point into the allowed side (the outward normal)


@dataclass(frozen=True)
class Geofence:
    """The polygons in the local plane of `frame`."""

    frame: LocalFrame
    operating_area: tuple[Point, ...]
    no_go: tuple[tuple[str, tuple[Point, ...]], ...]

    @classmethod
    def from_latlon(
        cls, frame: LocalFrame, operating_area: Sequence[LatLon],
        no_go: Sequence[tuple[str, Sequence[LatLon]]],
    ) -> Geofence:
        """Project WGS-84 polygons into the frame."""
        def project(poly: Sequence[LatLon]) -> tuple[Point, ...]:
            return tuple(frame.to_enu(lat, lon) for lat, lon in poly)
        return cls(frame, project(operating_area), tuple((n, project(p)) for n, p in no_go))

    def contains(self, p: Point) -> bool:
        """Inside the operating area and outside every no-go zone."""
        return planar.inside(p, self.operating_area) and not any(
            planar.inside(p, poly) for _, poly in self.no_go
        )

    def clearance_m(self, p: Point) -> float:
        """Distance from p to the nearest fence line (0 when p is not allowed at all)."""
        if not self.contains(p):
            return 0.0
        return min(planar.distance_to_boundary(p, poly)
                   for poly in (self.operating_area, *(poly for _, poly in self.no_go)))

    def nearest_fence(self, p: Point) -> NearestFence:
        """The nearest fence line to p (operating-area edge or no-go edge)."""
        allowed = self.contains(p)
        best: tuple[float, str, Point, Point, Point] | None = None
        for zone, poly in (("operating_area", self.operating_area), *self.no_go):
            for a, b in pairwise((*poly, poly[0])):
                q = planar.closest_on_segment(p, a, b)
                d = math.dist(p, q)
                if best is None or d < best[0]:
                    best = (d, zone, q, a, b)
        assert best is not None  # a polygon has edges (config validation)
        d, zone, q, a, b = best
        if d > 1e-6:
            sign = 1.0 if allowed else -1.0
            away = (sign * (p[0] - q[0]) / d, sign * (p[1] - q[1]) / d)
        else:  # on the line: its normal, towards the side that is allowed
            length = math.dist(a, b) or 1.0
            away = ((a[1] - b[1]) / length, (b[0] - a[0]) / length)
            if not self.contains((q[0] + away[0] * 0.01, q[1] + away[1] * 0.01)):
                away = (-away[0], -away[1])
        return NearestFence(zone, d if allowed else -d, q, away)

    def clear_point(self, p: Point, clearance_m: float) -> Point | None:
        """p itself when it is clearance_m clear of every fence line, else the point that far
        out along the nearest line's outward normal (repeated for a corner between two lines);
        None when no such point is found (a channel narrower than twice the clearance)."""
        for _ in range(_CLEAR_POINT_TRIES):
            near = self.nearest_fence(p)
            if near.distance_m >= clearance_m - 1e-6:
                return p
            p = (near.point[0] + near.away[0] * clearance_m,
                 near.point[1] + near.away[1] * clearance_m)
        return p if self.nearest_fence(p).distance_m >= clearance_m - 1e-6 else None

    def check_segment(self, a: Point, b: Point, margin_m: float) -> Violation | None:
        """The first rule segment a–b breaks, keeping margin_m clear; None when allowed."""
        if not planar.segment_inside(a, b, self.operating_area, margin_m):
            return Violation("operating_area", "leaves")
        for name, poly in self.no_go:
            if not planar.segment_clear_of(a, b, poly, margin_m):
                return Violation(name, "enters")
        return None

    def check_track(self, track: Sequence[Point], margin_m: float) -> Violation | None:
        """The first rule a predicted polyline breaks (margin applies beyond its first point)."""
        for a, b in pairwise(track):
            found = self.check_segment(a, b, 0.0)
            if found is None and margin_m > 0:
                found = self._check_point(b, margin_m)
            if found is not None:
                return found
        return None

    def _check_point(self, p: Point, margin_m: float) -> Violation | None:
        if planar.distance_to_boundary(p, self.operating_area) < margin_m:
            return Violation("operating_area", "leaves")
        for name, poly in self.no_go:
            if planar.distance_to_boundary(p, poly) < margin_m:
                return Violation(name, "enters")
        return None

    def check_route(
        self, legs: Sequence[tuple[LatLon, LatLon]], margin_m: float
    ) -> Violation | None:
        """The first rule any leg of a route breaks (for route commands)."""
        for (lat1, lon1), (lat2, lon2) in legs:
            found = self.check_segment(
                self.frame.to_enu(lat1, lon1), self.frame.to_enu(lat2, lon2), margin_m
            )
            if found is not None:
                return found
        return None

    def path_to(self, start: Point, goal: Point, margin_m: float) -> list[Point] | None:
        """Shortest safe polyline start→goal (excluding start), around no-go zones."""
        return planar.shortest_path(
            start, goal, self.operating_area, [poly for _, poly in self.no_go], margin_m
        )
