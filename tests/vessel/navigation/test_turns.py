"""Turn anticipation (wheel-over point), closed loop in calm water and simulated time."""

from __future__ import annotations

import pytest

from edge.geo import wrap_deg
from simulators.lake.closed_loop import ClosedLoopSpec, Trace, lake_spec_for, run_closed_loop
from simulators.lake.environment import EnvironmentSpec
from simulators.lake.gnss_feed import GnssNoise
from vessel.config import VesselConfig
from vessel.navigation import Navigator
from vessel.navigation.guidance import bearing_deg, leg_geometry, wheel_over_m

from .conftest import with_section

# East 144 m, then a right angle north (a left turn), then back diagonally to the start.
CORNER = [(30.75150, 120.76000), (30.75150, 120.76150), (30.75400, 120.76150)]
CALM = EnvironmentSpec()
NO_NOISE = GnssNoise(position_walk_m=0.0, position_white_m=0.0, sog_mps=0.0, heading_deg=0.0)
SETTLE_M = 25.0  # the turn is over within this distance along the new leg


def _run(cfg: VesselConfig, waypoints: list[tuple[float, float]], legs: int) -> tuple[Navigator,
                                                                                      Trace]:
    nav = Navigator(with_section(cfg, "route", waypoints=waypoints))
    lake = lake_spec_for(cfg, environment=CALM, start_lat=waypoints[0][0],
                         start_lon=waypoints[0][1], start_heading_deg=90.0)  # along leg 0
    trace = run_closed_loop(nav.cfg, lake, ClosedLoopSpec(duration_s=1500.0, noise=NO_NOISE),
                            navigator=nav, stop=lambda tr: tr.samples[-1].out.status.leg >= legs)
    return nav, trace


def _overshoot_m(nav: Navigator, trace: Trace, leg: int) -> float:
    """Furthest the true track went beyond leg `leg`'s line, on the outside of the turn onto it."""
    a, b = nav._route_leg(leg)
    before, _ = nav._route_leg(leg - 1)
    outside = -1.0 if wrap_deg(bearing_deg(a, b) - bearing_deg(before, a)) > 0 else 1.0
    beyond = [outside * g.cross_m for s in trace.samples if s.out.status.leg == leg
              for g in [leg_geometry((s.east_m, s.north_m), a, b)] if g.along_m <= SETTLE_M]
    return max(beyond)


def test_wheel_over_distance_grows_with_speed_and_turn() -> None:
    right_angle = wheel_over_m(90.0, 2.0, 0.3, 2.0)
    assert right_angle == pytest.approx(2.0 / 0.3 + 2.0 * 2.0)  # R·tan(45°) + u·T
    assert wheel_over_m(-90.0, 2.0, 0.3, 2.0) == right_angle  # port or starboard alike
    assert wheel_over_m(45.0, 2.0, 0.3, 2.0) < right_angle < wheel_over_m(90.0, 3.0, 0.3, 2.0)
    assert wheel_over_m(120.0, 2.0, 0.3, 2.0) > right_angle
    assert wheel_over_m(180.0, 2.0, 0.3, 2.0) == 0.0  # a U-turn: only the acceptance circle
    assert wheel_over_m(90.0, 0.0, 0.3, 2.0) == 0.0  # stopped: only the acceptance circle


def test_a_right_angle_corner_is_rounded_inside_without_overshoot(cfg: VesselConfig) -> None:
    nav, trace = _run(cfg, CORNER, legs=2)
    # at the acceptance circle alone (8 m) the boat ran 1.8 m past the new leg's line
    assert _overshoot_m(nav, trace, 1) <= 0.5


def test_every_waypoint_is_reported_reached_in_order(cfg: VesselConfig) -> None:
    nav, trace = _run(cfg, CORNER, legs=4)
    reached = [e for _, e in trace.events if e.startswith("waypoint ")]
    assert reached == [f"waypoint {j} reached (leg {k}, lap {k // 3})"
                       for k, j in enumerate([1, 2, 0, 1])]
    assert nav.leg == 4
