"""Patrol routes: waypoints from config, GPX (OpenCPN, GPS units) or GeoJSON (QGIS, geojson.io).

A route is a frozen list of WGS-84 waypoints and a pattern: `loop` runs 0→1→…→n−1→0→…,
`out-and-back` runs 0→…→n−1→…→0→…. Legs are numbered along that endless sequence.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from vessel.errors import VesselError

LatLon = tuple[float, float]
Pattern = Literal["loop", "out-and-back"]


class RouteError(VesselError):
    """A route file or route command cannot be used."""


@dataclass(frozen=True)
class Route:
    """Waypoints (lat, lon) and how to run them."""

    waypoints: tuple[LatLon, ...]
    pattern: Pattern = "loop"

    def __post_init__(self) -> None:
        if len(self.waypoints) < 2:
            raise RouteError("a route needs at least 2 waypoints")
        for lat, lon in self.waypoints:
            if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
                raise RouteError(f"waypoint ({lat}, {lon}) is not a WGS-84 position")

    @property
    def legs_per_lap(self) -> int:
        """Legs in one full lap (a loop closes back to the first waypoint)."""
        n = len(self.waypoints)
        return n if self.pattern == "loop" else 2 * (n - 1)

    def leg(self, index: int) -> tuple[int, int]:
        """Waypoint indices (from, to) of leg number `index` (0, 1, 2, … forever)."""
        n = len(self.waypoints)
        if self.pattern == "loop":
            return index % n, (index + 1) % n
        cycle = [*range(n), *range(n - 2, 0, -1)]  # 0..n-1..1
        k = index % len(cycle)
        return cycle[k], cycle[(k + 1) % len(cycle)]

    def distinct_legs(self) -> list[tuple[LatLon, LatLon]]:
        """Every leg of one lap as (from, to) positions."""
        return [
            (self.waypoints[a], self.waypoints[b])
            for a, b in (self.leg(i) for i in range(self.legs_per_lap))
        ]


def load_route_file(path: Path) -> tuple[LatLon, ...]:
    """Waypoints from a .gpx (rte/rtept, else trk/trkpt, else wpt) or .geojson/.json file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RouteError(f"{path}: cannot read route file ({exc.strerror})") from exc
    suffix = path.suffix.lower()
    if suffix == ".gpx":
        return parse_gpx(text, str(path))
    if suffix in (".geojson", ".json"):
        return parse_geojson(text, str(path))
    raise RouteError(f"{path}: unknown route file type {suffix!r} (use .gpx or .geojson)")


def parse_gpx(text: str, name: str = "gpx") -> tuple[LatLon, ...]:
    """Waypoints of the first route in a GPX 1.0/1.1 document (or its first track, or its wpts)."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise RouteError(f"{name}: not valid GPX XML ({exc})") from exc
    ns = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    for parents, leaf in ((("rte",), "rtept"), (("trk", "trkseg"), "trkpt"), ((), "wpt")):
        parent: ET.Element | None = root
        for tag in parents:  # the first route / track segment only
            parent = parent.find(ns + tag) if parent is not None else None
        points = [] if parent is None else parent.findall(ns + leaf)
        if points:
            return tuple(_gpx_point(el, name) for el in points)
    raise RouteError(f"{name}: no rtept, trkpt or wpt elements")


def _gpx_point(el: ET.Element, name: str) -> LatLon:
    try:
        return float(el.attrib["lat"]), float(el.attrib["lon"])
    except (KeyError, ValueError) as exc:
        raise RouteError(f"{name}: a point without a valid lat/lon ({el.attrib})") from exc


def parse_geojson(text: str, name: str = "geojson") -> tuple[LatLon, ...]:
    """Waypoints of the first LineString (or all Points, in order) of a GeoJSON document."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RouteError(f"{name}: not valid JSON ({exc.msg})") from exc
    geometries = list(_geometries(doc))
    for geom in geometries:
        if geom.get("type") == "LineString":
            return tuple(_lonlat(c, name) for c in geom.get("coordinates", ()))
    points = [_lonlat(g.get("coordinates"), name) for g in geometries if g.get("type") == "Point"]
    if points:
        return tuple(points)
    raise RouteError(f"{name}: no LineString or Point geometry")


def _geometries(doc: Any) -> list[dict[str, Any]]:
    if not isinstance(doc, dict):
        return []
    kind = doc.get("type")
    if kind == "FeatureCollection":
        return [g for f in doc.get("features") or () for g in _geometries(f)]
    if kind == "Feature":
        return _geometries(doc.get("geometry"))
    if kind == "GeometryCollection":
        return [g for sub in doc.get("geometries") or () for g in _geometries(sub)]
    return [doc] if isinstance(kind, str) else []


def _lonlat(coords: Any, name: str) -> LatLon:
    # GeoJSON (RFC 7946 §3.1.1) orders positions longitude first.
    try:
        lon, lat = float(coords[0]), float(coords[1])
    except (TypeError, ValueError, IndexError) as exc:
        raise RouteError(f"{name}: bad position {coords!r}") from exc
    return lat, lon
