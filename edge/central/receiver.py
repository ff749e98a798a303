"""`CentralReceiver`: subscribe to every agent's `up/#`, verify, store, then acknowledge.

What it checks, per message kind:
- `up/state`: the birth message pins the device's public key on first sight; a different key
  later raises a `public_key_changed` alarm and the pinned key stays (records signed with
  the new key are then rejected until an operator re-pins).
- `up/violation`: hash over canonical JSON, Ed25519 signature with the pinned key (records
  that arrive before any key are held, then checked when the birth message comes), chain
  continuity per device (a gap or fork is flagged and alarmed, not fatal), de-duplication
  by record_id. A record failing hash or signature is never stored nor acknowledged.
- `up/evidence/{record_id}`: sha256 of the data must match the message and the record's
  evidence list (name, sha256, bytes).
- `up/passage`, `up/track`: stored by record_id (de-duplicated).
- `up/health`, `up/command-result`: stored, never acknowledged (live data).

Acks: `down/ack` names every record_id that is durably stored (committed, fsync'd) - a
violation once it and all its evidence files are stored, a passage or track at once.
A repeated record_id that is already stored is acknowledged again (the first ack was lost).
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import sqlite3
import time
import uuid
from collections import defaultdict, deque
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Self

import paho.mqtt.client as mqtt

from edge.central.store import BULK_TABLES, CentralStore
from edge.config.common import BrokerSection
from edge.evidence.verify import verify_record
from edge.mqtt.session import IDLE_WAIT_S, MqttSession
from edge.mqtt.topics import UP_WILDCARD, Topic, down_topic, parse_topic, shared

log = logging.getLogger(__name__)

ACK_CHUNK = 500
MAX_PAYLOAD_BYTES = 64 * 1024 * 1024
BATCH_MAX = 2000


class CentralReceiver(MqttSession):
    """The reference receiver; `store` holds everything it accepted."""

    def __init__(self, broker: BrokerSection | str, db_path: str | Path, *,
                 shared_group: str | None = None, client_id: str | None = None) -> None:
        if isinstance(broker, str):
            broker = BrokerSection(url=broker)
        self.store = CentralStore(db_path)
        group = shared_group or broker.shared_group
        cid = client_id or broker.client_id or (
            "central-" + hashlib.sha1(str(Path(db_path).resolve()).encode()).hexdigest()[:10])
        super().__init__(broker, cid, persistent=True, thread_name="central-receiver")
        self.shared_group = group
        self._batch: list[tuple[Topic, bytes]] = []
        self._commands: deque[tuple[str, bytes]] = deque()
        self.counters = {"messages": 0, "stored": 0, "duplicates": 0, "rejected": 0,
                         "acks_sent": 0, "ignored": 0}

    def stop(self, timeout_s: float = 5.0) -> None:
        super().stop(timeout_s)
        self.store.close()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def send_command(self, kind: str, device: str, name: str, args: dict[str, Any] | None = None,
                     *, expires_in_s: float = 300.0, command_id: str | None = None) -> str:
        """Queue a `down/command` for a device; returns its command_id."""
        command_id = command_id or str(uuid.uuid4())
        expires = datetime.now(UTC) + timedelta(seconds=expires_in_s)
        self.send_raw_command(kind, device, json.dumps(
            {"command_id": command_id, "name": name, "args": args or {},
             "expires_at": expires.strftime("%Y-%m-%dT%H:%M:%S.%fZ")}).encode())
        return command_id

    def send_raw_command(self, kind: str, device: str, payload: bytes) -> None:
        """Publish any bytes on a device's `down/command` (tests of hostile payloads)."""
        self._commands.append((down_topic(kind, device, "command"), payload))
        self.wake()

    # -- session hooks ---------------------------------------------------------------------

    def _on_connected(self, client: mqtt.Client) -> None:
        subs = [(shared(UP_WILDCARD, self.shared_group), 1)]
        if self.shared_group:
            # A shared subscription gets no retained messages: birth messages (public keys)
            # must reach every receiver of the group.
            subs.append(("enf/v1/+/+/up/state", 1))
        client.subscribe(subs)

    def _on_message(self, client: mqtt.Client, message: mqtt.MQTTMessage) -> None:
        self.counters["messages"] += 1
        topic = parse_topic(message.topic)
        if topic is None or topic.direction != "up" or len(message.payload) > MAX_PAYLOAD_BYTES:
            self.counters["ignored"] += 1
            return
        self._batch.append((topic, bytes(message.payload)))

    def _pump(self, client: mqtt.Client) -> float:
        while self._commands:
            command_topic, command = self._commands.popleft()
            client.publish(command_topic, command, qos=1)
        if not self._batch:
            return IDLE_WAIT_S
        batch, self._batch = self._batch, []
        acks: dict[tuple[str, str], list[str]] = defaultdict(list)
        with self.store.transaction() as db:
            for topic, payload in batch:
                for rid in self._handle(db, topic, payload):
                    acks[(topic.kind, topic.device)].append(rid)
        for (kind, device), ids in acks.items():
            ids = list(dict.fromkeys(ids))
            for start in range(0, len(ids), ACK_CHUNK):
                client.publish(down_topic(kind, device, "ack"),
                               json.dumps({"record_ids": ids[start:start + ACK_CHUNK]}), qos=1)
            self.counters["acks_sent"] += len(ids)
        return 0.0

    # -- message handling (inside the batch transaction) ------------------------------------

    def _handle(self, db: sqlite3.Connection, topic: Topic, payload: bytes) -> list[str]:
        """Store one message; return the record_ids that may now be acknowledged."""
        try:
            body = json.loads(payload)
        except (ValueError, UnicodeDecodeError):
            body = None
        if not isinstance(body, dict):
            self.counters["rejected"] += 1
            self.store.alarm(db, topic.device, "bad_payload", topic.suffix,
                             "payload is not a JSON object")
            return []
        self._ensure_device(db, topic)
        suffix = topic.suffix
        if suffix == "state":
            return self._on_state(db, topic, body)
        if suffix == "violation":
            return self._on_violation(db, topic, body)
        if suffix.startswith("evidence/"):
            return self._on_evidence(db, topic, body)
        if suffix in BULK_TABLES:
            return self._on_bulk(db, topic, body)
        if suffix == "health":
            db.execute("UPDATE devices SET health = ?, health_at = ? WHERE device = ?",
                       (json.dumps(body), time.time(), topic.device))
        elif suffix == "command-result":
            db.execute("INSERT INTO command_results (device, command_id, ok, detail, "
                       "received_at) VALUES (?, ?, ?, ?, ?)",
                       (topic.device, str(body.get("command_id")), bool(body.get("ok")),
                        str(body.get("detail")), time.time()))
        else:
            self.counters["ignored"] += 1
        return []

    @staticmethod
    def _ensure_device(db: sqlite3.Connection, topic: Topic) -> None:
        db.execute("INSERT OR IGNORE INTO devices (device, kind, first_seen) VALUES (?, ?, ?)",
                   (topic.device, topic.kind, time.time()))

    def _on_state(self, db: sqlite3.Connection, topic: Topic, body: dict[str, Any]) -> list[str]:
        db.execute("UPDATE devices SET state = ?, state_at = ? WHERE device = ?",
                   (json.dumps(body), time.time(), topic.device))
        key = body.get("public_key")
        if not isinstance(key, str) or not key:
            return []
        pinned = db.execute("SELECT public_key FROM devices WHERE device = ?",
                            (topic.device,)).fetchone()[0]
        if pinned is None:
            db.execute("UPDATE devices SET public_key = ? WHERE device = ?", (key, topic.device))
            log.info("public key pinned", extra={"device": topic.device})
            return self._release_held(db, topic)
        if pinned != key:
            log.error("device public key changed", extra={"device": topic.device})
            self.store.alarm(db, topic.device, "public_key_changed", key,
                             f"birth message key {key} differs from the pinned key {pinned}")
        return []

    def _release_held(self, db: sqlite3.Connection, topic: Topic) -> list[str]:
        held = db.execute("SELECT json FROM held WHERE device = ?", (topic.device,)).fetchall()
        db.execute("DELETE FROM held WHERE device = ?", (topic.device,))
        acks: list[str] = []
        for (text,) in held:
            acks += self._on_violation(db, topic, json.loads(text))
        return acks

    def _on_violation(self, db: sqlite3.Connection, topic: Topic,
                      record: dict[str, Any]) -> list[str]:
        rid = record.get("record_id")
        if not isinstance(rid, str) or not rid:
            self.counters["rejected"] += 1
            self.store.alarm(db, topic.device, "bad_record", "?", "record without record_id")
            return []
        if db.execute("SELECT 1 FROM records WHERE record_id = ?", (rid,)).fetchone():
            self.counters["duplicates"] += 1
            return [rid] if self._complete(db, rid) else []
        if record.get("device") != topic.device or record.get("kind") != topic.kind:
            return self._reject(db, topic, rid, "record names another device than its topic")
        pinned = db.execute("SELECT public_key FROM devices WHERE device = ?",
                            (topic.device,)).fetchone()[0]
        if pinned is None:
            db.execute("INSERT OR REPLACE INTO held VALUES (?, ?, ?, ?)",
                       (rid, topic.device, json.dumps(record), time.time()))
            return []
        problems = verify_record(record, pinned)
        if not isinstance(record.get("seq"), int) or isinstance(record.get("seq"), bool):
            problems.append("seq is not an integer")
        if problems:
            return self._reject(db, topic, rid, "; ".join(problems))
        chain = self._chain_status(db, topic.device, record)
        db.execute("INSERT INTO records (record_id, device, kind, seq, hash, prev_hash, type, "
                   "time, json, chain, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   (rid, topic.device, topic.kind, record["seq"], record["hash"],
                    record.get("prev_hash"), str(record.get("type")), str(record.get("time")),
                    json.dumps(record, ensure_ascii=False), chain, time.time()))
        self.counters["stored"] += 1
        self._drop_mismatched_evidence(db, topic, record)
        return [rid] if self._complete(db, rid) else []

    def _reject(self, db: sqlite3.Connection, topic: Topic, rid: str, why: str) -> list[str]:
        self.counters["rejected"] += 1
        log.error("record rejected", extra={"device": topic.device, "record_id": rid,
                                            "reason": why})
        self.store.alarm(db, topic.device, "record_rejected", rid, why)
        return []

    def _chain_status(self, db: sqlite3.Connection, device: str, record: dict[str, Any]) -> str:
        seq, prev_hash = int(record["seq"]), record.get("prev_hash")
        same = db.execute("SELECT record_id FROM records WHERE device = ? AND seq = ?",
                          (device, seq)).fetchone()
        if same is not None:
            self.store.alarm(db, device, "chain_fork", str(seq),
                             f"seq {seq} used by {same[0]} and {record['record_id']}")
            return "fork"
        status = "ok"
        if seq > 1:
            prev = db.execute("SELECT hash FROM records WHERE device = ? AND seq = ?",
                              (device, seq - 1)).fetchone()
            if prev is None:
                status = "gap"
            elif prev[0] != prev_hash:
                self.store.alarm(db, device, "chain_fork", str(seq),
                                 f"seq {seq} prev_hash does not match seq {seq - 1}")
                status = "fork"
        elif prev_hash is not None:
            status = "fork"
        # A late record closes the gap in front of its successor.
        db.execute("UPDATE records SET chain = 'ok' WHERE device = ? AND seq = ? AND "
                   "chain = 'gap' AND prev_hash = ?", (device, seq + 1, record["hash"]))
        return status

    def _drop_mismatched_evidence(self, db: sqlite3.Connection, topic: Topic,
                                  record: dict[str, Any]) -> None:
        listed = {e.get("name"): e for e in record.get("evidence") or [] if isinstance(e, dict)}
        for name, sha, size in db.execute("SELECT name, sha256, bytes FROM evidence WHERE "
                                          "record_id = ?", (record["record_id"],)).fetchall():
            entry = listed.get(name)
            if entry is None or entry.get("sha256") != sha or entry.get("bytes") != size:
                self._evidence_alarm(db, topic, record["record_id"], name)
                db.execute("DELETE FROM evidence WHERE record_id = ? AND name = ?",
                           (record["record_id"], name))

    def _evidence_alarm(self, db: sqlite3.Connection, topic: Topic, rid: str, name: str,
                        why: str = "does not match the record's evidence list") -> None:
        self.counters["rejected"] += 1
        log.error("evidence rejected", extra={"device": topic.device, "record_id": rid,
                                              "file": name, "reason": why})
        self.store.alarm(db, topic.device, "evidence_rejected", f"{rid}/{name}",
                         f"evidence {name} of {rid} {why}")

    def _on_evidence(self, db: sqlite3.Connection, topic: Topic,
                     body: dict[str, Any]) -> list[str]:
        rid, name = body.get("record_id"), body.get("name")
        if not isinstance(rid, str) or not isinstance(name, str) or topic.suffix != \
                f"evidence/{rid}":
            self._evidence_alarm(db, topic, str(rid), str(name), "is malformed")
            return []
        try:
            data = base64.b64decode(str(body.get("data_base64")), validate=True)
        except ValueError:
            self._evidence_alarm(db, topic, rid, name, "is not valid base64")
            return []
        sha = hashlib.sha256(data).hexdigest()
        if sha != body.get("sha256"):
            self._evidence_alarm(db, topic, rid, name, "was altered (sha256 mismatch)")
            return []
        row = db.execute("SELECT json FROM records WHERE record_id = ?", (rid,)).fetchone()
        if row is not None:
            listed = {e.get("name"): e for e in json.loads(row[0]).get("evidence") or []}
            entry = listed.get(name)
            if entry is None or entry.get("sha256") != sha or entry.get("bytes") != len(data):
                self._evidence_alarm(db, topic, rid, name)
                return []
        db.execute("INSERT OR IGNORE INTO evidence VALUES (?, ?, ?, ?, ?, ?, ?)",
                   (rid, name, sha, str(body.get("content_type")), len(data), data,
                    time.time()))
        return [rid] if row is not None and self._complete(db, rid) else []

    @staticmethod
    def _complete(db: sqlite3.Connection, rid: str) -> bool:
        """The record and every file it lists are stored (marks complete_at once)."""
        row = db.execute("SELECT json, complete_at FROM records WHERE record_id = ?",
                         (rid,)).fetchone()
        if row is None:
            return False
        if row[1] is not None:
            return True
        listed = json.loads(row[0]).get("evidence") or []
        have = {n: s for n, s in db.execute(
            "SELECT name, sha256 FROM evidence WHERE record_id = ?", (rid,))}
        if any(have.get(e.get("name")) != e.get("sha256") for e in listed):
            return False
        db.execute("UPDATE records SET complete_at = ? WHERE record_id = ?", (time.time(), rid))
        return True

    def _on_bulk(self, db: sqlite3.Connection, topic: Topic, body: dict[str, Any]) -> list[str]:
        rid = body.get("record_id")
        if not isinstance(rid, str) or not rid:
            self.counters["rejected"] += 1
            self.store.alarm(db, topic.device, "bad_record", topic.suffix,
                             f"{topic.suffix} without record_id")
            return []
        cur = db.execute(f"INSERT OR IGNORE INTO {BULK_TABLES[topic.suffix]} VALUES "
                         "(?, ?, ?, ?, ?)", (rid, topic.device, topic.kind,
                                             json.dumps(body, ensure_ascii=False), time.time()))
        self.counters["stored" if cur.rowcount else "duplicates"] += 1
        return [rid]

