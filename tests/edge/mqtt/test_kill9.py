"""`kill -9` of the agent at 20 random instants: nothing committed is lost, the chain goes on."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from edge.central import CentralReceiver
from edge.evidence import verify_chain
from edge.evidence.audit import audit
from tests.conftest import REPO
from tests.edge.mqtt.helpers import agent_config
from tests.support.mosquitto import Mosquitto

KILLS = 20


def test_kill_9_at_random_instants_loses_nothing(tmp_path: Path, mosquitto: Mosquitto) -> None:
    cfg = agent_config(tmp_path, mosquitto.url)
    cfg_file = tmp_path / "agent.json"
    cfg_file.write_text(cfg.model_dump_json())
    rng = random.Random(20261130)
    committed: list[str] = []
    cmd = [sys.executable, "-m", "tests.edge.mqtt.agent_child", str(cfg_file)]
    with CentralReceiver(cfg.broker, tmp_path / "c.sqlite") as rx:
        assert rx.wait_connected(10)
        for _ in range(KILLS):
            child = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)
            try:
                # Start-up takes about half a second: some kills land while it opens.
                time.sleep(rng.uniform(0.3, 1.5))
            finally:
                child.send_signal(signal.SIGKILL)
                out, _ = child.communicate(timeout=10)
            committed += out.split()
        drain = subprocess.run([*cmd, "--drain"], cwd=REPO, timeout=90,
                               stderr=subprocess.PIPE, text=True)
        assert drain.returncode == 0, drain.stderr[-2000:]
        stored = rx.store.records("site-1")
        stored_ids = {r["record_id"] for r in stored}
        assert len(committed) > KILLS
        assert [c for c in committed if c not in stored_ids] == []
        assert [r["seq"] for r in stored] == list(range(1, len(stored) + 1))
        assert verify_chain(stored, complete=True) == []
        assert rx.store.alarms() == [] and rx.store.chain_problems() == []
        incomplete = [r for r in rx.store.record_rows() if r["complete_at"] is None]
        assert incomplete == []
    report = audit(tmp_path / "site-1" / "outbox.sqlite")
    assert report.ok, report.problems[:3]
    assert audit(tmp_path / "c.sqlite").ok
