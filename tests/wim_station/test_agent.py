"""The agent's decisions and records, without devices: passages in, outbox rows out."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from edge.config.loader import load_config
from edge.errors import ConfigError
from edge.evidence.verify import verify_record
from tests.support.mosquitto import free_port
from tests.wim_station.e2e.passages import six_axle
from tests.wim_station.e2e.site import SITE_YAML, site_config
from wim_station.agent import WimAgent
from wim_station.anpr import PlateRead
from wim_station.config import WimSiteConfig


def _offline(tmp: Path, **overrides: object) -> WimSiteConfig:
    """The site config with no broker listening, no cameras and no sign."""
    return site_config(tmp, f"mqtt://127.0.0.1:{free_port()}", cameras=[], sign=None,
                       **overrides)


def _no_plate(_image: np.ndarray) -> list[PlateRead]:
    return []


def _rows(agent: WimAgent) -> dict[str, list[dict[str, object]]]:
    out: dict[str, list[dict[str, object]]] = {}
    for item in agent.runtime.outbox.next_batch({}, 100):
        body = json.loads(item.payload) if item.payload is not None else {"file": item.file_name}
        out.setdefault(item.topic_suffix.split("/")[0], []).append(body)
    return out


def test_overloaded_passage_becomes_a_signed_violation_without_a_camera(tmp_path: Path) -> None:
    agent = WimAgent(_offline(tmp_path))
    try:
        decision = agent.process(six_axle(60_000), _no_plate)
        assert decision.overloaded
        rows = _rows(agent)
        assert len(rows["passage"]) == 1 and rows["passage"][0]["overloaded"] is True
        (record,) = rows["violation"]
        assert verify_record(record, agent.runtime.public_key_b64) == []
        details = record["details"]
        assert isinstance(details, dict)
        assert details["missing_evidence"] == ["lane1-camera"]
        assert details["plate"] is None and details["gvw_kg"] == 60_000
        assert [e["name"] for e in record["evidence"]] == ["weighing.json"]  # type: ignore[attr-defined]
        assert agent.counters["violations"] == 1 and agent.counters["plates_unread"] == 1
        assert agent.last_violation is not None
        assert agent.last_violation["record_id"] == record["record_id"]
    finally:
        agent.close()


@pytest.mark.parametrize(("gvw_kg", "flags", "counter"), [
    (40_000, (), None),                    # legal
    (52_000, (), "warnings"),              # 49.4 t after tolerance: < 1 t over, a warning
    (70_000, ("straddling",), "undecided"),  # invalid measurement: never a decision
])
def test_no_violation_for_legal_warned_or_invalid(tmp_path: Path, gvw_kg: float,
                                                  flags: tuple[str, ...],
                                                  counter: str | None) -> None:
    agent = WimAgent(_offline(tmp_path))
    try:
        agent.process(six_axle(gvw_kg, flags=flags), _no_plate)
        rows = _rows(agent)
        assert "violation" not in rows and len(rows["passage"]) == 1
        assert rows["passage"][0]["valid"] is (not flags)
        if counter:
            assert agent.counters[counter] == 1
        assert agent.counters["violations"] == 0
    finally:
        agent.close()


def test_an_offender_is_processed_before_passages_already_waiting(tmp_path: Path) -> None:
    agent = WimAgent(_offline(tmp_path))
    try:
        for gvw_kg in (40_000, 41_000, 60_000, 42_000, 61_000):
            assert agent.enqueue(six_axle(gvw_kg))
        order = [agent._jobs.get_nowait()[2].gvw_kg for _ in range(5)]
        assert order == [60_000, 61_000, 40_000, 41_000, 42_000]
    finally:
        agent.close()


def test_health_reports_pipelines_devices_and_alarms(tmp_path: Path) -> None:
    agent = WimAgent(_offline(tmp_path))
    try:
        agent.process(six_axle(40_000), _no_plate)
        health = agent.health()
        assert health["pipeline"]["passages"] == 1 and health["pipeline"]["queued"] == 0
        assert "DAQ not connected" in health["alarms"]
        assert health["cameras"] == {} and health["sign"] is None
        assert health["drift"]["alarm"] is False
        assert set(health["zero_levels_n"]) == {str(i) for i in range(8)}
        json.dumps(health)
    finally:
        agent.close()


def test_sign_template_with_an_unknown_placeholder_is_a_config_error(tmp_path: Path) -> None:
    text = SITE_YAML.read_text("utf-8").replace("{plate} 超限", "{plat} 超限")
    path = tmp_path / "site.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    line = text[: text.index("{plat}")].count("\n") + 1
    assert info.value.lines[0].startswith(f"{path}:{line}:")
    assert "sign.overload_template" in info.value.lines[0] and "{plat}" in info.value.lines[0]


def test_a_device_url_no_backend_takes_is_a_config_error(tmp_path: Path) -> None:
    config = _offline(tmp_path, daq={"url": "gopher://127.0.0.1:7001"})
    agent = WimAgent(config)
    with pytest.raises(ConfigError, match=r"daq\.url"):
        agent.start()
    agent.close()
