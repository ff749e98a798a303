"""The broker is down for 30 s while 1,000 records are enqueued: all arrive, once, chained."""

from __future__ import annotations

import time
from pathlib import Path

from edge.central import CentralReceiver
from edge.evidence import EvidenceFile, verify_chain
from edge.evidence.audit import audit
from edge.mqtt import EdgeRuntime
from tests.edge.mqtt.helpers import WHEN, agent_config
from tests.support.mosquitto import Mosquitto

OUTAGE_S = 30.0
RECORDS = 1000


def test_broker_outage_of_30_s_loses_nothing(tmp_path: Path, mosquitto: Mosquitto) -> None:
    cfg = agent_config(tmp_path, mosquitto.url)
    with CentralReceiver(cfg.broker, tmp_path / "c.sqlite") as rx, EdgeRuntime(cfg) as rt:
        assert rx.wait_connected(10) and rt.wait_connected(10)
        ids = [rt.submit_violation("overload", WHEN, None, {"before": True})]
        assert rt.wait_drained(10)
        mosquitto.stop()
        stopped = time.monotonic()
        for i in range(RECORDS):
            files = [EvidenceFile("photo.jpg", "image/jpeg", bytes([i % 256]) * 2048)] \
                if i % 10 == 0 else []
            ids.append(rt.submit_violation("overload", WHEN, None, {"i": i}, files))
            # Spread over most of the outage, so records arrive while the link retries.
            time.sleep(max(0.0, stopped + (i + 1) * 0.02 - time.monotonic()))
        assert not rt.link.connected
        time.sleep(max(0.0, stopped + OUTAGE_S - time.monotonic()))
        assert rt.outbox.depth()["violation"] == RECORDS
        mosquitto.start()
        assert rt.wait_drained(90), rt.health()
        stored = rx.store.records("site-1")
        assert [r["record_id"] for r in stored] == ids  # each exactly once, in seq order
        assert [r["seq"] for r in stored] == list(range(1, RECORDS + 2))
        assert verify_chain(stored, complete=True) == []
        assert rx.store.chain_problems() == [] and rx.store.alarms() == []
        assert rx.store.count("evidence") == RECORDS // 10
    assert audit(tmp_path / "c.sqlite").ok
