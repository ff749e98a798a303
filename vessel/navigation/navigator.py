"""The navigation core: modes, route following, station keeping, geofence and failsafes.

Pure: no clock, no I/O. The caller feeds GNSS epochs and reports (obstacles, broker link,
battery) with its own monotonic time `t_s`, and calls `step(t_s)` at the helm command rate to
get the helm demand and a status. The same object runs in the agent and in the simulator.

Priority of what the boat does, highest first:
  1. no position ever → neutral;
  2. predicted track breaks the geofence → hold the last clear position (loiter); following a
     route or path, the prediction is the track the guidance will steer (`prediction`), turns
     included, and a reversal is turned the way round whose track is clear;
  3. GNSS lost/degraded (auto, loiter, return-home) → loiter on dead reckoning or stop;
  4. obstacle ahead within range (all but manual) → stop (propeller neutral) and wait;
  5. the requested mode. Battery low and broker link lost switch the mode to return-home.

Every hold loiters at a point kept clear of the fence by the margin plus the loiter's wander
allowance (moved out along the nearest line's normal when it is not, with an event), and the
loiter itself steers out of the margin (`loiter`); a commanded loiter point inside the margin
is refused.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, Literal, get_args

from edge.geo import LocalFrame, wrap_deg
from vessel.config import VesselConfig
from vessel.errors import VesselError
from vessel.gnss.fix import Fix
from vessel.navigation.control import NEUTRAL, HeadingController, HelmDemand, SpeedController, clamp
from vessel.navigation.estimator import Estimator, OwnState, fix_problem
from vessel.navigation.geofence import Geofence, Violation
from vessel.navigation.guidance import (
    LegGeometry,
    LineOfSight,
    bearing_deg,
    leg_geometry,
    wheel_over_m,
)
from vessel.navigation.loiter import Loiter, wander_allowance_m
from vessel.navigation.planar import Point
from vessel.navigation.prediction import BoatModel, Leg, Start, guided_track, steer_side
from vessel.navigation.route import LatLon, Route, load_route_file

Mode = Literal["manual", "hold", "loiter", "auto", "return_home"]
MODES: tuple[str, ...] = get_args(Mode)
_GEOFENCE_CLEAR_S = 10.0  # stay held this long after the predicted track is clear again
_MIN_SOG_FOR_CRAB_MPS = 0.8
_MARGIN_REGAIN_M = 0.5  # inside the margin, the predicted track may come this much closer


class NavigationRefused(VesselError):
    """A command was refused (it would leave the operating area, or makes no sense now)."""


@dataclass(frozen=True)
class NavStatus:
    """What the navigator is doing and why (published in health and with the track)."""

    t_s: float
    mode: Mode  # what was asked for
    behaviour: str  # what is being done: manual, stop, loiter, auto, return_home, neutral
    reasons: tuple[str, ...]  # active overrides and failsafes
    lat: float | None
    lon: float | None
    heading_deg: float | None
    sog_mps: float | None
    position_source: str  # gnss, dr or none
    leg: int  # route leg index (counts on forever)
    lap: int
    target: LatLon | None
    cross_track_m: float | None
    distance_to_target_m: float | None
    loiter_offset_m: float | None
    demand: HelmDemand

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form."""
        d = dict(self.__dict__)
        d["reasons"] = list(self.reasons)
        d["target"] = list(self.target) if self.target else None
        d["demand"] = {"thrust": self.demand.thrust, "rudder": self.demand.rudder}
        return d


@dataclass(frozen=True)
class NavOutput:
    """The result of one step."""

    demand: HelmDemand
    status: NavStatus
    events: tuple[str, ...] = field(default=())


def _zone_label(zone: str) -> str:
    return "the operating area" if zone == "operating_area" else zone


