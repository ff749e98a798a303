"""The vessel agent end to end: lake simulator ⇄ agent ⇄ real mosquitto ⇄ central receiver."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from edge.central import CentralReceiver
from edge.config.loader import load_config
from simulators.lake.closed_loop import lake_spec_for
from simulators.lake.environment import EnvironmentSpec
from simulators.lake.server import LakeServer, ServeSpec
from tests.support.mosquitto import Mosquitto
from vessel.agent import VesselAgent
from vessel.config import VesselConfig
from vessel.gnss.fix import Fix
from vessel.navigation import NavStatus

REPO = Path(__file__).resolve().parents[2]
DEVICE = "nanhu-patrol-1"


def wait_until(cond: Any, timeout_s: float = 30.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = cond()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def lake() -> Iterator[LakeServer]:
    cfg = load_config(REPO / "config" / "vessel.yaml")
    assert isinstance(cfg, VesselConfig)
    spec = lake_spec_for(cfg, environment=EnvironmentSpec(0.3, 30.0, 6.0, 120.0))
    server = LakeServer(spec, ServeSpec(gnss_port=0, helm_port=0, truth_port=None)).start()
    try:
        yield server
    finally:
        server.close()


def agent_config(tmp: Path, lake: LakeServer, broker_url: str) -> VesselConfig:
    cfg = load_config(REPO / "config" / "vessel.yaml")
    data = cfg.model_dump(mode="json")
    data["gnss"]["url"] = f"socket://127.0.0.1:{lake.port('gnss')}"
    data["helm"]["url"] = f"socket://127.0.0.1:{lake.port('helm')}"
    data["broker"].update(url=broker_url, reconnect_min_s=0.2, reconnect_max_s=1.0)
    data["outbox"].update(path=str(tmp / "outbox.sqlite"), evidence_dir=str(tmp / "evidence"))
    data["keys"]["signing_key_file"] = str(tmp / "key.pem")
    data["health"]["interval_s"] = 1
    data["track"]["batch_s"] = 1.0
    return VesselConfig.model_validate(data)


def test_agent_patrols_reports_and_obeys_valid_commands(
        tmp_path: Path, mosquitto: Mosquitto, lake: LakeServer) -> None:
    cfg = agent_config(tmp_path, lake, mosquitto.url)
    seen: list[tuple[Fix, NavStatus | None]] = []
    with CentralReceiver(cfg.broker, tmp_path / "central.sqlite") as rx, VesselAgent(cfg) as agent:
        agent.add_fix_listener(lambda fix, status: seen.append((fix, status)))
        wait_until(lambda: agent.status is not None and agent.status.behaviour == "auto",
                   what="auto with a fix")
        wait_until(lambda: lake.truth().own.thrust > 0.2, what="thrust at the simulated helm")
        assert seen and seen[-1][0].has_position

        def result(cid: str) -> dict[str, Any]:
            return wait_until(lambda: next((r for r in rx.store.command_results(DEVICE)
                                            if r["command_id"] == cid), None), what=cid)

        outside = rx.send_command("vessel", DEVICE, "set_route", {
            "waypoints": [[30.7515, 120.7600], [30.7515, 120.7700]]})
        assert result(outside)["ok"] is False and "operating_area" in result(outside)["detail"]
        not_manual = rx.send_command("vessel", DEVICE, "manual", {"thrust": 1.0, "rudder": 0})
        assert result(not_manual)["ok"] is False
        bad_args = rx.send_command("vessel", DEVICE, "set_mode", {"mode": "warp"})
        assert result(bad_args)["ok"] is False
        loiter = rx.send_command("vessel", DEVICE, "set_mode",
                                 {"mode": "loiter", "lat": 30.7520, "lon": 120.7605})
        assert result(loiter)["ok"] is True
        wait_until(lambda: agent.status is not None and agent.status.behaviour == "loiter",
                   what="loiter")
        assert agent.navigator.route.waypoints[-1] == (30.75560, 120.76000)  # route unchanged

        agent.report_obstacle(range_m=10.0, bearing_deg=0.0)
        wait_until(lambda: agent.status is not None and agent.status.behaviour == "stop",
                   what="stop for an obstacle")
        wait_until(lambda: lake.truth().own.thrust == 0.0, what="neutral helm")

        tracks = wait_until(lambda: rx.store.tracks(DEVICE), what="a track batch")
        point = tracks[0]["points"][0]
        assert {"time", "lat", "lon", "sog_mps", "heading_deg", "mode", "behaviour"} <= set(point)
        assert abs(point["lat"] - cfg.home.lat) < 0.001
        health = wait_until(lambda: (rx.store.device(DEVICE) or {}).get("health", {}),
                            what="health")
        # The first health message may predate the first fix: wait for one that has it.
        nav_health = wait_until(
            lambda: (n := ((rx.store.device(DEVICE) or {}).get("health") or {})
                     .get("navigation")) and n["gnss"]["fix_age_s"] is not None and n,
            what="navigation health with a fix")
        assert "outbox" in health
        assert nav_health["helm"]["sent"] > 0 and nav_health["gnss"]["fix_age_s"] >= 0
        before = lake.helm_timeouts
    # the agent has stopped commanding: the controller times out to neutral on its own
    wait_until(lambda: lake.helm_timeouts > before, what="controller timeout after stop")
