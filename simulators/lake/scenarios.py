"""The acceptance runs of issue 6, in fast time, with their figures.

`patrol`, `gnss_dropout` and `loiter` each run the closed loop on a vessel config and return
the measured figures; `benchmarks/vessel_patrol.py` prints them and the tests assert them.
Cross-track error is measured on ground truth (not on the navigator's noisy estimate)
against the leg the navigator was following; "straight" excludes the first `settle_m` of a
leg (the turn onto it) and the last acceptance radius (the turn off it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from edge.geo import LocalFrame
from simulators.lake.closed_loop import ClosedLoopSpec, Trace, lake_spec_for, run_closed_loop
from simulators.lake.dynamics import BoatParams
from simulators.lake.environment import EnvironmentSpec, vector
from simulators.lake.gnss_feed import GnssFaults
from vessel.config import VesselConfig
from vessel.navigation import planar
from vessel.navigation.guidance import leg_geometry
from vessel.navigation.navigator import Navigator, geofence_from_config

SETTLE_M = 25.0  # a 90° turn at 2 m/s settles on the new leg within about this distance


@dataclass(frozen=True)
class FenceFigures:
    """How close the true track came to the geofence (m; negative = crossed)."""

    min_inside_operating_m: float
    min_outside_no_go_m: float

    @property
    def respected(self) -> bool:
        """Never outside the operating area, never inside a no-go zone."""
        return self.min_inside_operating_m > 0 and self.min_outside_no_go_m > 0


@dataclass(frozen=True)
class PatrolFigures:
    """Figures of a patrol run."""

    laps: int
    waypoints_reached: int
    waypoints_expected: int
    xte_rms_m: float
    xte_max_m: float
    xte_max_whole_leg_m: float
    duration_s: float
    fence: FenceFigures


@dataclass(frozen=True)
class DropoutFigures:
    """Figures of a GNSS dropout run."""

    dropout_start_s: float
    dropout_s: float
    behaviour_during: tuple[str, ...]
    max_drift_from_hold_m: float  # truth, during the dropout
    dr_error_at_end_m: float  # dead-reckoned vs true position when the fix came back
    resumed_auto_after_s: float | None  # from the fix's return to auto again
    waypoints_after: int  # waypoints reached after the fix returned
    fence: FenceFigures


@dataclass(frozen=True)
class LoiterFigures:
    """Figures of a loiter run."""

    duration_s: float
    max_offset_m: float
    rms_offset_m: float
    max_offset_after_30s_m: float


def environment(current_mps: float = 0.3, current_toward_deg: float = 30.0,
                wind_mps: float = 6.0, wind_toward_deg: float = 120.0) -> EnvironmentSpec:
    """The acceptance environment: 0.3 m/s current, 6 m/s gusty wind."""
    return EnvironmentSpec(current_mps, current_toward_deg, wind_mps, wind_toward_deg)


def fence_figures(cfg: VesselConfig, trace: Trace) -> FenceFigures:
    """Closest approach of the true track to the operating-area edge and to no-go zones."""
    fence = geofence_from_config(cfg, LocalFrame(cfg.home.lat, cfg.home.lon))
    inside_min = outside_min = math.inf
    for s in trace.samples[::5]:
        p = (s.east_m, s.north_m)
        d = planar.distance_to_boundary(p, fence.operating_area)
        inside_min = min(inside_min, d if planar.inside(p, fence.operating_area) else -d)
        for _, poly in fence.no_go:
            d = planar.distance_to_boundary(p, poly)
            outside_min = min(outside_min, -d if planar.inside(p, poly) else d)
    return FenceFigures(inside_min, outside_min)


def _waypoints_reached(trace: Trace) -> list[float]:
    return [t for t, e in trace.events if e.startswith("waypoint ")]


def patrol(cfg: VesselConfig, laps: int = 3, env: EnvironmentSpec | None = None,
           seed: int = 0, faults: GnssFaults | None = None) -> tuple[PatrolFigures, Trace]:
    """Run the configured route for `laps` laps; measure tracking and the fence."""
    nav = Navigator(cfg)
    target_legs = laps * nav.route.legs_per_lap
    lake = lake_spec_for(cfg, environment=env or environment(), seed=seed)
    run = ClosedLoopSpec(duration_s=4 * 3600.0, seed=seed, faults=faults or GnssFaults())
    trace = run_closed_loop(cfg, lake, run, navigator=nav,
                            stop=lambda tr: tr.samples[-1].out.status.leg >= target_legs)
    errors: list[float] = []
    whole: list[float] = []
    for s in trace.samples:
        st = s.out.status
        if st.behaviour != "auto" or st.leg == 0 or st.cross_track_m is None:
            continue  # leg 0 of lap 0 starts with the join from home
        a, b = nav._route_leg(st.leg)
        g = leg_geometry((s.east_m, s.north_m), a, b)
        whole.append(abs(g.cross_m))
        if SETTLE_M <= g.along_m <= g.length_m - cfg.route.acceptance_radius_m:
            errors.append(g.cross_m)
    rms = math.sqrt(sum(e * e for e in errors) / len(errors)) if errors else math.nan
    figures = PatrolFigures(
        laps=trace.samples[-1].out.status.leg // nav.route.legs_per_lap,
        waypoints_reached=len(_waypoints_reached(trace)), waypoints_expected=target_legs,
        xte_rms_m=rms, xte_max_m=max((abs(e) for e in errors), default=math.nan),
        xte_max_whole_leg_m=max(whole, default=math.nan), duration_s=trace.samples[-1].t_s,
        fence=fence_figures(cfg, trace),
    )
    return figures, trace


def gnss_dropout(cfg: VesselConfig, start_s: float = 340.0, length_s: float = 20.0,
                 env: EnvironmentSpec | None = None, seed: int = 0,
                 laps: int = 1) -> tuple[DropoutFigures, Trace]:
    """A patrol with the receiver reporting no fix for length_s from start_s (mid leg 1)."""
    faults = GnssFaults(dropouts=((start_s, length_s),))
    _, trace = patrol(cfg, laps=laps, env=env, seed=seed, faults=faults)
    end_s = start_s + length_s
    during = [s for s in trace.samples if start_s + 1.5 < s.t_s < end_s]
    behaviours = tuple(dict.fromkeys(s.out.status.behaviour for s in during))
    hold = next((s for s in during if s.out.status.behaviour == "loiter"), None)
    frame = LocalFrame(cfg.home.lat, cfg.home.lon)
    drift = 0.0
    if hold is not None:
        start = next(s for s in trace.samples if s.t_s >= start_s)
        drift = max(math.dist((s.east_m, s.north_m), (start.east_m, start.north_m)) for s in during)
    last = during[-1]
    st = last.out.status
    dr_error = math.nan
    if st.lat is not None and st.lon is not None:
        dr_error = math.dist(frame.to_enu(st.lat, st.lon), (last.east_m, last.north_m))
    resumed = next((s.t_s - end_s for s in trace.samples
                    if s.t_s > end_s and s.out.status.behaviour == "auto"), None)
    after = sum(1 for t in _waypoints_reached(trace) if t > end_s)
    return DropoutFigures(start_s, length_s, behaviours, drift, dr_error, resumed, after,
                          fence_figures(cfg, trace)), trace


def loiter(cfg: VesselConfig, point: tuple[float, float] = (30.75100, 120.76200),
           duration_s: float = 300.0, env: EnvironmentSpec | None = None,
           seed: int = 0, start_heading_deg: float | None = None) -> tuple[LoiterFigures, Trace]:
    """Hold `point` for duration_s, from a standstill on it; by default bow into the drift,
    as a boat that has come up to its station (give a heading to test the turn-round)."""
    env = env or environment()
    if start_heading_deg is None:
        drift = _drift_toward_deg(env)
        start_heading_deg = (drift + 180.0) % 360.0
    nav = Navigator(cfg, mode="loiter")
    nav.set_mode("loiter", 0.0, point)
    lake = lake_spec_for(cfg, environment=env, seed=seed, start_lat=point[0], start_lon=point[1],
                         start_heading_deg=start_heading_deg)
    trace = run_closed_loop(cfg, lake, ClosedLoopSpec(duration_s=duration_s, seed=seed),
                            navigator=nav)
    target = nav.frame.to_enu(*point)
    offsets = [math.dist((s.east_m, s.north_m), target) for s in trace.samples]
    late = [o for s, o in zip(trace.samples, offsets, strict=True) if s.t_s >= 30.0]
    return LoiterFigures(
        duration_s=trace.samples[-1].t_s, max_offset_m=max(offsets),
        rms_offset_m=math.sqrt(sum(o * o for o in offsets) / len(offsets)),
        max_offset_after_30s_m=max(late, default=math.nan),
    ), trace


def _drift_toward_deg(env: EnvironmentSpec) -> float:
    """Direction of current + mean leeway of the simulated hull."""
    c = vector(env.current_mps, env.current_toward_deg)
    w = vector(env.wind_mps * BoatParams().leeway_coefficient, env.wind_toward_deg)
    return math.degrees(math.atan2(c[0] + w[0], c[1] + w[1])) % 360.0