def route_from_config(cfg: VesselConfig) -> Route:
    """The configured patrol route (inline waypoints or its GPX/GeoJSON file)."""
    waypoints = load_route_file(cfg.route.file) if cfg.route.file else cfg.route.waypoints
    return Route(tuple((float(a), float(b)) for a, b in waypoints), cfg.route.pattern)


def geofence_from_config(cfg: VesselConfig, frame: LocalFrame) -> Geofence:
    """The configured geofence projected into the navigation frame."""
    return Geofence.from_latlon(
        frame, cfg.geofence.operating_area, [(z.name, z.polygon) for z in cfg.geofence.no_go]
    )


class Navigator:
    """Modes, guidance, control, geofence and failsafes in one pure state machine."""

    def __init__(self, cfg: VesselConfig, route: Route | None = None, mode: Mode = "auto") -> None:
        self.cfg = cfg
        self.nav = cfg.navigation
        self.fs = cfg.failsafe
        self.frame = LocalFrame(cfg.home.lat, cfg.home.lon)
        self.home: Point = (0.0, 0.0)
        self.geofence = geofence_from_config(cfg, self.frame)
        self.route = route or route_from_config(cfg)
        self._check_route(self.route, self.geofence)
        self.cruise_speed_mps = cfg.route.cruise_speed_mps
        self.estimator = Estimator(self.frame, self.nav)
        self.heading = HeadingController(self.nav)
        self.speed = SpeedController(self.nav)
        self.los = LineOfSight(self.nav.lookahead_m, self.nav.los_integral_gain)
        self.loiter = Loiter(self.nav, self.heading,
                             lambda p: self.geofence.nearest_fence(p))  # follows set_geofence
        self.boat_model = BoatModel(
            self.nav.lookahead_m, cfg.route.acceptance_radius_m, 1.0 / self.nav.heading_kp_per_deg,
            self.nav.dr_yaw_gain_per_s, self.nav.top_speed_mps, self.nav.dr_yaw_time_constant_s,
            self.nav.dr_surge_time_constant_s)
        self.mode: Mode = mode
        self._events: list[str] = []
        # route following
        self.leg = 0
        self._path: list[Point] = []  # join / return-home polyline still to run before the route
        self._path_from: Point | None = None
        self._crab_deg = 0.0
        self._turn_side = 0  # which way round reversals go (+1 starboard, -1 port, 0 shorter)
        # loiter target and what set it
        self._loiter_point: Point | None = None
        self._loiter_owner = ""
        self._hold_moved_from = ""  # the zone the current hold point was moved clear of
        # inputs
        self._fix_t: float | None = None
        self._last_fix_time: Any = None
        self._last_fix: Fix | None = None
        self._good_since: float | None = None
        self._gnss_lost_at: float | None = None
        self._manual: tuple[float, HelmDemand] | None = None
        self._obstacle_until = -math.inf
        self._link_down_since: float | None = None
        self._link_tripped = False
        self._battery_tripped = False
        self._geofence_until = -math.inf
        self._geofence_reason = ""
        self._behaviour = ""
        self._geom: LegGeometry | None = None
        self._target: Point | None = None

    # ---- commands ---------------------------------------------------------------------

    def set_mode(self, mode: str, t_s: float, point: LatLon | None = None) -> None:
        """Switch mode (remote command); `point` is the loiter position (default: here)."""
        if mode not in MODES:
            raise NavigationRefused(f"unknown mode {mode!r} (one of {', '.join(MODES)})")
        if point is not None:
            if mode != "loiter":
                raise NavigationRefused("a position is only taken with mode loiter")
            p = self.frame.to_enu(*point)
            self._check_loiter_point(point, p)
            self._loiter_point = p
        elif mode == "loiter":
            self._loiter_point = None  # the position when loiter starts
        if mode == "return_home":
            self._plan_home()
        if mode == "auto" and self.mode != "auto":
            self._plan_join()
        self._events.append(f"mode {self.mode} -> {mode}")
        self._loiter_owner = ""
        self.mode = mode  # type: ignore[assignment]
        self._battery_tripped = self._battery_tripped and mode == "return_home"
        self._reset_controllers()

    def set_route(self, route: Route, t_s: float) -> None:
        """Replace the patrol route (refused when a leg leaves the operating area)."""
        self._check_route(route, self.geofence)
        self.route = route
        self.leg = 0
        self._plan_join()
        self._events.append(f"route replaced ({len(route.waypoints)} waypoints, {route.pattern})")

    def set_cruise_speed(self, speed_mps: float) -> None:
        """Change the patrol speed."""
        if not 0 < speed_mps <= self.nav.top_speed_mps:
            raise NavigationRefused(
                f"cruise speed {speed_mps} m/s is not in (0, {self.nav.top_speed_mps}]")
        self.cruise_speed_mps = speed_mps

    def set_geofence(self, operating_area: Sequence[LatLon],
                     no_go: Sequence[tuple[str, Sequence[LatLon]]]) -> None:
        """Replace the geofence (refused when the route, home or the boat would be outside it)."""
        fence = Geofence.from_latlon(self.frame, operating_area, no_go)
        self._check_route(self.route, fence)
        if not fence.contains(self.home):
            raise NavigationRefused("home would be outside the new geofence")
        state = self.estimator.state
        if state is not None and not fence.contains(state.position):
            raise NavigationRefused("the boat would be outside the new geofence")
        self.geofence = fence
        self._events.append("geofence replaced")

    def set_manual(self, t_s: float, thrust: float, rudder: float) -> None:
        """A manual helm demand (used in manual mode; expires after navigation.manual_timeout_s)."""
        self._manual = (t_s, HelmDemand(clamp(thrust, -1, 1), clamp(rudder, -1, 1)))

    def _check_loiter_point(self, point: LatLon, p: Point) -> None:
        near = self.geofence.nearest_fence(p)
        zone = _zone_label(near.zone)
        if near.distance_m < 0:
            where = "outside" if near.zone == "operating_area" else "inside"
            raise NavigationRefused(f"loiter point {point} is {where} {zone}")
        margin = self.nav.geofence_margin_m
        if near.distance_m < margin:
            raise NavigationRefused(
                f"loiter point {point} is {near.distance_m:.1f} m from the edge of {zone}, "
                f"inside the {margin:g} m geofence margin")

    def _check_route(self, route: Route, fence: Geofence) -> None:
        found = fence.check_route(route.distinct_legs(), self.nav.geofence_margin_m)
        if found is not None:
            raise NavigationRefused(f"route refused: a leg {found}")

    # ---- inputs -----------------------------------------------------------------------

    def feed_fix(self, t_s: float, fix: Fix) -> None:
        """A GNSS epoch received at t_s (stale repeats of the same epoch are ignored)."""
        stamp = fix.time or fix.time_of_day_s
        if stamp is not None and stamp == self._last_fix_time and fix == self._last_fix:
            return  # a frozen receiver repeats itself: that is not a new fix
        self._last_fix_time, self._last_fix = stamp, fix
        if fix_problem(fix, self.cfg.gnss) is not None:
            self._good_since = None
            return
        if self._good_since is None:
            self._good_since = t_s
        self._fix_t = t_s
        self.estimator.feed_fix(t_s, fix)

    def report_obstacle(self, t_s: float, range_m: float, bearing_deg: float) -> None:
        """Vision sees something at range_m, bearing_deg from the bow (+ starboard)."""
        ahead = abs(wrap_deg(bearing_deg)) <= self.fs.obstacle_sector_deg
        if ahead and range_m <= self.fs.obstacle_stop_range_m:
            if t_s >= self._obstacle_until:
                self._events.append(f"obstacle {range_m:.0f} m ahead: stop")
            self._obstacle_until = t_s + self.fs.obstacle_clear_s

    def report_link(self, t_s: float, connected: bool) -> None:
        """State of the link to the central broker."""
        if connected:
            self._link_down_since = None
            self._link_tripped = False
        elif self._link_down_since is None:
            self._link_down_since = t_s

    def report_battery(self, t_s: float, percent: float) -> None:
        """Battery state of charge."""
        if percent <= self.fs.battery_low_pct and not self._battery_tripped:
            self._battery_tripped = True
            self._events.append(f"failsafe battery_low ({percent:.0f} %): return home")
            if self.mode != "return_home":
                self.mode = "return_home"
                self._plan_home()
        elif percent > self.fs.battery_low_pct + 5.0:
            self._battery_tripped = False

    # ---- the step ---------------------------------------------------------------------

    def step(self, t_s: float) -> NavOutput:
        """The helm demand and status at t_s."""
        reasons: list[str] = []
        self._link_failsafe(t_s)
        state = self._state(t_s, reasons)
        demand = self._decide(t_s, state, reasons)
        if self._behaviour == "loiter":
            if self._hold_moved_from:
                reasons.append(f"hold point moved clear of {self._hold_moved_from}")
            if self.loiter.keeping_clear_of:
                reasons.append(f"loiter keeping clear of {self.loiter.keeping_clear_of}")
        self.estimator.set_demand(demand)
        events = tuple(self._events)
        self._events.clear()
        return NavOutput(demand, self._status(t_s, state, demand, reasons), events)

    def _state(self, t_s: float, reasons: list[str]) -> OwnState | None:
        gnss_ok = self._fix_t is not None and t_s - self._fix_t <= self.cfg.gnss.max_fix_age_s
        if gnss_ok:
            if self._gnss_lost_at is not None:
                assert self._good_since is not None
                if t_s - self._good_since >= self.fs.gnss_restore_s:
                    self._gnss_restored(t_s)
                else:
                    reasons.append("gnss_restoring")
            return self.estimator.state
        if self.estimator.state is None:
            return None
        if self._gnss_lost_at is None:
            self._gnss_lost_at = t_s
            self._events.append(f"failsafe gnss_lost: {self.fs.gnss_lost_action}")
        reasons.append("gnss_lost")
        return self.estimator.dead_reckon(t_s)

    def _gnss_restored(self, t_s: float) -> None:
        self._gnss_lost_at = None
        if self._loiter_owner == "gnss":
            self._loiter_owner = ""
        action = self.fs.gnss_restored_action
        self._events.append(f"gnss restored: {action}")
        if action == "return_home" and self.mode in ("auto", "loiter"):
            self.mode = "return_home"
            self._plan_home()
        self._reset_controllers()

    def _link_failsafe(self, t_s: float) -> None:
        if (self._link_down_since is None or self._link_tripped
                or t_s - self._link_down_since < self.fs.link_lost_after_s):
            return
        self._link_tripped = True
        self._events.append(f"failsafe link_lost: {self.fs.link_lost_action}")
        if self.fs.link_lost_action == "return_home" and self.mode not in ("return_home", "manual"):
            self.mode = "return_home"
            self._plan_home()

    def _decide(self, t_s: float, state: OwnState | None, reasons: list[str]) -> HelmDemand:
        if state is None:
            self._behaviour = "neutral"
            reasons.append("no_position")
            return NEUTRAL
        if self._geofence_guard(t_s, state, reasons):
            return self._hold(state, "geofence", state.position)
        if self._gnss_lost_at is not None and self.mode in ("auto", "loiter", "return_home"):
            too_long = t_s - self._gnss_lost_at > self.fs.gnss_dr_max_s
            if self.fs.gnss_lost_action == "stop" or too_long:
                self._behaviour = "stop"
                return NEUTRAL
            keep = self._loiter_owner in ("mode", "home", "gnss")
            return self._hold(state, "gnss", self.loiter.point if keep else self._stop_point(state))
        if t_s < self._obstacle_until and self.mode != "manual":
            reasons.append("obstacle")
            self._behaviour = "stop"
            return NEUTRAL
        self._behaviour = self.mode
        if self.mode == "manual":
            if self._manual is None or t_s - self._manual[0] > self.nav.manual_timeout_s:
                reasons.append("manual_timeout")
                return NEUTRAL
            return self._manual[1]
        if self.mode == "hold":
            return NEUTRAL
        if self.mode == "loiter":
            if self._loiter_point is None:
                self._loiter_point = self._stop_point(state)
            demand = self._hold(state, "mode", self._loiter_point)
            self._loiter_point = self.loiter.point  # moved clear once, not on every restart
            return demand
        return self._follow(t_s, state)

    def _geofence_guard(self, t_s: float, state: OwnState, reasons: list[str]) -> bool:
        legs = self._guided_legs(t_s)
        found = (self._check_straight(state) if legs is None
                 else self._check_guided(state, legs))
        if found is not None:
            if t_s >= self._geofence_until:
                self._events.append(f"geofence: predicted track {found}: hold")
            self._geofence_until = t_s + _GEOFENCE_CLEAR_S
            self._geofence_reason = str(found)
        if t_s < self._geofence_until:
            reasons.append(f"geofence: {self._geofence_reason}")
            return True
        if self._loiter_owner == "geofence":
            self._loiter_owner = ""
        return False

    def _check_straight(self, state: OwnState) -> Violation | None:
        """Not steered along a path (loiter, manual, stopped): the track at today's velocity."""
        horizon = self.nav.geofence_horizon_s
        target = self._target if self.mode in ("auto", "return_home") else None
        if target is not None and state.sog_mps > 0.3:
            # beyond the next waypoint the boat turns onto a leg that was checked already
            horizon = min(horizon, math.dist(state.position, target) / state.sog_mps + 3.0)
        p, v = state.position, state.velocity
        if self._loiter_owner == "geofence" and math.hypot(*v) < 0.3:  # holding still: clear
            return None
        track = [(p[0] + v[0] * horizon * k / 4, p[1] + v[1] * horizon * k / 4) for k in range(5)]
        return self.geofence.check_track(track, self.nav.geofence_margin_m)

    def _check_guided(self, state: OwnState, legs: list[Leg]) -> Violation | None:
        """The track the guidance will steer (also from a hold: it is what resuming does); a
        reversal whose track breaks the fence one way round is turned the other way."""
        found = self._check_side(state, legs, self._turn_side)
        if found is None:
            return None
        for side in (1, -1):
            if side != self._turn_side and self._check_side(state, legs, side) is None:
                self._turn_side = side
                return None
        return found

    def _check_side(self, state: OwnState, legs: list[Leg], side: int) -> Violation | None:
        speed = (self.nav.return_home_speed_mps if self.mode == "return_home"
                 else self.cruise_speed_mps)
        start = Start(state.position, state.heading_deg, state.yaw_rate_dps, state.velocity,
                      state.drift, self._crab_deg)
        track = guided_track(start, legs, speed, self.nav.geofence_horizon_s, self.boat_model,
                             side)
        # Already inside the margin (a gust, a loiter held next to it): the track may not come
        # closer than now, so the way out is allowed; holding there would never end.
        margin = min(self.nav.geofence_margin_m,
                     self.geofence.clearance_m(state.position) - _MARGIN_REGAIN_M)
        return self.geofence.check_track(track, max(0.0, margin))

    def _guided_legs(self, t_s: float) -> list[Leg] | None:
        """The legs `_follow` will steer along from here, or None when it will not steer (and
        at the end of the way home, where it holds)."""
        following = (self.mode in ("auto", "return_home") and self._gnss_lost_at is None
                     and t_s >= self._obstacle_until)
        if not following or self._path_from is None:
            return None
        legs = [Leg(a, b) for a, b in pairwise([self._path_from, *self._path])]
        if self.mode == "return_home":
            return legs or None
        reach_m = self.nav.geofence_horizon_s * self.nav.top_speed_mps
        for k in range(self.leg, self.leg + self.route.legs_per_lap + 1):
            a, b = self._route_leg(k)
            legs.append(Leg(a, b, wheel_over=True))
            reach_m -= math.dist(a, b)
            if reach_m < 0:
                break
        return legs

    def _stop_point(self, state: OwnState) -> Point:
        """Where the boat comes to rest if it stops now: hold there rather than turn back."""
        tau = self.nav.dr_surge_time_constant_s
        if not self.geofence.contains(p := (state.position[0] + state.velocity[0] * tau,
                                            state.position[1] + state.velocity[1] * tau)):
            return state.position
        return p

    def _hold(self, state: OwnState, owner: str, point: Point) -> HelmDemand:
        """Loiter; the point is fixed by whoever started holding until they let go."""
        self._behaviour = "loiter"
        if self._loiter_owner != owner:
            self._loiter_owner = owner
            self.loiter.start(self._clear_hold_point(point))
        return self.loiter.update(state)

    def _clear_hold_point(self, point: Point) -> Point:
        """The point, or the nearest one margin + wander allowance clear of the fence."""
        self._hold_moved_from = ""
        need = self.nav.geofence_margin_m + wander_allowance_m(self.nav)
        near = self.geofence.nearest_fence(point)
        if near.distance_m >= need:
            return point
        zone = _zone_label(near.zone)
        clear = self.geofence.clear_point(point, need)
        if clear is None:
            self._events.append(f"hold point {near.distance_m:.1f} m from {zone}: no point "
                                f"{need:.1f} m clear nearby, holding there")
            return point
        self._hold_moved_from = zone
        self._events.append(
            f"hold point moved {math.dist(point, clear):.1f} m clear of {zone} "
            f"({near.distance_m:.1f} m -> {need:.1f} m: margin {self.nav.geofence_margin_m:g} m "
            f"+ loiter wander {wander_allowance_m(self.nav):.1f} m)")
        return clear

    # ---- route following -------------------------------------------------------------

    def _plan_join(self) -> None:
        """Reach the current leg's start safely before following the route."""
        state = self.estimator.state
        if state is None:
            self._path, self._path_from = [], None
            return
        a, _ = self._route_leg(self.leg)
        path = self.geofence.path_to(state.position, a, self.nav.geofence_margin_m)
        self._path = (path or [a])[:-1]
        self._path_from = state.position

    def _plan_home(self) -> None:
        state = self.estimator.state
        self._loiter_owner = ""
        if state is None:
            self._path, self._path_from = [self.home], None
            return
        path = self.geofence.path_to(state.position, self.home, self.nav.geofence_margin_m)
        if path is None:
            self._events.append("no safe path home: going straight")
            path = [self.home]
        self._path, self._path_from = path, state.position

    def _route_leg(self, index: int) -> tuple[Point, Point]:
        i, j = self.route.leg(index)
        wps = self.route.waypoints
        return self.frame.to_enu(*wps[i]), self.frame.to_enu(*wps[j])

    def _follow(self, t_s: float, state: OwnState, depth: int = 0) -> HelmDemand:
        """Auto and return-home: LOS along the path, then the route (or loiter at home)."""
        p = state.position
        if self._path_from is None:  # first position since the mode was set: plan now
            self._plan_join() if self.mode == "auto" else self._plan_home()
            self._path_from = p
        if depth > len(self.route.waypoints) + len(self._path) + 1:
            return self._hold(state, "route", p)  # every waypoint within reach: nothing to run
        if self._path:
            a, b = self._path_from, self._path[0]
        elif self.mode == "return_home":
            self._target = self.home
            return self._hold(state, "home", self.home)
        else:
            a, b = self._route_leg(self.leg)
        geom = leg_geometry(p, a, b)
        reached = (math.dist(p, b) <= self.cfg.route.acceptance_radius_m or geom.remaining_m <= 0
                   or (not self._path and self._at_wheel_over(state, geom)))
        if reached:
            if self._path:
                self._path_from = self._path.pop(0)
            else:
                j = self.route.leg(self.leg)[1]
                lap = self.leg // self.route.legs_per_lap
                self._events.append(f"waypoint {j} reached (leg {self.leg}, lap {lap})")
                self.leg += 1
            self.los.reset()
            return self._follow(t_s, state, depth + 1)
        self._geom, self._target = geom, b
        self._loiter_owner = ""
        course = self.los.course_deg(t_s, geom)
        self._update_crab(state)
        heading_demand = (course - self._crab_deg) % 360.0
        error = steer_side(wrap_deg(heading_demand - state.heading_deg), self._turn_side)
        if abs(error) > 180.0:  # a reversal the other way round than the shorter: full helm
            heading_demand = (state.heading_deg + math.copysign(90.0, error)) % 360.0
        rudder = self.heading.update(t_s, state.heading_deg, state.yaw_rate_dps, heading_demand)
        home = self.mode == "return_home"
        speed = self.nav.return_home_speed_mps if home else self.cruise_speed_mps
        thrust = self.speed.update(t_s, state.sog_mps, speed)
        return HelmDemand(thrust, rudder)

    def _at_wheel_over(self, state: OwnState, geom: LegGeometry) -> bool:
        """On the leg and within the wheel-over distance of its waypoint: turn for the next leg
        now, so the track rounds the corner inside instead of overshooting it."""
        if abs(geom.cross_m) > self.cfg.route.acceptance_radius_m:
            return False  # off the line the tangent construction does not hold: use the circle
        b, c = self._route_leg(self.leg + 1)
        turn = wrap_deg(bearing_deg(b, c) - geom.bearing_deg)
        # the dead-reckoning Nomoto model is the boat's turn at full helm, which the heading
        # controller gives through a corner (its error saturates the rudder beyond ~22°)
        wheel_over = wheel_over_m(turn, state.sog_mps, self.nav.dr_yaw_gain_per_s,
                                  self.nav.dr_yaw_time_constant_s)
        return geom.remaining_m <= min(wheel_over, geom.length_m / 2)

    def _update_crab(self, state: OwnState) -> None:
        if state.source != "gnss" or state.sog_mps < _MIN_SOG_FOR_CRAB_MPS:
            return
        limit = self.nav.max_crab_deg
        crab = clamp(wrap_deg(state.cog_deg - state.heading_deg), -limit, limit)
        self._crab_deg += min(1.0, 0.2 / self.nav.crab_filter_s) * (crab - self._crab_deg)

    def _reset_controllers(self) -> None:
        self.heading.reset()
        self.speed.reset()
        self.los.reset()

    # ---- status -----------------------------------------------------------------------

    def _status(self, t_s: float, state: OwnState | None, demand: HelmDemand,
                reasons: list[str]) -> NavStatus:
        lat = lon = None
        if state is not None:
            lat, lon = self.frame.to_geodetic(*state.position)
        following = self._behaviour in ("auto", "return_home")
        geom = self._geom if following else None
        target = self.frame.to_geodetic(*self._target) if following and self._target else None
        loitering = state is not None and self._behaviour == "loiter"
        offset = self.loiter.offset_m(state) if loitering and state is not None else None
        return NavStatus(
            t_s=t_s, mode=self.mode, behaviour=self._behaviour, reasons=tuple(reasons),
            lat=lat, lon=lon,
            heading_deg=state.heading_deg if state else None,
            sog_mps=state.sog_mps if state else None,
            position_source=state.source if state else "none",
            leg=self.leg, lap=self.leg // self.route.legs_per_lap, target=target,
            cross_track_m=geom.cross_m if geom else None,
            distance_to_target_m=(math.dist(state.position, self._target)
                                  if following and state is not None and self._target else None),
            loiter_offset_m=offset, demand=demand,
        )
