"""The central receiver's SQLite database: devices, records, evidence, bulk data, alarms.

Writes happen on the receiver thread inside `transaction()`; the query helpers may be used
from any thread (tests, `edge central list`, other engineers' end-to-end checks).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS devices (
    device TEXT PRIMARY KEY, kind TEXT NOT NULL, public_key TEXT, first_seen REAL NOT NULL,
    state TEXT, state_at REAL, health TEXT, health_at REAL
);
CREATE TABLE IF NOT EXISTS records (
    record_id TEXT PRIMARY KEY, device TEXT NOT NULL, kind TEXT NOT NULL,
    seq INTEGER NOT NULL, hash TEXT NOT NULL, prev_hash TEXT, type TEXT, time TEXT,
    json TEXT NOT NULL, chain TEXT NOT NULL, received_at REAL NOT NULL, complete_at REAL
);
CREATE INDEX IF NOT EXISTS records_by_seq ON records (device, seq);
CREATE TABLE IF NOT EXISTS evidence (
    record_id TEXT NOT NULL, name TEXT NOT NULL, sha256 TEXT NOT NULL,
    content_type TEXT, bytes INTEGER NOT NULL, data BLOB NOT NULL, received_at REAL NOT NULL,
    PRIMARY KEY (record_id, name)
);
CREATE TABLE IF NOT EXISTS held (
    record_id TEXT PRIMARY KEY, device TEXT NOT NULL, json TEXT NOT NULL, received_at REAL
);
CREATE TABLE IF NOT EXISTS passages (
    record_id TEXT PRIMARY KEY, device TEXT NOT NULL, kind TEXT NOT NULL, json TEXT NOT NULL,
    received_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS tracks (
    record_id TEXT PRIMARY KEY, device TEXT NOT NULL, kind TEXT NOT NULL, json TEXT NOT NULL,
    received_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS command_results (
    id INTEGER PRIMARY KEY AUTOINCREMENT, device TEXT NOT NULL, command_id TEXT,
    ok INTEGER, detail TEXT, received_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS alarms (
    id INTEGER PRIMARY KEY AUTOINCREMENT, device TEXT NOT NULL, kind TEXT NOT NULL,
    subject TEXT NOT NULL, detail TEXT NOT NULL, at REAL NOT NULL, count INTEGER NOT NULL,
    UNIQUE (device, kind, subject)
);
"""

BULK_TABLES = {"passage": "passages", "track": "tracks"}


class CentralStore:
    """One SQLite file (WAL, synchronous=FULL: durable before the ack is sent)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                   timeout=30.0)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)
        self._lock = threading.RLock()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _rows(self, sql: str, args: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        with self._lock:
            cur = self._db.execute(sql, args)
            cols = [c[0] for c in cur.description]
            return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]

    # -- writes (inside a transaction) -----------------------------------------------------

    @staticmethod
    def alarm(db: sqlite3.Connection, device: str, kind: str, subject: str, detail: str) -> None:
        db.execute("INSERT INTO alarms (device, kind, subject, detail, at, count) "
                   "VALUES (?, ?, ?, ?, ?, 1) ON CONFLICT (device, kind, subject) DO UPDATE "
                   "SET count = count + 1, at = excluded.at", (device, kind, subject, detail,
                                                                 time.time()))

    # -- queries (any thread) --------------------------------------------------------------

    def records(self, device: str | None = None) -> list[dict[str, Any]]:
        """Stored violation records (the signed JSON) in (device, seq) order."""
        where, args = ("WHERE device = ?", (device,)) if device else ("", ())
        return [json.loads(r["json"]) for r in self._rows(
            f"SELECT json FROM records {where} ORDER BY device, seq", args)]

    def record_rows(self, device: str | None = None) -> list[dict[str, Any]]:
        """Record metadata: record_id, device, kind, seq, type, time, chain, complete_at..."""
        where, args = ("WHERE device = ?", (device,)) if device else ("", ())
        return self._rows("SELECT record_id, device, kind, seq, type, time, chain, hash, "
                          "received_at, complete_at, (SELECT COUNT(*) FROM evidence e WHERE "
                          "e.record_id = r.record_id) AS evidence_files FROM records r "
                          f"{where} ORDER BY device, seq", args)

    def record(self, record_id: str) -> dict[str, Any] | None:
        rows = self._rows("SELECT json FROM records WHERE record_id = ?", (record_id,))
        return json.loads(rows[0]["json"]) if rows else None

    def evidence(self, record_id: str) -> dict[str, bytes]:
        """The stored files of a record, by name."""
        return {r["name"]: bytes(r["data"]) for r in self._rows(
            "SELECT name, data FROM evidence WHERE record_id = ?", (record_id,))}

    def bulk(self, topic: str, device: str | None = None) -> list[dict[str, Any]]:
        """Stored `passage` or `track` payloads in arrival order."""
        where, args = ("WHERE device = ?", (device,)) if device else ("", ())
        return [json.loads(r["json"]) for r in self._rows(
            f"SELECT json FROM {BULK_TABLES[topic]} {where} ORDER BY rowid", args)]

    def passages(self, device: str | None = None) -> list[dict[str, Any]]:
        return self.bulk("passage", device)

    def tracks(self, device: str | None = None) -> list[dict[str, Any]]:
        return self.bulk("track", device)

    def devices(self) -> list[dict[str, Any]]:
        """Per device: kind, pinned public key, last state and health (parsed)."""
        out = self._rows("SELECT device, kind, public_key, first_seen, state, state_at, "
                         "health, health_at FROM devices ORDER BY device")
        for d in out:
            d["state"] = json.loads(d["state"]) if d["state"] else None
            d["health"] = json.loads(d["health"]) if d["health"] else None
        return out

    def device(self, device: str) -> dict[str, Any] | None:
        return next((d for d in self.devices() if d["device"] == device), None)

    def alarms(self, device: str | None = None) -> list[dict[str, Any]]:
        """Alarms (key changed, bad hash or signature, fork, tampered evidence...)."""
        where, args = ("WHERE device = ?", (device,)) if device else ("", ())
        return self._rows("SELECT device, kind, subject, detail, at, count FROM alarms "
                          f"{where} ORDER BY id", args)

    def command_results(self, device: str | None = None) -> list[dict[str, Any]]:
        where, args = ("WHERE device = ?", (device,)) if device else ("", ())
        rows = self._rows("SELECT device, command_id, ok, detail, received_at FROM "
                          f"command_results {where} ORDER BY id", args)
        for r in rows:
            r["ok"] = bool(r["ok"])
        return rows

    def count(self, what: str = "records", device: str | None = None) -> int:
        """Rows in records, evidence, passages, tracks, alarms, held or command_results."""
        if what not in ("records", "evidence", "passages", "tracks", "alarms", "held",
                        "command_results"):
            raise ValueError(what)
        if device is None:
            return int(self._rows(f"SELECT COUNT(*) AS n FROM {what}")[0]["n"])
        if what == "evidence":
            return int(self._rows("SELECT COUNT(*) AS n FROM evidence WHERE record_id IN "
                                  "(SELECT record_id FROM records WHERE device = ?)",
                                  (device,))[0]["n"])
        return int(self._rows(f"SELECT COUNT(*) AS n FROM {what} WHERE device = ?",
                              (device,))[0]["n"])

    def chain_problems(self, device: str | None = None) -> list[dict[str, Any]]:
        """Records whose chain link is not ok (gap or fork)."""
        where = "AND device = ?" if device else ""
        return self._rows("SELECT record_id, device, seq, chain FROM records WHERE "
                          f"chain != 'ok' {where} ORDER BY device, seq",
                          (device,) if device else ())
