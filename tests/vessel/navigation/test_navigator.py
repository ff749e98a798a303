"""The navigator's modes, refusals and failsafes, driven with synthetic fixes (pure core)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from edge.geo import destination_point
from vessel.config import VesselConfig
from vessel.gnss.fix import Fix
from vessel.navigation import NEUTRAL, NavigationRefused, Navigator, Route

from .conftest import with_section

T0 = dt.datetime(2026, 6, 1, 2, 0, 0, tzinfo=dt.UTC)
WP0 = (30.75150, 120.76000)


def fix_at(t_s: float, lat: float = WP0[0], lon: float = WP0[1], heading: float = 90.0,
           sog: float = 2.0, hdop: float = 0.9) -> Fix:
    return Fix(time=T0 + dt.timedelta(seconds=t_s), fix="3d", lat=lat, lon=lon, sog_mps=sog,
               cog_deg=heading, heading_deg=heading, hdop=hdop, sats=12)


def fed(nav: Navigator, until_s: float, start_s: float = 0.0, step_s: float = 0.2) -> None:
    """Good fixes at 5 Hz moving east along leg 0."""
    t = start_s
    while t <= until_s + 1e-9:
        lat, lon = destination_point(*WP0, 90.0, 2.0 * t)
        nav.feed_fix(t, fix_at(t, lat, lon))
        nav.step(t)
        t += step_s


def test_without_any_fix_the_helm_is_neutral(cfg: VesselConfig) -> None:
    out = Navigator(cfg).step(0.0)
    assert out.demand == NEUTRAL
    assert "no_position" in out.status.reasons


def test_auto_follows_the_first_leg(cfg: VesselConfig) -> None:
    nav = Navigator(cfg)
    fed(nav, 5.0)
    out = nav.step(5.0)
    assert out.status.behaviour == "auto"
    assert out.status.position_source == "gnss"
    assert out.demand.thrust > 0
    assert out.status.cross_track_m is not None and abs(out.status.cross_track_m) < 1.0


def test_route_leaving_the_operating_area_is_refused(cfg: VesselConfig) -> None:
    nav = Navigator(cfg)
    with pytest.raises(NavigationRefused, match="operating_area"):
        nav.set_route(Route(((30.7515, 120.760), (30.7515, 120.770))), 0.0)
    with pytest.raises(NavigationRefused, match="Huxin"):
        nav.set_route(Route(((30.7525, 120.7625), (30.7545, 120.7625))), 0.0)
    assert nav.route.waypoints[0] == WP0  # unchanged


def test_bad_commands_are_refused(cfg: VesselConfig) -> None:
    nav = Navigator(cfg)
    with pytest.raises(NavigationRefused):
        nav.set_mode("drift", 0.0)
    with pytest.raises(NavigationRefused, match="outside"):
        nav.set_mode("loiter", 0.0, (30.7600, 120.7620))
    with pytest.raises(NavigationRefused, match="inside Huxin"):
        nav.set_mode("loiter", 0.0, (30.7536, 120.7625))  # on the island
    with pytest.raises(NavigationRefused):
        nav.set_cruise_speed(50.0)
    small_area = [(30.7510, 120.7595), (30.7510, 120.7610), (30.7520, 120.7610), (30.7520, 120.7595)]
    with pytest.raises(NavigationRefused):
        nav.set_geofence(small_area, [])
    assert nav.mode == "auto"


def test_a_config_route_through_a_no_go_zone_is_refused(cfg: VesselConfig) -> None:
    bad = with_section(cfg, "route", waypoints=[(30.7525, 120.7625), (30.7545, 120.7625)])
    with pytest.raises(NavigationRefused):
        Navigator(bad)


def test_manual_demand_expires_to_neutral(cfg: VesselConfig) -> None:
    nav = Navigator(cfg)
    fed(nav, 1.0)
    nav.set_mode("manual", 1.0)
    nav.set_manual(1.0, 0.5, -0.2)
    assert nav.step(1.5).demand.thrust == 0.5
    out = nav.step(1.0 + cfg.navigation.manual_timeout_s + 0.5)
    assert out.demand == NEUTRAL and "manual_timeout" in out.status.reasons


def test_obstacle_ahead_stops_then_resumes(cfg: VesselConfig) -> None:
    nav = Navigator(cfg)
    fed(nav, 2.0)
    nav.report_obstacle(2.0, range_m=80.0, bearing_deg=0.0)  # too far: ignored
    nav.report_obstacle(2.0, range_m=20.0, bearing_deg=120.0)  # abeam: ignored
    assert nav.step(2.0).status.behaviour == "auto"
    nav.report_obstacle(2.0, range_m=20.0, bearing_deg=-10.0)
    out = nav.step(2.1)
    assert out.demand == NEUTRAL and out.status.behaviour == "stop"
    assert "obstacle" in out.status.reasons and any("obstacle" in e for e in out.events)
    fed(nav, 2.0 + cfg.failsafe.obstacle_clear_s + 1.0, start_s=2.2)
    assert nav.step(2.0 + cfg.failsafe.obstacle_clear_s + 1.0).status.behaviour == "auto"


def test_gnss_loss_loiters_on_dead_reckoning_then_stops_then_resumes(cfg: VesselConfig) -> None:
    nav = Navigator(cfg)
    fed(nav, 10.0)
    lost = 10.0 + cfg.gnss.max_fix_age_s + 0.5
    out = nav.step(lost)
    assert out.status.behaviour == "loiter" and out.status.position_source == "dr"
    assert "gnss_lost" in out.status.reasons
    assert any("gnss_lost" in e for e in out.events)
    late = 10.0 + cfg.failsafe.gnss_dr_max_s + 5.0
    out = nav.step(late)
    assert out.status.behaviour == "stop" and out.demand == NEUTRAL
    back = late + 1.0
    fed(nav, back + cfg.failsafe.gnss_restore_s + 0.5, start_s=back)
    out = nav.step(back + cfg.failsafe.gnss_restore_s + 0.6)
    assert out.status.behaviour == "auto" and out.status.position_source == "gnss"


def test_gnss_loss_with_stop_action_stops(cfg: VesselConfig) -> None:
    nav = Navigator(with_section(cfg, "failsafe", gnss_lost_action="stop"))
    fed(nav, 5.0)
    out = nav.step(5.0 + cfg.gnss.max_fix_age_s + 0.5)
    assert out.status.behaviour == "stop" and out.demand == NEUTRAL


def test_a_frozen_receiver_is_a_lost_fix(cfg: VesselConfig) -> None:
    nav = Navigator(cfg)
    fed(nav, 3.0)
    frozen = fix_at(3.0, *destination_point(*WP0, 90.0, 6.0))
    t = 3.2
    while t < 3.0 + cfg.gnss.max_fix_age_s + 1.0:
        nav.feed_fix(t, frozen)  # the same epoch again and again
        t += 0.2
    assert "gnss_lost" in nav.step(t).status.reasons


def test_high_hdop_is_a_lost_fix(cfg: VesselConfig) -> None:
    nav = Navigator(cfg)
    fed(nav, 2.0)
    for k in range(20):
        t = 2.2 + 0.2 * k
        nav.feed_fix(t, fix_at(t, hdop=cfg.gnss.max_hdop + 1.0))
    assert "gnss_lost" in nav.step(6.2).status.reasons


def test_battery_low_returns_home(cfg: VesselConfig) -> None:
    nav = Navigator(cfg)
    fed(nav, 2.0)
    nav.report_battery(2.0, cfg.failsafe.battery_low_pct + 10.0)
    assert nav.mode == "auto"
    nav.report_battery(2.1, cfg.failsafe.battery_low_pct - 1.0)
    out = nav.step(2.2)
    assert nav.mode == "return_home" and out.status.behaviour == "return_home"
    assert any("battery_low" in e for e in out.events)


@pytest.mark.parametrize(("action", "mode"), [("return_home", "return_home"), ("continue", "auto")])
def test_broker_link_lost(cfg: VesselConfig, action: str, mode: str) -> None:
    nav = Navigator(with_section(cfg, "failsafe", link_lost_action=action, link_lost_after_s=5.0))
    fed(nav, 1.0)
    nav.report_link(1.0, False)
    nav.step(4.0)
    assert nav.mode == "auto"  # not yet
    fed(nav, 7.0, start_s=1.2)
    assert nav.mode == mode


def test_route_from_a_gpx_file_in_the_config(cfg: VesselConfig, tmp_path: Path) -> None:
    gpx = tmp_path / "patrol.gpx"
    points = "".join(f'<rtept lat="{lat}" lon="{lon}"/>' for lat, lon in cfg.route.waypoints)
    gpx.write_text(f"<gpx><rte>{points}</rte></gpx>", encoding="utf-8")
    data = cfg.model_dump(mode="json")
    data["route"] = {**data["route"], "waypoints": [], "file": str(gpx), "pattern": "out-and-back"}
    nav = Navigator(VesselConfig.model_validate(data))
    assert nav.route.waypoints == tuple(cfg.route.waypoints)
    assert nav.route.pattern == "out-and-back"
