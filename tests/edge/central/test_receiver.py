"""The receiver against hand-made (and hostile) messages: verify, flag, store, ack."""

from __future__ import annotations

import base64
import json
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest

from edge.central import CentralReceiver
from edge.cli import main
from edge.evidence import EvidenceFile, Signer, build_record
from edge.mqtt.client import release
from tests.edge.mqtt.helpers import WHEN, wait_until
from tests.support.mosquitto import Mosquitto

DEV = "dev-1"
UP = f"enf/v1/wim/{DEV}/up"


class Device:
    """A fake agent: a raw paho client that publishes what a test hands it and records acks."""

    def __init__(self, port: int, signer: Signer | None = None) -> None:
        self.signer = signer or Signer.generate()
        self.acks: list[str] = []
        self._subscribed = threading.Event()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        self.client.on_message = lambda c, u, m: self.acks.extend(json.loads(m.payload)["record_ids"])
        self.client.on_subscribe = lambda *a: self._subscribed.set()
        self.client.connect("127.0.0.1", port)
        self.client.subscribe(f"enf/v1/wim/{DEV}/down/ack", qos=1)
        self.client.loop_start()
        assert self._subscribed.wait(5)
        self.prev: str | None = None
        self.seq = 0

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
        release(self.client)

    def publish(self, suffix: str, payload: Any) -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.client.publish(f"{UP}/{suffix}", data, qos=1).wait_for_publish(5)

    def birth(self, key: str | None = None) -> None:
        self.publish("state", {"online": True, "boot_id": "b", "public_key": key or
                               self.signer.public_key_b64, "signature_alg": "ed25519"})

    def record(self, files: tuple[EvidenceFile, ...] = (), seq: int | None = None,
               prev: str | None = "chain", rid: str | None = None) -> dict[str, Any]:
        self.seq = seq or self.seq + 1
        r = build_record(signer=self.signer, record_id=rid or f"r{self.seq}-{id(files)}",
                         seq=self.seq, prev_hash=self.prev if prev == "chain" else prev,
                         device=DEV, kind="wim", type="overload", time=WHEN,
                         clock_source="gnss", position={"lat": 1.0, "lon": 2.0},
                         details={"seq": self.seq}, evidence=files)
        self.prev = r["hash"]
        return r

    def evidence(self, rid: str, f: EvidenceFile, data: bytes | None = None,
                 sha: str | None = None) -> None:
        self.publish(f"evidence/{rid}", {"record_id": rid, "name": f.name,
                                         "sha256": sha or f.sha256, "content_type": f.content_type,
                                         "data_base64": base64.b64encode(data or f.data).decode()})


@pytest.fixture
def rx(tmp_path: Path, mosquitto: Mosquitto) -> Iterator[CentralReceiver]:
    receiver = CentralReceiver(mosquitto.url, tmp_path / "central.sqlite")
    receiver.start()
    try:
        assert receiver.wait_connected(10)
        yield receiver
    finally:
        receiver.stop()


@pytest.fixture
def dev(mosquitto: Mosquitto) -> Iterator[Device]:
    d = Device(mosquitto.port)
    try:
        yield d
    finally:
        d.close()


def alarms(rx: CentralReceiver, kind: str) -> list[dict[str, Any]]:
    return [a for a in rx.store.alarms() if a["kind"] == kind]


def test_valid_record_is_acked_only_once_its_evidence_is_stored(rx: CentralReceiver,
                                                                 dev: Device) -> None:
    photo = EvidenceFile("p.jpg", "image/jpeg", b"\x01" * 300)
    dev.birth()
    r = dev.record((photo,))
    dev.publish("violation", r)
    wait_until(lambda: rx.store.record(r["record_id"]), what="record stored")
    assert dev.acks == []
    dev.evidence(r["record_id"], photo)
    wait_until(lambda: dev.acks == [r["record_id"]], what="the ack")
    dev.publish("violation", r)  # a re-send: stored once, acked again
    wait_until(lambda: dev.acks == [r["record_id"]] * 2, what="a second ack")
    assert rx.store.count("records") == 1 and rx.store.evidence(r["record_id"]) == {"p.jpg": photo.data}


def test_altered_record_and_foreign_signature_are_rejected(rx: CentralReceiver,
                                                           dev: Device) -> None:
    dev.birth()
    altered = dev.record()
    altered["details"]["seq"] = 99
    forged = build_record(**{**_args(dev), "signer": Signer.generate(), "record_id": "forged"})
    dev.publish("violation", altered)
    dev.publish("violation", forged)
    wait_until(lambda: len(alarms(rx, "record_rejected")) == 2, what="two rejections")
    reasons = " ".join(a["detail"] for a in alarms(rx, "record_rejected"))
    assert "hash mismatch" in reasons and "bad signature" in reasons
    assert rx.store.count("records") == 0 and dev.acks == []


def _args(dev: Device) -> dict[str, Any]:
    return dict(signer=dev.signer, record_id="x", seq=1, prev_hash=None, device=DEV, kind="wim",
                type="overload", time=WHEN, clock_source="gnss",
                position={"lat": 1.0, "lon": 2.0}, details={}, evidence=())


def test_tampered_evidence_is_refused_and_never_acked(rx: CentralReceiver, dev: Device) -> None:
    photo = EvidenceFile("p.jpg", "image/jpeg", bytes(range(200)))
    bad = bytearray(photo.data)
    bad[7] ^= 0x01
    dev.birth()
    r = dev.record((photo,))
    dev.publish("violation", r)
    dev.evidence(r["record_id"], photo, data=bytes(bad))  # sha256 field says the original
    forged = EvidenceFile("p.jpg", "image/jpeg", bytes(bad))
    dev.evidence(r["record_id"], forged)                  # consistent, but not what was signed
    wait_until(lambda: len(alarms(rx, "evidence_rejected")) >= 1 and
               alarms(rx, "evidence_rejected")[0]["count"] == 2, what="two evidence alarms")
    assert rx.store.evidence(r["record_id"]) == {} and dev.acks == []
    dev.evidence(r["record_id"], photo)
    wait_until(lambda: dev.acks == [r["record_id"]], what="ack after the true file")


def test_gap_fork_and_late_record(rx: CentralReceiver, dev: Device) -> None:
    dev.birth()
    r1, r2, r3 = dev.record(), dev.record(), dev.record()
    dev.publish("violation", r1)
    dev.publish("violation", r3)  # r2 "deleted" (so far)
    wait_until(lambda: rx.store.count("records") == 2, what="two records")
    assert [(p["seq"], p["chain"]) for p in rx.store.chain_problems()] == [(3, "gap")]
    dev.publish("violation", r2)
    wait_until(lambda: rx.store.count("records") == 3, what="the late record")
    assert rx.store.chain_problems() == []
    fork = dev.record(seq=2, prev=r1["hash"], rid="fork-2")
    dev.publish("violation", fork)
    wait_until(lambda: alarms(rx, "chain_fork"), what="fork alarm")
    # Flagged, not fatal: a fork is stored (and acked) for the investigators.
    wait_until(lambda: set(dev.acks) == {r1["record_id"], r2["record_id"], r3["record_id"],
                                         "fork-2"}, what="acks of all four")


def test_records_before_the_birth_message_are_held_then_checked(rx: CentralReceiver,
                                                                dev: Device) -> None:
    r = dev.record()
    dev.publish("violation", r)
    wait_until(lambda: rx.store.count("held") == 1, what="held record")
    assert dev.acks == []
    dev.birth()
    wait_until(lambda: dev.acks == [r["record_id"]], what="ack after birth")
    assert rx.store.count("held") == 0


def test_changed_public_key_raises_an_alarm_and_keeps_the_pinned_key(rx: CentralReceiver,
                                                                     dev: Device) -> None:
    dev.birth()
    wait_until(lambda: (rx.store.device(DEV) or {}).get("public_key"), what="pinned key")
    other = Signer.generate().public_key_b64
    dev.birth(other)
    wait_until(lambda: alarms(rx, "public_key_changed"), what="key alarm")
    assert rx.store.device(DEV)["public_key"] == dev.signer.public_key_b64  # type: ignore[index]


def test_garbage_never_stops_the_receiver(rx: CentralReceiver, dev: Device) -> None:
    for suffix, payload in [("violation", b"\xff\x00"), ("violation", b"[]"),
                            ("evidence/x", b"{}"), ("passage", b"{\"no\": 1}"),
                            ("violation", b"{\"record_id\": 5}"), ("weird", b"{}")]:
        dev.publish(suffix, payload)
    dev.birth()
    r = dev.record()
    dev.publish("violation", r)
    wait_until(lambda: dev.acks == [r["record_id"]], what="a good record after the garbage")
    assert rx.counters["rejected"] >= 4


def test_list_and_verify_commands_on_the_receiver_db(tmp_path: Path, rx: CentralReceiver,
                                                     dev: Device,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    photo = EvidenceFile("p.jpg", "image/jpeg", b"\x02" * 100)
    dev.birth()
    records = [dev.record((photo,)) for _ in range(3)]
    for r in records:
        dev.publish("violation", r)
        dev.evidence(r["record_id"], photo)
    dev.publish("passage", {"record_id": "p-1", "gvw_kg": 1.0})
    wait_until(lambda: len(dev.acks) == 4, what="four acks")
    db = tmp_path / "central.sqlite"
    assert main(["central", "list", "--db", str(db), "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["seq"], r["chain"], r["evidence_files"]) for r in rows] == [(1, "ok", 1), (2, "ok", 1), (3, "ok", 1)]
    assert main(["central", "list", "--db", str(db), "--what", "passages", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["record_id"] == "p-1"
    assert main(["evidence", "verify", str(db)]) == 0
    capsys.readouterr()
    con = sqlite3.connect(db)
    con.execute("UPDATE evidence SET data = ? WHERE record_id = ?", (b"\x03" * 100, records[1]["record_id"]))
    con.commit()
    con.close()
    assert main(["evidence", "verify", str(db)]) == 1
    out = capsys.readouterr().out
    assert f"first broken link: device {DEV} seq 2 record {records[1]['record_id']}" in out
