"""Agent runtime -> mosquitto -> central receiver, and back: stored, verified, acknowledged."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from edge.central import CentralReceiver, CentralStore
from edge.evidence import EvidenceFile, verify_chain
from edge.evidence.audit import audit
from edge.mqtt import EdgeRuntime
from tests.edge.mqtt.helpers import WHEN, agent_config, wait_until
from tests.support.mosquitto import Mosquitto


def device(store: CentralStore, name: str = "site-1") -> dict[str, Any]:
    found = store.device(name)
    assert found is not None, f"{name} unknown to the receiver"
    return found


@pytest.mark.parametrize("protocol", ["5", "3.1.1"])
def test_violation_evidence_and_passage_arrive_and_leave_the_outbox(
        tmp_path: Path, mosquitto: Mosquitto, protocol: str) -> None:
    cfg = agent_config(tmp_path, mosquitto.url, broker={"protocol": protocol})
    photo = EvidenceFile("plate.jpg", "image/jpeg", bytes(range(256)) * 40)
    with CentralReceiver(cfg.broker, tmp_path / "central.sqlite") as rx, EdgeRuntime(cfg) as rt:
        assert rx.wait_connected(10) and rt.wait_connected(10)
        rids = [rt.submit_violation("overload", WHEN, None, {"n": i},
                                    [photo] if i % 2 == 0 else [], clock_source="gnss")
                for i in range(6)]
        pid = rt.submit_bulk("passage", {"lane": 1, "gvw_kg": 31000.0})
        assert rt.wait_drained(15), rt.health()
        store = rx.store
        assert [r["record_id"] for r in store.records("site-1")] == rids
        assert verify_chain(store.records(), complete=True) == []
        assert store.evidence(rids[0]) == {"plate.jpg": photo.data}
        assert [p["record_id"] for p in store.passages()] == [pid]
        assert device(store)["public_key"] == rt.public_key_b64
        assert store.alarms() == []
        assert rt.health()["link"]["inflight_peak"] <= cfg.broker.max_inflight
        wait_until(lambda: device(store)["health"], what="health stored")
        health = device(store)["health"]
        assert health["outbox"]["depth"] == {"violation": 0, "evidence": 0, "bulk": 0}
    assert audit(tmp_path / "central.sqlite").ok
    assert audit(tmp_path / "site-1" / "outbox.sqlite").ok


def test_birth_and_last_will_on_up_state(tmp_path: Path, mosquitto: Mosquitto) -> None:
    cfg = agent_config(tmp_path, mosquitto.url)
    with CentralReceiver(cfg.broker, tmp_path / "central.sqlite") as rx:
        rt = EdgeRuntime(cfg).start()
        try:
            wait_until(lambda: (rx.store.device("site-1") or {}).get("state"), what="birth")
            birth = device(rx.store)["state"]
            assert birth["online"] is True and birth["public_key"] == rt.public_key_b64
            assert set(birth) >= {"boot_id", "software", "config_version", "since",
                                  "signature_alg"}
            assert len(base64.b64decode(birth["public_key"])) == 32
        finally:
            rt.stop()
        wait_until(lambda: device(rx.store)["state"]["online"] is False,
                   what="offline state after a graceful stop")
        assert device(rx.store)["state"]["boot_id"] == birth["boot_id"]


def test_unacked_records_are_resent_after_a_restart_with_the_same_ids(
        tmp_path: Path, mosquitto: Mosquitto) -> None:
    cfg = agent_config(tmp_path, mosquitto.url)
    with EdgeRuntime(cfg) as rt:  # nobody acknowledges: no receiver yet
        assert rt.wait_connected(10)
        rids = [rt.submit_violation("overload", WHEN, None, {"n": i}) for i in range(5)]
        wait_until(lambda: rt.health()["link"]["published"] >= 5, what="published")
    with CentralReceiver(cfg.broker, tmp_path / "central.sqlite") as rx, EdgeRuntime(cfg) as rt:
        assert rx.wait_connected(10)
        assert rt.wait_drained(15)
        assert [r["record_id"] for r in rx.store.records()] == rids
        assert rx.store.count("records") == 5


def test_commands_are_answered_and_hostile_ones_rejected(tmp_path: Path,
                                                         mosquitto: Mosquitto) -> None:
    cfg = agent_config(tmp_path, mosquitto.url)
    with CentralReceiver(cfg.broker, tmp_path / "central.sqlite") as rx, EdgeRuntime(cfg) as rt:
        assert rx.wait_connected(10) and rt.wait_connected(10)
        # The birth follows the agent's SUBSCRIBE: once it is in, commands reach the agent
        # (a command sent before that is lost; the platform repeats it, same command_id).
        wait_until(lambda: (rx.store.device("site-1") or {}).get("state"), what="birth")
        cid = rx.send_command("wim", "site-1", "ping")
        rx.send_command("wim", "site-1", "ping", command_id=cid)  # repeated: same answer
        rx.send_command("wim", "site-1", "ping", expires_in_s=-5, command_id="late-1")
        for raw in (b"\xff\xfe", b"not json", b"[1]", json.dumps({"command_id": "x1",
                    "name": "rm -rf /", "args": {}, "expires_at": "2999-01-01T00:00:00Z"}).encode(),
                    b"{" * 70_000, json.dumps({"command_id": "x2", "name": "ping", "args": 5,
                                               "expires_at": "2999-01-01T00:00:00Z"}).encode(),
                    json.dumps({"command_id": "x3", "name": "reboot", "args": {},
                                "expires_at": "2999-01-01T00:00:00Z"}).encode(),
                    json.dumps({"command_id": "x4", "name": "ping", "args": {"bogus": 1},
                                "expires_at": "2999-01-01T00:00:00Z"}).encode()):
            rx.send_raw_command("wim", "site-1", raw)
        results = wait_until(lambda: len(rx.store.command_results()) >= 11 and
                             rx.store.command_results(), what="11 command results")
        by_id: dict[str, list[dict[str, Any]]] = {}
        for r in results:
            by_id.setdefault(r["command_id"], []).append(r)
        assert [(r["ok"], r["detail"]) for r in by_id[cid]] == [(True, "pong"), (True, "pong")]
        assert by_id["late-1"][0]["ok"] is False and "expired" in by_id["late-1"][0]["detail"]
        assert not any(r["ok"] for r in results if r["command_id"] != cid)
        details = " | ".join(r["detail"] for r in results)
        for expected in ("not UTF-8", "not JSON", "not a JSON object", "too large",
                         "unknown command 'reboot'", "invalid args: bogus", "invalid command: name",
                         "invalid command: args"):
            assert expected in details
        assert rt.link.connected
