"""Holds and loiters next to the geofence: the point is kept clear of the margin plus the
loiter's wander allowance, a commanded point inside the margin is refused, and the loiter
steers out of the margin instead of being set into a no-go zone by current and wind.

Closed loop in simulated time (the same loop as benchmarks/vessel_patrol.py). Before, a
'loiter here' 8-10 m south of Huxin island with the bow on it and the drift setting north
loitered round its unmoved point and was set 0.3-2.6 m INTO the island.
"""

from __future__ import annotations

import math

import pytest

from edge.geo import LocalFrame
from simulators.lake import scenarios
from simulators.lake.closed_loop import ClosedLoopSpec, lake_spec_for, run_closed_loop
from vessel.config import VesselConfig
from vessel.navigation import NavigationRefused, Navigator, geofence_from_config, planar
from vessel.navigation.geofence import Geofence
from vessel.navigation.loiter import wander_allowance_m

M_PER_DEG_LAT = 110_850.0
ISLAND_SOUTH_LAT = 30.75300  # the south face of Huxin island in config/vessel.yaml
MID_FACE_LON = 120.76250
HOLD_S = 300.0
TURNED_ROUND_S = 60.0  # a bow-on start has turned round into the drift by then (~35 s)


def _south_of_island(distance_m: float) -> tuple[float, float]:
    return ISLAND_SOUTH_LAT - distance_m / M_PER_DEG_LAT, MID_FACE_LON


def _island_clearance_m(cfg: VesselConfig, east_m: float, north_m: float) -> float:
    island = geofence_from_config(cfg, LocalFrame(cfg.home.lat, cfg.home.lon)).no_go[0][1]
    d = planar.distance_to_boundary((east_m, north_m), island)
    return -d if planar.inside((east_m, north_m), island) else d


@pytest.mark.parametrize(("distance_m", "heading_deg", "current_toward_deg", "seed"), [
    (8.0, 0.0, 0.0, 0),  # bow on, drift straight on: before, ended 2.3 m inside the island
    (10.0, 0.0, 330.0, 1),  # before: 0.05 m inside
    (9.0, 90.0, 0.0, 0),  # beam on
], ids=["8m-bow-on", "10m-bow-on-oblique", "9m-beam-on"])
def test_hold_next_to_the_island_with_drift_onto_it_stays_out(
        cfg: VesselConfig, distance_m: float, heading_deg: float, current_toward_deg: float,
        seed: int) -> None:
    lat, lon = _south_of_island(distance_m)
    nav = Navigator(cfg, mode="loiter")  # 'loiter here': held where the boat comes to rest
    env = scenarios.environment(current_toward_deg=current_toward_deg,
                                wind_toward_deg=current_toward_deg)
    lake = lake_spec_for(cfg, environment=env, seed=seed, start_lat=lat, start_lon=lon,
                         start_heading_deg=heading_deg)
    trace = run_closed_loop(cfg, lake, ClosedLoopSpec(duration_s=HOLD_S, seed=seed),
                            navigator=nav)
    clearance = [_island_clearance_m(cfg, s.east_m, s.north_m) for s in trace.samples]
    margin = cfg.navigation.geofence_margin_m
    # never in the island, not even turning round bow-on (closest 2.7 m in 36 such runs)
    assert min(clearance) >= 2.0
    late = [c for s, c in zip(trace.samples, clearance, strict=True) if s.t_s >= TURNED_ROUND_S]
    assert min(late) >= margin - 0.5  # and once turned into the drift, out of the margin
    assert any(e.startswith("hold point moved") for _, e in trace.events)
    need = margin + wander_allowance_m(cfg.navigation)
    assert _island_clearance_m(cfg, *nav.loiter.point) == pytest.approx(need, abs=0.01)


@pytest.mark.parametrize(("distance_m", "current_toward_deg"), [
    (10.0, 0.0),  # before: set 0.3 m into the island
    (20.0, 30.0),  # with no thrust at all bow-on near the line, the drift set it to 0.1 m
], ids=["10m-drift-on", "20m-drift-oblique"])
def test_mode_hold_drifting_onto_the_island_is_caught_clear_of_the_margin(
        cfg: VesselConfig, distance_m: float, current_toward_deg: float) -> None:
    """Mode hold is propeller neutral: the guard's hold takes over as the drift nears the
    island, again and again; each of those holds must keep out of the margin."""
    lat, lon = _south_of_island(distance_m)
    nav = Navigator(cfg, mode="hold")
    env = scenarios.environment(current_toward_deg=current_toward_deg,
                                wind_toward_deg=current_toward_deg)
    lake = lake_spec_for(cfg, environment=env, start_lat=lat, start_lon=lon,
                         start_heading_deg=0.0)
    trace = run_closed_loop(cfg, lake, ClosedLoopSpec(duration_s=2 * HOLD_S), navigator=nav)
    clearance = min(_island_clearance_m(cfg, s.east_m, s.north_m) for s in trace.samples)
    assert clearance >= cfg.navigation.geofence_margin_m - 0.5
    assert sum(1 for _, e in trace.events if e.startswith("geofence")) >= 10  # it did drift on


def test_loiter_at_a_point_inside_the_margin_or_the_island_is_refused(cfg: VesselConfig) -> None:
    nav = Navigator(cfg)
    with pytest.raises(NavigationRefused, match=r"3\.0 m from the edge of Huxin.*5 m geofence"):
        nav.set_mode("loiter", 0.0, _south_of_island(3.0))
    with pytest.raises(NavigationRefused, match="inside Huxin"):
        nav.set_mode("loiter", 0.0, _south_of_island(-10.0))
    with pytest.raises(NavigationRefused, match="outside the operating area"):
        nav.set_mode("loiter", 0.0, (30.74900, 120.76000))
    assert nav.mode == "auto"  # a refused command changes nothing
    nav.set_mode("loiter", 0.0, _south_of_island(6.0))  # outside the margin: taken (and moved)


def test_loiter_point_just_outside_the_margin_is_moved_straight_out(cfg: VesselConfig) -> None:
    point = _south_of_island(7.0)
    nav = Navigator(cfg, mode="loiter")
    nav.set_mode("loiter", 0.0, point)
    lake = lake_spec_for(cfg, start_lat=point[0], start_lon=point[1])  # calm: no guard hold
    trace = run_closed_loop(cfg, lake, ClosedLoopSpec(duration_s=5.0), navigator=nav)
    moved = [e for _, e in trace.events if e.startswith("hold point moved")]
    assert len(moved) == 1 and "Huxin island" in moved[0]
    assert any("hold point moved clear of Huxin" in r
               for s in trace.samples for r in s.out.status.reasons)
    wanted = nav.frame.to_enu(*point)
    need = cfg.navigation.geofence_margin_m + wander_allowance_m(cfg.navigation)
    east, north = nav.loiter.point
    assert east == pytest.approx(wanted[0], abs=0.01)  # along the face's normal: due south
    assert north == pytest.approx(wanted[1] - (need - 7.0), abs=0.05)


SQUARE = Geofence(LocalFrame(30.0, 120.0), ((0.0, 0.0), (100.0, 0.0), (100.0, 100.0), (0.0, 100.0)),
                  (("rock", ((40.0, 40.0), (60.0, 40.0), (60.0, 60.0), (40.0, 60.0))),))


@pytest.mark.parametrize(("p", "zone", "distance_m", "cleared"), [
    ((50.0, 35.0), "rock", 5.0, (50.0, 30.0)),  # face: out along its normal
    ((50.0, 45.0), "rock", -5.0, (50.0, 30.0)),  # inside: out the same way
    ((38.0, 38.0), "rock", math.sqrt(8.0), (40.0 - math.sqrt(50.0), 40.0 - math.sqrt(50.0))),
    ((2.0, 50.0), "operating_area", 2.0, (10.0, 50.0)),  # keep-in: inwards
    ((1.0, 1.0), "operating_area", 1.0, (10.0, 10.0)),  # a corner: both edges
    ((20.0, 20.0), "operating_area", 20.0, (20.0, 20.0)),  # clear already: unchanged
])
def test_nearest_fence_and_clear_point(p: tuple[float, float], zone: str, distance_m: float,
                                       cleared: tuple[float, float]) -> None:
    near = SQUARE.nearest_fence(p)
    assert near.zone == zone
    assert near.distance_m == pytest.approx(distance_m)
    assert math.hypot(*near.away) == pytest.approx(1.0)
    got = SQUARE.clear_point(p, 10.0)
    assert got is not None and got == pytest.approx(cleared)


def test_clear_point_finds_nothing_in_a_narrow_channel() -> None:
    channel = Geofence(LocalFrame(30.0, 120.0), ((0.0, 0.0), (100.0, 0.0), (100.0, 12.0),
                                                 (0.0, 12.0)), ())
    assert channel.clear_point((50.0, 3.0), 10.0) is None
