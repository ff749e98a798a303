"""`edge central` as a process, and two receivers sharing the load with a $share group."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from edge.central import CentralReceiver, CentralStore
from edge.config.common import BrokerSection
from edge.mqtt import EdgeRuntime
from tests.conftest import REPO
from tests.edge.mqtt.helpers import WHEN, agent_config, wait_until
from tests.support.mosquitto import Mosquitto, write_password_file


def test_edge_central_process_stores_and_acks(tmp_path: Path, mosquitto: Mosquitto) -> None:
    db = tmp_path / "central.sqlite"
    proc = subprocess.Popen([sys.executable, "-m", "edge.cli", "central", "--broker",
                             mosquitto.url, "--db", str(db)], cwd=REPO,
                            stderr=subprocess.PIPE, text=True)
    try:
        # Until its first subscription, nobody would keep the agent's messages for it.
        assert proc.stderr is not None
        for _ in range(50):
            if "receiving from" in proc.stderr.readline():
                break
        cfg = agent_config(tmp_path, mosquitto.url)
        with EdgeRuntime(cfg) as rt:
            rid = rt.submit_violation("overload", WHEN, None, {"via": "cli"})
            assert rt.wait_drained(20)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    store = CentralStore(db)
    try:
        assert store.record(rid) is not None
    finally:
        store.close()
    listed = subprocess.run([sys.executable, "-m", "edge.cli", "central", "list", "--db",
                             str(db)], cwd=REPO, capture_output=True, text=True, timeout=30)
    assert listed.returncode == 0 and rid in listed.stdout and "chain=ok" in listed.stdout


def test_wrong_password_for_the_receiver_is_a_clear_error(tmp_path: Path) -> None:
    pw = write_password_file(tmp_path / "b" / "passwd", {"central": "right"})
    broker = Mosquitto(tmp_path / "b", extra_conf=f"allow_anonymous false\npassword_file {pw}\n")
    broker.start()
    try:
        (tmp_path / "pw").write_text("wrong\n")
        with CentralReceiver(BrokerSection(url=broker.url, username="central",
                                           password_file=tmp_path / "pw"),
                             tmp_path / "c.sqlite") as rx:
            try:
                rx.wait_connected(10)
            except Exception as exc:
                assert "refused the connection" in str(exc)
                assert "password" in str(exc).lower() or "authori" in str(exc).lower()
            else:
                raise AssertionError("connected with a wrong password")
    finally:
        broker.stop()


def test_two_receivers_share_the_load(tmp_path: Path, mosquitto: Mosquitto) -> None:
    url = mosquitto.url
    with CentralReceiver(url, tmp_path / "a.sqlite", shared_group="rx") as a, \
            CentralReceiver(url, tmp_path / "b.sqlite", shared_group="rx") as b:
        assert a.wait_connected(10) and b.wait_connected(10)
        with EdgeRuntime(agent_config(tmp_path, url)) as rt:
            assert rt.wait_connected(10)
            wait_until(lambda: a.store.devices() and b.store.devices()
                       and a.store.devices()[0]["public_key"]
                       and b.store.devices()[0]["public_key"], what="both pinned the key")
            ids = {rt.submit_violation("overload", WHEN, None, {"i": i}) for i in range(40)}
            assert rt.wait_drained(20)
        got_a = {r["record_id"] for r in a.store.records()}
        got_b = {r["record_id"] for r in b.store.records()}
        assert got_a | got_b == ids and not got_a & got_b
        assert got_a and got_b  # both took a share
