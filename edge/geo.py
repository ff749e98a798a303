"""Geodesy helpers on the WGS-84 ellipsoid, good to centimetres over a lake or a road site.

Distances under a few kilometres are all the agents need, so a local tangent plane (east,
north) around a reference point is exact enough and far cheaper than full geodesics.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

WGS84_A_M = 6_378_137.0
WGS84_F = 1 / 298.257223563
WGS84_E2 = WGS84_F * (2 - WGS84_F)
MEAN_EARTH_RADIUS_M = 6_371_008.8


def _radii_m(lat_deg: float) -> tuple[float, float]:
    """Meridional and prime-vertical radii of curvature at a latitude."""
    s = math.sin(math.radians(lat_deg))
    w = math.sqrt(1 - WGS84_E2 * s * s)
    return WGS84_A_M * (1 - WGS84_E2) / (w**3), WGS84_A_M / w


@dataclass(frozen=True)
class LocalFrame:
    """A local east-north plane tangent to the ellipsoid at (lat0_deg, lon0_deg)."""

    lat0_deg: float
    lon0_deg: float

    def to_enu(self, lat_deg: float, lon_deg: float) -> tuple[float, float]:
        """(east_m, north_m) of a position relative to the origin."""
        m_r, n_r = _radii_m(self.lat0_deg)
        east = math.radians(lon_deg - self.lon0_deg) * n_r * math.cos(math.radians(self.lat0_deg))
        north = math.radians(lat_deg - self.lat0_deg) * m_r
        return east, north

    def to_geodetic(self, east_m: float, north_m: float) -> tuple[float, float]:
        """(lat_deg, lon_deg) of a point given in the local plane."""
        m_r, n_r = _radii_m(self.lat0_deg)
        lat = self.lat0_deg + math.degrees(north_m / m_r)
        lon = self.lon0_deg + math.degrees(east_m / (n_r * math.cos(math.radians(self.lat0_deg))))
        return lat, lon


def distance_bearing(
    lat1_deg: float, lon1_deg: float, lat2_deg: float, lon2_deg: float
) -> tuple[float, float]:
    """Great-circle distance (m) and initial bearing (degrees true, 0..360) from 1 to 2."""
    p1, p2 = math.radians(lat1_deg), math.radians(lat2_deg)
    dl = math.radians(lon2_deg - lon1_deg)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    distance = 2 * MEAN_EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))
    y = math.sin(dl) * math.cos(p2)
    x = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return distance, math.degrees(math.atan2(y, x)) % 360.0


def destination_point(
    lat_deg: float, lon_deg: float, bearing_deg: float, distance_m: float
) -> tuple[float, float]:
    """The position reached from a start point along a bearing (degrees true) after distance_m."""
    d = distance_m / MEAN_EARTH_RADIUS_M
    b = math.radians(bearing_deg)
    p1, l1 = math.radians(lat_deg), math.radians(lon_deg)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = l1 + math.atan2(
        math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2)
    )
    return math.degrees(p2), (math.degrees(l2) + 540.0) % 360.0 - 180.0


def wrap_deg(angle_deg: float) -> float:
    """An angle folded into (-180, 180]."""
    a = (angle_deg + 180.0) % 360.0 - 180.0
    return 180.0 if a == -180.0 else a


def point_in_polygon(x: float, y: float, polygon: list[tuple[float, float]]) -> bool:
    """Even-odd rule test of a point against a simple polygon given as (x, y) vertices."""
    inside = False
    n = len(polygon)
    for i in range(n):
        x1, y1 = polygon[i]
        x2, y2 = polygon[(i + 1) % n]
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside
