"""Issue 6 done-when figures, closed loop in fast time on the South Lake config."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from edge.config.loader import load_config
from edge.geo import LocalFrame
from simulators.lake import scenarios
from simulators.lake.closed_loop import ClosedLoopSpec, lake_spec_for, run_closed_loop
from simulators.lake.gnss_feed import GnssFaults
from vessel.config import VesselConfig
from vessel.navigation import Navigator, geofence_from_config, planar

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def cfg() -> VesselConfig:
    loaded = load_config(REPO / "config" / "vessel.yaml")
    assert isinstance(loaded, VesselConfig)
    return loaded


def test_patrol_three_laps_in_current_and_gusty_wind(cfg: VesselConfig) -> None:
    figures, trace = scenarios.patrol(cfg, laps=3)
    assert figures.laps == 3
    assert figures.waypoints_reached == figures.waypoints_expected == 12
    assert figures.xte_rms_m <= 2.0
    assert figures.xte_max_m <= 6.0
    assert figures.fence.respected
    assert trace.helm_timeouts == 0


def test_gnss_dropout_mid_leg_follows_failsafe_and_resumes(cfg: VesselConfig) -> None:
    figures, trace = scenarios.gnss_dropout(cfg, start_s=340.0, length_s=20.0)
    assert "loiter" in figures.behaviour_during  # active hold on dead reckoning, not drifting
    assert any("failsafe gnss_lost" in e for _, e in trace.events)
    assert figures.fence.respected
    assert figures.resumed_auto_after_s is not None
    assert figures.resumed_auto_after_s <= cfg.failsafe.gnss_restore_s + 1.0
    assert figures.waypoints_after >= 3  # carries on round the route


def test_loiter_holds_against_current_for_five_minutes(cfg: VesselConfig) -> None:
    figures, _ = scenarios.loiter(cfg, duration_s=300.0)
    assert figures.duration_s >= 299.0
    assert figures.max_offset_m <= 5.0


def test_return_home_goes_round_the_island(cfg: VesselConfig) -> None:
    nav = Navigator(cfg, mode="return_home")
    frame = LocalFrame(cfg.home.lat, cfg.home.lon)
    fence = geofence_from_config(cfg, frame)
    far_side = (30.75480, 120.76400)  # north-east of the island: straight home crosses it
    lake = lake_spec_for(cfg, environment=scenarios.environment(), start_lat=far_side[0],
                         start_lon=far_side[1], start_heading_deg=200.0)
    trace = run_closed_loop(cfg, lake, ClosedLoopSpec(duration_s=600.0), navigator=nav)
    island = fence.no_go[0][1]
    assert all(not planar.inside((s.east_m, s.north_m), island) for s in trace.samples)
    final = trace.samples[-1]
    assert math.hypot(final.east_m, final.north_m) <= 2 * cfg.navigation.home_radius_m
    assert final.out.status.behaviour == "loiter"


def test_geofence_on_predicted_track_stops_a_manual_run_at_the_island(cfg: VesselConfig) -> None:
    nav = Navigator(cfg, mode="manual")
    start = (30.75200, 120.76250)  # south of the island, bow north at it

    def full_ahead(t: float, navigator: Navigator, _world: object) -> None:
        navigator.set_manual(t, 1.0, 0.0)

    lake = lake_spec_for(cfg, environment=scenarios.environment(current_toward_deg=0.0),
                         start_lat=start[0], start_lon=start[1], start_heading_deg=0.0)
    trace = run_closed_loop(cfg, lake, ClosedLoopSpec(duration_s=180.0), navigator=nav,
                            hook=full_ahead)
    fence = geofence_from_config(cfg, LocalFrame(cfg.home.lat, cfg.home.lon))
    island = fence.no_go[0][1]
    closest = min(planar.distance_to_boundary((s.east_m, s.north_m), island)
                  for s in trace.samples)
    assert all(not planar.inside((s.east_m, s.north_m), island) for s in trace.samples)
    assert closest > 0.0
    assert any(e.startswith("geofence") for _, e in trace.events)


def test_patrol_survives_a_noisy_line_and_a_frozen_receiver(cfg: VesselConfig) -> None:
    faults = GnssFaults(frozen=((60.0, 8.0),), garbage_probability=0.2)
    lake = lake_spec_for(cfg, environment=scenarios.environment())
    trace = run_closed_loop(cfg, lake, ClosedLoopSpec(duration_s=260.0, faults=faults))
    assert trace.gnss_counters.get("junk_bytes", 0) + trace.gnss_counters.get("checksum", 0) > 0
    assert any("failsafe gnss_lost" in e for t, e in trace.events if 60.0 <= t <= 70.0)
    assert any(e.startswith("waypoint 1 reached") for _, e in trace.events)
