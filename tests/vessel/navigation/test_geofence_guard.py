"""The geofence guard near Huxin island: it predicts the guided track, so an out-and-back route
ending just outside the island's margin is run to the end and never breaks the margin.

Closed loop in simulated time (the same loop as benchmarks/vessel_patrol.py). Before the guard
predicted the guided track, the straight 20 s projection at the current velocity broke the
margin at the turn, the boat held, resumed, held again, and in these seeds never finished
(and its hold wandered into the island).
"""

from __future__ import annotations

import math

import pytest

from edge.geo import LocalFrame
from simulators.lake import scenarios
from simulators.lake.closed_loop import ClosedLoopSpec, lake_spec_for, run_closed_loop
from vessel.config import VesselConfig
from vessel.navigation import NavigationRefused, Navigator, Route, geofence_from_config, planar
from vessel.navigation.prediction import BoatModel, Leg, Start, guided_track

from .conftest import with_section

M_PER_DEG_LAT = 110_850.0
ISLAND_SOUTH_LAT = 30.75300  # the south face of Huxin island in config/vessel.yaml
ISLAND_WEST_LON = 120.76170
ENDS_7M_FROM_ISLAND = 7.0 / M_PER_DEG_LAT  # 2 m outside the 5 m geofence margin
# Out-and-back routes whose end waypoint lies 7 m south of the island: mid-face, approached
# along the face; and below the south-west corner, approached from the south-west.
ALONG_THE_FACE = [(30.75270, 120.76000), (ISLAND_SOUTH_LAT - ENDS_7M_FROM_ISLAND, 120.76250)]
AT_THE_CORNER = [(30.75150, 120.76000), (ISLAND_SOUTH_LAT - ENDS_7M_FROM_ISLAND, ISLAND_WEST_LON)]
FINISH_BOUND_S = 400.0  # both legs (~240 m and ~215 m at 2 m/s) and the U-turn, with room


def _out_and_back(cfg: VesselConfig, waypoints: list[tuple[float, float]]) -> VesselConfig:
    return with_section(cfg, "route", waypoints=waypoints, pattern="out-and-back")


@pytest.mark.parametrize(("waypoints", "current_toward_deg", "seed"), [
    (ALONG_THE_FACE, 180.0, 0),  # held 98 times, never finished, ended 2.4 m inside the island
    (AT_THE_CORNER, 180.0, 0),  # held 95 times, never finished, ended 0.8 m inside the island
], ids=["along-the-face", "at-the-corner"])
def test_route_ending_next_to_the_island_margin_finishes_without_breaking_it(
        cfg: VesselConfig, waypoints: list[tuple[float, float]], current_toward_deg: float,
        seed: int) -> None:
    route_cfg = _out_and_back(cfg, waypoints)
    nav = Navigator(route_cfg)
    env = scenarios.environment(current_toward_deg=current_toward_deg,
                                wind_toward_deg=(current_toward_deg + 90.0) % 360.0)
    lake = lake_spec_for(route_cfg, environment=env, seed=seed)
    trace = run_closed_loop(route_cfg, lake, ClosedLoopSpec(duration_s=600.0, seed=seed),
                            navigator=nav, stop=lambda tr: tr.samples[-1].out.status.leg >= 2)
    reached = [e for _, e in trace.events if e.startswith("waypoint ")]
    assert reached == ["waypoint 1 reached (leg 0, lap 0)", "waypoint 0 reached (leg 1, lap 0)"]
    assert trace.samples[-1].t_s <= FINISH_BOUND_S
    island = geofence_from_config(route_cfg, LocalFrame(cfg.home.lat, cfg.home.lon)).no_go[0][1]
    closest_m = min(planar.distance_to_boundary((s.east_m, s.north_m), island)
                    for s in trace.samples)
    assert all(not planar.inside((s.east_m, s.north_m), island) for s in trace.samples)
    assert closest_m >= cfg.navigation.geofence_margin_m


def test_a_waypoint_inside_the_margin_is_refused_before_the_run(cfg: VesselConfig) -> None:
    inside_margin = (ISLAND_SOUTH_LAT - 3.0 / M_PER_DEG_LAT, 120.76250)  # 3 m < 5 m margin
    with pytest.raises(NavigationRefused, match="Huxin"):
        Navigator(_out_and_back(cfg, [ALONG_THE_FACE[0], inside_margin]))
    nav = Navigator(cfg)
    with pytest.raises(NavigationRefused, match="Huxin"):
        nav.set_route(Route((ALONG_THE_FACE[0], inside_margin), "out-and-back"), 0.0)
    Navigator(_out_and_back(cfg, ALONG_THE_FACE))  # 7 m: allowed


MODEL = BoatModel(lookahead_m=15.0, acceptance_radius_m=8.0, full_helm_error_deg=22.0,
                  turn_rate_rad_s=0.3, top_speed_mps=3.0, yaw_lag_s=2.0, surge_lag_s=3.0)
EAST_AT_2_MPS = Start((0.0, 0.0), 90.0, 0.0, (2.0, 0.0), (0.0, 0.0), 0.0)


def test_guided_track_follows_the_leg_and_turns_at_its_end() -> None:
    legs = [Leg((0.0, 0.0), (30.0, 0.0), wheel_over=True),
            Leg((30.0, 0.0), (30.0, 100.0), wheel_over=True)]
    track = guided_track(EAST_AT_2_MPS, legs, 2.0, 20.0, MODEL)
    assert len(track) == 21  # a point a second
    assert all(abs(y) < 0.5 for x, y in track if x < 15.0)  # on the line
    end = track[-1]
    assert end[1] > 10.0 and abs(end[0] - 30.0) < 6.0  # round the corner, north up leg 2
    straight_end = (40.0, 0.0)  # where the straight projection would put the boat
    assert math.dist(end, straight_end) > 12.0


def test_a_reversal_is_turned_the_side_asked_for() -> None:
    legs = [Leg((0.0, 0.0), (10.0, 0.0)), Leg((10.0, 0.0), (-100.0, 0.0))]
    port = guided_track(EAST_AT_2_MPS, legs, 2.0, 20.0, MODEL, turn_side=-1)
    starboard = guided_track(EAST_AT_2_MPS, legs, 2.0, 20.0, MODEL, turn_side=1)
    assert max(y for _, y in port) > 8.0 > 0.5 > max(y for _, y in starboard)
    assert min(y for _, y in starboard) < -8.0
