"""The track the route guidance will steer from here: what the geofence guard checks.

A straight line at the current velocity is not what a boat following a route does: near a
waypoint it turns for the next leg, and off the line the LOS intercept course turns it back.
Near a no-go zone the straight line broke the margin where the guided track did not, so the
guard held, resumed, and held again without end. Here the same guidance (LOS on the legs,
the navigator's leg switching and wheel-over) is run forward on the dead-reckoning model:
first-order Nomoto yaw at full helm beyond the heading error the controller saturates at,
water speed relaxing to the demanded speed, plus the estimated drift. The rudder's authority
grows with the flow past it, so the yaw rate at full helm is taken in proportion to the water
speed (the model's rate at top speed; a constant turning radius, as for a ship, Fossen 2011
§7.2): at 2 m/s the simulated boat turns at 0.23 rad/s, not the model's 0.3, and a U-turn
predicted at 0.3 was tight enough to pass where the real one reached into the margin.

Reversals (turns sharper than _REVERSAL_DEG) have no preferred side; `turn_side` (+1
starboard, −1 port, 0 the shorter way) says which way the navigator will put the helm over.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from edge.geo import wrap_deg
from vessel.navigation.control import clamp
from vessel.navigation.guidance import bearing_deg, leg_geometry, wheel_over_m
from vessel.navigation.planar import Point

_STEP_S = 0.5  # integration step: a 2 m/s boat turning at 17°/s moves 1 m per step
_POINT_EVERY = 2  # one track point a second: chords of the turn stay within 0.1 m of the arc
_REVERSAL_DEG = 150.0  # beyond this heading error the turn's side is chosen, not the shorter


@dataclass(frozen=True)
class Leg:
    """One straight piece the guidance will follow; `wheel_over` when its corner is anticipated."""

    a: Point
    b: Point
    wheel_over: bool = False


@dataclass(frozen=True)
class BoatModel:
    """The dead-reckoning model and guidance gains the prediction runs on."""

    lookahead_m: float
    acceptance_radius_m: float
    full_helm_error_deg: float  # heading error at which the controller's rudder saturates
    turn_rate_rad_s: float  # yaw rate at full helm and top speed
    top_speed_mps: float
    yaw_lag_s: float
    surge_lag_s: float


@dataclass(frozen=True)
class Start:
    """Where the prediction starts: the estimated state and the crab the navigator applies."""

    position: Point
    heading_deg: float
    yaw_rate_dps: float
    velocity: Point
    drift: Point
    crab_deg: float  # the navigator's heading demand is the LOS course minus this


def steer_side(error_deg: float, turn_side: int) -> float:
    """The heading error to steer on: a reversal is turned the chosen way round."""
    if turn_side and abs(error_deg) > _REVERSAL_DEG and math.copysign(1, error_deg) != turn_side:
        return error_deg + 360.0 * turn_side
    return error_deg


def guided_track(start: Start, legs: Sequence[Leg], speed_mps: float, horizon_s: float,
                 model: BoatModel, turn_side: int = 0) -> list[Point]:
    """Positions a second apart over horizon_s (fewer when the last leg ends: the boat holds
    there), starting at the start position."""
    x, y = start.position
    psi, r_dps = start.heading_deg, start.yaw_rate_dps
    h = math.radians(psi)
    u = max(0.0, (start.velocity[0] - start.drift[0]) * math.sin(h)
            + (start.velocity[1] - start.drift[1]) * math.cos(h))
    track = [start.position]
    i = 0
    yaw_a = min(1.0, _STEP_S / model.yaw_lag_s)
    surge_a = min(1.0, _STEP_S / model.surge_lag_s)
    for k in range(round(horizon_s / _STEP_S)):
        while i < len(legs) and _reached((x, y), legs, i, math.hypot(*_ground(u, psi, start)),
                                         model):
            i += 1
        if i == len(legs):
            break
        g = leg_geometry((x, y), legs[i].a, legs[i].b)
        course = g.bearing_deg - math.degrees(math.atan2(g.cross_m, model.lookahead_m))
        error = steer_side(wrap_deg(course - start.crab_deg - psi), turn_side)
        rudder = clamp(error / model.full_helm_error_deg, -1.0, 1.0)
        authority = min(1.0, u / model.top_speed_mps)
        r_dps += yaw_a * (math.degrees(model.turn_rate_rad_s * authority * rudder) - r_dps)
        psi += r_dps * _STEP_S
        u += surge_a * (speed_mps - u)
        vx, vy = _ground(u, psi, start)
        x, y = x + vx * _STEP_S, y + vy * _STEP_S
        if k % _POINT_EVERY == _POINT_EVERY - 1:
            track.append((x, y))
    if track[-1] != (x, y):
        track.append((x, y))
    return track


def _ground(u: float, psi_deg: float, start: Start) -> Point:
    h = math.radians(psi_deg)
    return u * math.sin(h) + start.drift[0], u * math.cos(h) + start.drift[1]


def _reached(p: Point, legs: Sequence[Leg], i: int, sog_mps: float, model: BoatModel) -> bool:
    """The navigator's test for going on to the next leg (acceptance circle or wheel-over)."""
    leg = legs[i]
    g = leg_geometry(p, leg.a, leg.b)
    if math.dist(p, leg.b) <= model.acceptance_radius_m or g.remaining_m <= 0:
        return True
    if not leg.wheel_over or i + 1 == len(legs) or abs(g.cross_m) > model.acceptance_radius_m:
        return False
    nxt = legs[i + 1]
    turn = wrap_deg(bearing_deg(nxt.a, nxt.b) - g.bearing_deg)
    wheel_over = wheel_over_m(turn, sog_mps, model.turn_rate_rad_s, model.yaw_lag_s)
    return g.remaining_m <= min(wheel_over, g.length_m / 2)
