"""Station keeping: hold a point against current and wind with the bow into the drift.

A single-screw boat cannot push sideways, so it holds station the way a coxswain does: bow
into the drift (current + leeway), thrust to stem it, and small heading offsets to move
sideways. The drift ĉ is the estimator's (ground velocity minus modelled water velocity)
plus an integral of the position error (ĉ̇ = ki·offset) that absorbs what the model misses.
The water velocity to make good is w = v_d − ĉ with v_d = −kp·offset (limited): the bow
turns towards w within ±60° of into-the-drift, the thrust makes good w's component along
the bow, astern when w is behind, plus feedback on the ground velocity along the bow towards
v_d. So the boat never just stops and drifts, and passing over the point does not make it
turn circles. Arriving faster than loiter_max_speed_mps (a 'loiter here' from cruise), the
boat steers for the point and backs down to the v_d profile before turning into the drift.

Next to the geofence (`nearest`), within margin + wander allowance of a line now or where
the velocity takes the boat in the loop's time constant 1/kp: v_d closes the line at most
at kp·(clearance − margin), so inside the margin it heads out (`_keep_clear`); with the bow
within 60° of the line no thrust ahead is given (the boat backs off before it turns round,
the rudder reversed when making sternway). The navigator keeps the point itself margin +
`wander_allowance_m` clear.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from edge.geo import wrap_deg
from vessel.config import NavigationSection
from vessel.navigation.control import (
    HeadingController,
    HelmDemand,
    Stepped,
    clamp,
    thrust_for_speed,
)
from vessel.navigation.estimator import OwnState
from vessel.navigation.geofence import NearestFence
from vessel.navigation.planar import Point

_KNOWN_DRIFT_MPS = 0.08  # weaker drift gives no useful bow direction: then steer towards w
_MAX_OFF_DRIFT_DEG = 60.0  # widest heading offset from into-the-drift used to move sideways
_TURN_ERROR_DEG = 30.0  # heading error beyond which thrust is given to turn
_TURN_MIN_OFFSET_M = 1.0  # with no drift to speak of, do not turn for less than this
_SETTLED_SOG_MPS = 0.6
_ASTERN_DEG = 150.0  # w further than this from into-the-drift is astern
_STERNWAY_MPS = 0.1  # water speed astern beyond which the rudder's effect is reversed
_COMMIT_TURN_DEG = 150.0  # a heading error beyond this is turned the way it was first turned
# Near the fence no thrust ahead with the bow within 60° of it: ahead it would mostly close
# the fence. Measured on holds started 8-10 m from Huxin island (36 runs): allowing it up to
# 90° let the turn set the boat 8 m into the island; at 60° the closest was 2.7 m.
_BOW_TOWARDS_FENCE_COS = -0.5


def wander_allowance_m(cfg: NavigationSection) -> float:
    """How far the loiter may be from its point: loiter_max_speed / loiter_kp, the edge of the
    position loop's linear band. Beyond it the demand saturates at loiter speed, so the gains
    are chosen to hold well inside it (benchmarks/vessel_patrol.py: steady max 5 m in 0.3 m/s
    current and 6 m/s wind against 6.7 m with the shipped gains)."""
    return cfg.loiter_max_speed_mps / cfg.loiter_kp_per_s


class Loiter(Stepped):
    """Hold `point` (east, north metres)."""

    def __init__(self, cfg: NavigationSection, heading: HeadingController,
                 nearest: Callable[[Point], NearestFence] | None = None) -> None:
        super().__init__()
        self.cfg = cfg
        self.heading = heading
        self.nearest = nearest  # the geofence's nearest line (None: no fence to keep clear of)
        self.keeping_clear_of = ""  # the zone `_keep_clear` is steering away from, if any
        self.point: Point = (0.0, 0.0)
        self._trim: Point = (0.0, 0.0)  # the drift integral, east and north
        self._heading_demand: float | None = None
        self._turn_side = 0.0  # the way round a turn near 180° goes, kept until it is done

    def start(self, point: Point) -> None:
        """Begin holding `point`."""
        self.reset()
        self.point = point
        self._trim = (0.0, 0.0)
        self._heading_demand = None
        self._turn_side = 0.0
        self.heading.reset()

    def offset_m(self, state: OwnState) -> float:
        """Distance from the held point."""
        return math.dist(state.position, self.point)

    def update(self, state: OwnState) -> HelmDemand:
        """The helm demand that holds the point from this state."""
        cfg = self.cfg
        ox, oy = state.position[0] - self.point[0], state.position[1] - self.point[1]
        dt = self._step_s(state.t_s)
        # integrate only when holding (bow steady, slow): not through turns or an overshoot
        settled = (self._heading_demand is not None and state.sog_mps < _SETTLED_SOG_MPS
                   and abs(wrap_deg(self._heading_demand - state.heading_deg)) < _TURN_ERROR_DEG)
        ki_dt = cfg.loiter_ki_per_s2 * dt if settled else 0.0
        self._trim = _limit((self._trim[0] + ki_dt * ox, self._trim[1] + ki_dt * oy),
                            cfg.loiter_max_drift_mps)
        cx, cy = _limit((state.drift[0] + self._trim[0], state.drift[1] + self._trim[1]),
                        cfg.loiter_max_drift_mps)
        vx, vy = _limit((-cfg.loiter_kp_per_s * ox, -cfg.loiter_kp_per_s * oy),
                        cfg.loiter_max_speed_mps)
        fence = self._fence_near(state)
        if fence is not None:
            vx, vy = _keep_clear((vx, vy), fence, cfg)
        wx, wy = vx - cx, vy - cy
        distance = math.hypot(ox, oy)
        # Velocity feedback needs a measured velocity: a dead-reckoned one is the model's answer
        # to our own demand (and it brakes better than the boat does astern).
        measured = state.source == "gnss"
        # faster than station keeping ever asks: still arriving (from cruise, or an overshoot)
        arriving = measured and state.sog_mps > cfg.loiter_max_speed_mps
        towards_w = math.degrees(math.atan2(wx, wy)) % 360.0
        if arriving:
            # steer for the point while it is ahead, else keep the bow and back down: turning
            # round at speed into the drift swept the boat 6-8 m past the point
            ahead = abs(wrap_deg(towards_w - state.heading_deg)) <= 90.0
            self._heading_demand = towards_w if ahead else state.heading_deg
        # the bow goes into the observed drift; the integral only trims the position
        elif math.hypot(*state.drift) >= _KNOWN_DRIFT_MPS:
            into = math.degrees(math.atan2(-state.drift[0], -state.drift[1])) % 360.0
            off = wrap_deg(math.degrees(math.atan2(wx, wy)) - into)
            # w right astern: keep the bow up-drift and back down rather than turn round
            limit = _MAX_OFF_DRIFT_DEG
            off = 0.0 if abs(off) > _ASTERN_DEG else clamp(off, -limit, limit)
            self._heading_demand = (into + off) % 360.0
        elif distance > _TURN_MIN_OFFSET_M or self._heading_demand is None:
            self._heading_demand = towards_w if distance > _TURN_MIN_OFFSET_M else state.heading_deg
        h = math.radians(state.heading_deg)
        thrust = thrust_for_speed(wx * math.sin(h) + wy * math.cos(h), cfg.top_speed_mps)
        # feedback on the ground velocity along the bow: the approach follows the v_d profile
        # (kp·offset, at most loiter_max_speed) instead of gliding on. Arriving, full astern
        # for a whole loiter speed too fast; holding, the speed controller's gain.
        gain = (1.0 / cfg.loiter_max_speed_mps if arriving else cfg.speed_kp_per_mps
                if measured else 0.0)
        ex, ey = vx - state.velocity[0], vy - state.velocity[1]
        thrust += gain * (ex * math.sin(h) + ey * math.cos(h))
        turning = abs(wrap_deg(self._heading_demand - state.heading_deg)) > _TURN_ERROR_DEG
        if fence is not None and math.sin(h) * fence.away[0] + math.cos(h) * fence.away[1] \
                < _BOW_TOWARDS_FENCE_COS:
            # back off (the stern is away from the line), at least hard enough for the rudder
            # to bite: with no thrust the bow stayed on the line and the drift set the boat in
            thrust = min(thrust, -cfg.loiter_turn_thrust)
        elif turning and not arriving:
            thrust = max(thrust, cfg.loiter_turn_thrust)  # a rudder without flow does not turn
        rudder = self.heading.update(state.t_s, state.heading_deg, state.yaw_rate_dps,
                                     self._steer_demand(state.heading_deg))
        # making sternway the rudder works the other way round (backing out of the margin)
        surge = ((state.velocity[0] - state.drift[0]) * math.sin(h)
                 + (state.velocity[1] - state.drift[1]) * math.cos(h))
        if fence is not None and surge < -_STERNWAY_MPS:
            rudder = -rudder
        return HelmDemand(clamp(thrust, -1.0, 1.0), rudder)

    def _steer_demand(self, heading_deg: float) -> float:
        """The heading demand, but a turn of nearly 180° keeps going the way it started: noise
        flipped the shorter way each step and the rudder chattered with the bow still put."""
        assert self._heading_demand is not None
        error = wrap_deg(self._heading_demand - heading_deg)
        if abs(error) < _COMMIT_TURN_DEG:
            self._turn_side = 0.0
            return self._heading_demand
        self._turn_side = self._turn_side or math.copysign(1.0, error)
        return (heading_deg + self._turn_side * 90.0) % 360.0

    def _fence_near(self, state: OwnState) -> NearestFence | None:
        """The nearest fence line when the boat is within margin + wander allowance of it now
        or where its velocity takes it in the loop's time constant (1/kp); else None."""
        self.keeping_clear_of = ""
        if self.nearest is None:
            return None
        (px, py), (ux, uy) = state.position, state.velocity
        lead_s = 1.0 / self.cfg.loiter_kp_per_s
        near = min(self.nearest(state.position), self.nearest((px + ux * lead_s, py + uy * lead_s)),
                   key=lambda n: n.distance_m)
        if near.distance_m >= self.cfg.geofence_margin_m + wander_allowance_m(self.cfg):
            return None
        if near.distance_m < self.cfg.geofence_margin_m:
            self.keeping_clear_of = near.zone
        return near


def _keep_clear(v: Point, fence: NearestFence, cfg: NavigationSection) -> Point:
    """v with at least kp·(margin − clearance) of it away from the fence line (at most loiter
    speed): towards the line at most at the rate that brings it to rest at the margin, and
    inside the margin out again at the loop's own rate."""
    nx, ny = fence.away
    floor = min(cfg.loiter_kp_per_s * (cfg.geofence_margin_m - fence.distance_m),
                cfg.loiter_max_speed_mps)
    along = v[0] * nx + v[1] * ny
    if along >= floor:
        return v
    return v[0] + (floor - along) * nx, v[1] + (floor - along) * ny


def _limit(v: Point, magnitude: float) -> Point:
    norm = math.hypot(*v)
    return v if norm <= magnitude else (v[0] * magnitude / norm, v[1] * magnitude / norm)
