"""Keep-in (operating area) and keep-out (no-go) polygons, checked on segments and tracks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from edge.geo import LocalFrame
from vessel.navigation import planar
from vessel.navigation.planar import Point

LatLon = tuple[float, float]


@dataclass(frozen=True)
class Violation:
    """Why a segment or track is not allowed."""

    zone: str  # "operating_area" or the no-go zone's name
    reason: str  # "leaves" or "enters"

    def __str__(self) -> str:
        return f"{self.reason} {self.zone}"


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
