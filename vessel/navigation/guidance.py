"""Line-of-sight path following with integral cross-track correction.

Course demand χ_d = α − atan((e + σ·y_int) / Δ), with α the leg's direction, e the
cross-track error (positive to starboard of the leg), Δ the lookahead and y_int the ILOS
integral ẏ_int = Δ·e / ((e + σ·y_int)² + Δ²) (Børhaug, Pavlov & Pettersen 2008; Fossen 2011
§10.3.2). The integral is bounded by its own form, so it does not wind up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from vessel.navigation.control import Stepped
from vessel.navigation.planar import Point

_MAX_ANTICIPATED_TURN_DEG = 120.0


@dataclass(frozen=True)
class LegGeometry:
    """Where the boat is relative to a leg a→b."""

    along_m: float  # distance travelled along the leg from a
    cross_m: float  # signed cross-track error, + = starboard of the leg's direction
    length_m: float
    bearing_deg: float  # direction of the leg, degrees true

    @property
    def remaining_m(self) -> float:
        """Along-track distance still to go to b."""
        return self.length_m - self.along_m


def bearing_deg(a: Point, b: Point) -> float:
    """Direction from a to b, degrees true (0 when they coincide)."""
    return math.degrees(math.atan2(b[0] - a[0], b[1] - a[1])) % 360.0


def leg_geometry(p: Point, a: Point, b: Point) -> LegGeometry:
    """Project p onto the leg a→b (east/north metres)."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = math.hypot(dx, dy)
    if length == 0:
        return LegGeometry(0.0, 0.0, 0.0, 0.0)
    ux, uy = dx / length, dy / length
    px, py = p[0] - a[0], p[1] - a[1]
    along = px * ux + py * uy
    cross = px * uy - py * ux  # right of the direction of travel is positive
    return LegGeometry(along, cross, length, bearing_deg(a, b))


def wheel_over_m(turn_deg: float, speed_mps: float, turn_rate_rad_s: float,
                 yaw_lag_s: float) -> float:
    """How far before a waypoint to put the helm over for the next leg (the wheel-over point).

    The wheel-over point of passage planning (IMO Res. A.893(21), Guidelines for voyage
    planning, asks for wheel-over positions on the plan; constructed as a constant-radius turn,
    e.g. knowledgeofsea.com "Constant radius turn"): a turn of Δ at radius R = u / ROT leaves
    the old course the tangent distance R·tan(Δ/2) before the waypoint, and the helm goes over
    a reaction distance earlier, here the advance u·T run while the yaw rate builds up
    (first-order Nomoto lag T). Turns sharper than _MAX_ANTICIPATED_TURN_DEG get 0 (only the
    acceptance circle): tan(Δ/2) runs away towards a reversal, which has no tangent point, and
    leaving an out-and-back leg 15+ m early swung the U-turn wide (into a no-go zone's margin).
    """
    if speed_mps <= 0 or turn_rate_rad_s <= 0 or abs(turn_deg) > _MAX_ANTICIPATED_TURN_DEG:
        return 0.0
    half = math.radians(abs(turn_deg)) / 2
    return speed_mps / turn_rate_rad_s * math.tan(half) + speed_mps * yaw_lag_s


class LineOfSight(Stepped):
    """Integral LOS course demand for the current leg (reset on a new leg or mode)."""

    def __init__(self, lookahead_m: float, integral_gain: float) -> None:
        super().__init__()
        self.lookahead_m = lookahead_m
        self.sigma = integral_gain

    def course_deg(self, t_s: float, geom: LegGeometry) -> float:
        """Course over ground to steer, degrees true."""
        delta = self.lookahead_m
        dt = self._step_s(t_s)
        e_eff = geom.cross_m + self.sigma * self._integral
        if self.sigma and abs(geom.cross_m) < 2 * delta:  # integrate only near the line
            self._integral += dt * delta * geom.cross_m / (e_eff * e_eff + delta * delta)
            e_eff = geom.cross_m + self.sigma * self._integral
        return (geom.bearing_deg - math.degrees(math.atan2(e_eff, delta))) % 360.0
