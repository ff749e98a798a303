"""SQLite outbox (WAL, synchronous=FULL): a record is on disk before `enqueue_*` returns.

Classes and their policies (issue 3):
- violations and their evidence are never dropped; above the low-priority share of the disk
  budget new bulk data is refused first, and only at the hard limit are violations refused;
- bulk (passages, tracks) is bounded by `max_bulk_records`, the oldest dropped and counted;
- live data (state, health) never comes here.

Rows leave only when `ack()` names their record_id (down/ack). The chain state (last seq and
hash) lives in the `ledger` table and changes in the same transaction as the record, so a
`kill -9` at any instant loses nothing committed and never reuses a seq.
"""

from __future__ import annotations

import base64
import fcntl
import json
import logging
import os
import shutil
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from edge.closing import ClosedOnExit
from edge.config.common import OutboxSection
from edge.errors import EdgeError
from edge.evidence.files import EvidenceFile, fsync_dir, write_file_atomic
from edge.evidence.record import canonical_json

log = logging.getLogger(__name__)

VIOLATION, EVIDENCE, BULK = 0, 1, 2
PRIORITY_NAMES = {VIOLATION: "violation", EVIDENCE: "evidence", BULK: "bulk"}
_MB = 1024 * 1024

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    prio INTEGER NOT NULL,
    record_id TEXT NOT NULL,
    topic_suffix TEXT NOT NULL,
    payload BLOB,
    file_name TEXT,
    sha256 TEXT,
    content_type TEXT,
    bytes INTEGER NOT NULL,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_by_prio ON outbox (prio, id);
CREATE INDEX IF NOT EXISTS outbox_by_record ON outbox (record_id);
CREATE TABLE IF NOT EXISTS ledger (
    seq INTEGER PRIMARY KEY,
    record_id TEXT NOT NULL UNIQUE,
    hash TEXT NOT NULL,
    prev_hash TEXT,
    created_at REAL NOT NULL,
    acked_at REAL
);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS commands (
    command_id TEXT PRIMARY KEY, result TEXT NOT NULL, at REAL NOT NULL
);
"""


class OutboxError(EdgeError):
    """The outbox cannot be opened or written."""


class OutboxFullError(OutboxError):
    """The disk budget's hard limit is reached: even a violation cannot be stored."""


@dataclass(frozen=True)
class OutboxItem:
    """One row waiting for its ack; `payload` is None for an evidence file (read at send time)."""

    id: int
    prio: int
    record_id: str
    topic_suffix: str
    payload: bytes | None
    file_name: str | None
    sha256: str | None
    content_type: str | None
    created_at: float


RecordBuilder = Callable[[int, str | None], dict[str, Any]]
"""(seq, prev_hash) -> the complete signed record with `record_id` and `hash`."""


class Outbox(ClosedOnExit):
    """The durable queue of one agent; thread-safe (one connection behind a lock)."""

    def __init__(self, section: OutboxSection, device: str,
                 clock: Callable[[], float] = time.time) -> None:
        self.section = section
        self.device = device
        self.path = Path(section.path)
        self.evidence_dir = Path(section.evidence_dir)
        self._clock = clock
        self._lock = threading.RLock()
        self._budget = int(section.disk_budget_mb * _MB)
        self._soft = int(self._budget * section.low_priority_share)
        self._min_free = int(section.min_free_disk_mb * _MB)
        self._alarms: set[str] = set()
        self._lock_fd = self._take_process_lock()
        try:
            self._db = self._open_db()
            self._check_device()
            self._counts = self._count_rows()
            self._evidence_bytes = self._sum_evidence_bytes()
            self._sweep_orphan_files()
        except BaseException:
            os.close(self._lock_fd)
            raise
        self._listeners: list[Callable[[], None]] = []

    # -- opening ---------------------------------------------------------------------------

    def _take_process_lock(self) -> int:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(f"{self.path}.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            os.close(fd)
            raise OutboxError(f"{self.path} is in use by another process") from exc
        return fd

    def _open_db(self) -> sqlite3.Connection:
        try:
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                 timeout=30.0)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.executescript(_SCHEMA)
            status = db.execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise OutboxError(f"{self.path}: cannot open the outbox ({exc})") from exc
        if status != "ok":
            db.close()
            raise OutboxError(f"{self.path}: database is corrupt ({status})")
        return db

    def _check_device(self) -> None:
        with self._tx():
            self._db.execute("INSERT OR IGNORE INTO meta VALUES ('device', ?)", (self.device,))
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('evidence_dir', ?)",
                             (str(self.evidence_dir.resolve()),))
        owner = self.meta("device")
        if owner != self.device:
            self._db.close()
            raise OutboxError(f"{self.path} belongs to device {owner!r}, not {self.device!r}")

    def _count_rows(self) -> dict[int, int]:
        counts = {VIOLATION: 0, EVIDENCE: 0, BULK: 0}
        for prio, n in self._db.execute("SELECT prio, COUNT(*) FROM outbox GROUP BY prio"):
            counts[prio] = n
        return counts

    def _sum_evidence_bytes(self) -> int:
        row = self._db.execute("SELECT COALESCE(SUM(bytes), 0) FROM outbox WHERE prio = ?",
                               (EVIDENCE,)).fetchone()
        return int(row[0])

    def _sweep_orphan_files(self) -> None:
        """Delete evidence folders no row refers to (written, then the process died)."""
        if not self.evidence_dir.is_dir():
            return
        wanted = {r for (r,) in self._db.execute(
            "SELECT DISTINCT record_id FROM outbox WHERE prio = ?", (EVIDENCE,))}
        for entry in self.evidence_dir.iterdir():
            if entry.is_dir() and entry.name not in wanted:
                shutil.rmtree(entry, ignore_errors=True)
            elif entry.is_file() and entry.name.endswith(".tmp"):
                entry.unlink(missing_ok=True)

    def close(self) -> None:
        """Close the database and release the process lock; safe to call twice."""
        with self._lock:
            if self._lock_fd < 0:
                return
            self._db.close()
            os.close(self._lock_fd)
            self._lock_fd = -1


    # -- helpers ---------------------------------------------------------------------------

    class _Tx:
        def __init__(self, outbox: Outbox, durable: bool) -> None:
            self.o = outbox
            self.durable = durable

        def __enter__(self) -> sqlite3.Connection:
            self.o._lock.acquire()
            try:
                if not self.durable:
                    self.o._db.execute("PRAGMA synchronous=NORMAL")
                self.o._db.execute("BEGIN IMMEDIATE")
            except BaseException:
                self._restore()
                self.o._lock.release()
                raise
            return self.o._db

        def __exit__(self, exc_type: object, *rest: object) -> None:
            try:
                self.o._db.execute("ROLLBACK" if exc_type else "COMMIT")
            finally:
                self._restore()
                self.o._lock.release()

        def _restore(self) -> None:
            if not self.durable:
                self.o._db.execute("PRAGMA synchronous=FULL")

    def _tx(self, durable: bool = True) -> Outbox._Tx:
        """A write transaction; `durable=False` skips the fsync at commit (WAL stays
        consistent, only the last such transactions may be undone by a power cut)."""
        return Outbox._Tx(self, durable)

    def meta(self, key: str) -> str | None:
        """A value from the meta table (device, evidence_dir, public_key, ...)."""
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def on_enqueue(self, listener: Callable[[], None]) -> None:
        """Call `listener()` (quickly, from the enqueuing thread) after each commit."""
        self._listeners.append(listener)

    def _notify(self) -> None:
        for listener in self._listeners:
            listener()

    def _bump(self, db: sqlite3.Connection, name: str, by: int = 1) -> None:
        db.execute("INSERT INTO counters VALUES (?, ?) ON CONFLICT(name) "
                   "DO UPDATE SET value = value + excluded.value", (name, by))

    def used_bytes(self) -> int:
        """Bytes the outbox holds: live database pages plus evidence files."""
        with self._lock:
            page_size = self._db.execute("PRAGMA page_size").fetchone()[0]
            pages = self._db.execute("PRAGMA page_count").fetchone()[0]
            free = self._db.execute("PRAGMA freelist_count").fetchone()[0]
        return int((pages - free) * page_size + self._evidence_bytes)

    def free_disk_bytes(self) -> int:
        return shutil.disk_usage(self.path.parent).free

    def _room_for(self, prio: int, size: int) -> bool:
        """Apply the budget; raise the alarms that go with it."""
        used = self.used_bytes() + size
        free = self.free_disk_bytes() - size
        if free < self._min_free:
            self._alarms.add("disk_free_low")
        else:
            self._alarms.discard("disk_free_low")
        if used >= self._soft:
            self._alarms.add("disk_budget_low")
        else:
            self._alarms.discard("disk_budget_low")
            self._alarms.discard("disk_budget_exhausted")
        if prio == BULK:
            return used < self._soft and free >= self._min_free
        ok = used < self._budget and free >= self._min_free
        if not ok:
            self._alarms.add("disk_budget_exhausted")
        return ok

    # -- enqueue ---------------------------------------------------------------------------

    def enqueue_violation(self, build: RecordBuilder, files: Sequence[EvidenceFile] = (),
                          record_id: str | None = None) -> dict[str, Any]:
        """Chain, sign and commit one violation record and its files; returns the record.

        The files are written (atomically) first; a crash before the commit leaves only
        orphan files, swept at the next start. Raises OutboxFullError at the hard limit.
        """
        record_id = record_id or str(uuid.uuid4())
        size = sum(f.size_bytes for f in files) + 2048
        if not self._room_for(VIOLATION, size):
            with self._tx() as db:
                self._bump(db, "refused_violations")
            raise OutboxFullError(
                f"outbox disk budget exhausted ({self.used_bytes()} bytes used of "
                f"{self._budget}, {self.free_disk_bytes()} free on disk): violation refused")
        folder = self.evidence_dir / record_id
        for f in files:
            write_file_atomic(folder / f.name, f.data)
        try:
            record = self._commit_violation(build, files, record_id)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        self._counts[VIOLATION] += 1
        self._counts[EVIDENCE] += len(files)
        self._evidence_bytes += sum(f.size_bytes for f in files)
        self._notify()
        return record

    def _commit_violation(self, build: RecordBuilder, files: Sequence[EvidenceFile],
                          record_id: str) -> dict[str, Any]:
        now = self._clock()
        with self._tx() as db:
            last = db.execute("SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1").fetchone()
            seq, prev_hash = (1, None) if last is None else (last[0] + 1, last[1])
            record = build(seq, prev_hash)
            if record.get("record_id") != record_id or record.get("seq") != seq:
                raise OutboxError("record builder returned a record with another id or seq")
            db.execute("INSERT INTO ledger VALUES (?, ?, ?, ?, ?, NULL)",
                       (seq, record_id, record["hash"], prev_hash, now))
            payload = canonical_json(record)
            db.execute("INSERT INTO outbox (prio, record_id, topic_suffix, payload, bytes, "
                       "created_at) VALUES (?, ?, 'violation', ?, ?, ?)",
                       (VIOLATION, record_id, payload, len(payload), now))
            db.executemany(
                "INSERT INTO outbox (prio, record_id, topic_suffix, file_name, sha256, "
                "content_type, bytes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(EVIDENCE, record_id, f"evidence/{record_id}", f.name, f.sha256,
                  f.content_type, f.size_bytes, now) for f in files])
        return record

    def enqueue_bulk(self, topic_suffix: str, payload: Mapping[str, Any],
                     record_id: str | None = None) -> str | None:
        """Commit one passage/track message; returns its record_id, or None when refused.

        `record_id` is added to the payload (the ack names it). Beyond `max_bulk_records`
        the oldest bulk row is dropped and counted.
        """
        record_id = str(payload.get("record_id") or record_id or uuid.uuid4())
        data = canonical_json({**payload, "record_id": record_id})
        if not self._room_for(BULK, len(data)):
            with self._tx() as db:
                self._bump(db, "refused_bulk")
            return None
        with self._tx() as db:
            excess = self._counts[BULK] + 1 - self.section.max_bulk_records
            if excess > 0:
                db.execute("DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE "
                           "prio = ? ORDER BY id LIMIT ?)", (BULK, excess))
                self._bump(db, "dropped_bulk", excess)
            db.execute("INSERT INTO outbox (prio, record_id, topic_suffix, payload, bytes, "
                       "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                       (BULK, record_id, topic_suffix, data, len(data), self._clock()))
        self._counts[BULK] += 1 - max(excess, 0)
        self._notify()
        return record_id

    # -- drain -----------------------------------------------------------------------------

    def next_batch(self, after: Mapping[int, int], limit: int) -> list[OutboxItem]:
        """Up to `limit` rows in drain order (violations, evidence, bulk; by id within a
        class), each class starting after the row id `after[prio]`."""
        items: list[OutboxItem] = []
        with self._lock:
            for prio in (VIOLATION, EVIDENCE, BULK):
                if len(items) >= limit:
                    break
                rows = self._db.execute(
                    "SELECT id, prio, record_id, topic_suffix, payload, file_name, sha256, "
                    "content_type, created_at FROM outbox WHERE prio = ? AND id > ? "
                    "ORDER BY id LIMIT ?", (prio, after.get(prio, 0), limit - len(items)))
                items.extend(OutboxItem(*row) for row in rows)
        return items

    def evidence_path(self, item: OutboxItem) -> Path:
        return self.evidence_dir / item.record_id / str(item.file_name)

    def message_for(self, item: OutboxItem) -> bytes:
        """The MQTT payload of a row; an evidence file is read now and base64-encoded.

        Raises OSError when an evidence file has vanished from disk.
        """
        if item.payload is not None:
            return bytes(item.payload)
        data = self.evidence_path(item).read_bytes()
        return canonical_json({"record_id": item.record_id, "name": item.file_name,
                               "sha256": item.sha256, "content_type": item.content_type,
                               "data_base64": base64.b64encode(data).decode("ascii")})

    def ack(self, record_ids: Iterable[str]) -> int:
        """Remove the rows (and evidence files) of acknowledged records; unknown ids are
        ignored (duplicate acks). Returns the number of rows removed."""
        ids = list(dict.fromkeys(str(r) for r in record_ids))
        if not ids:
            return 0
        now = self._clock()
        removed: dict[int, int] = {VIOLATION: 0, EVIDENCE: 0, BULK: 0}
        evidence_bytes = 0
        with self._lock:
            with_files = self._with_files(ids)
        # Forgetting an ack in a power cut only costs a duplicate the receiver ignores, so
        # the commit needs no fsync - unless evidence files are deleted after it: rows whose
        # files are gone must never come back.
        with self._tx(durable=bool(with_files)) as db:
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                marks = ",".join("?" * len(chunk))
                for prio, n, size in db.execute(
                        f"SELECT prio, COUNT(*), SUM(bytes) FROM outbox WHERE record_id IN "
                        f"({marks}) GROUP BY prio", chunk):
                    removed[prio] += n
                    if prio == EVIDENCE:
                        evidence_bytes += size
                db.execute(f"DELETE FROM outbox WHERE record_id IN ({marks})", chunk)
                db.execute(f"UPDATE ledger SET acked_at = ? WHERE acked_at IS NULL AND "
                           f"record_id IN ({marks})", [now, *chunk])
        for prio, n in removed.items():
            self._counts[prio] -= n
        self._evidence_bytes -= evidence_bytes
        for rid in with_files:
            shutil.rmtree(self.evidence_dir / rid, ignore_errors=True)
        if with_files and self.evidence_dir.is_dir():
            fsync_dir(self.evidence_dir)
        return sum(removed.values())

    def _with_files(self, ids: list[str]) -> list[str]:
        found: list[str] = []
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            found += [r for (r,) in self._db.execute(
                f"SELECT DISTINCT record_id FROM outbox WHERE prio = {EVIDENCE} AND "
                f"record_id IN ({','.join('?' * len(chunk))})", chunk)]
        return found

    # -- commands (idempotence survives restarts) ------------------------------------------

    def recall_command(self, command_id: str) -> dict[str, Any] | None:
        """The result already given for a command_id, if any."""
        with self._lock:
            row = self._db.execute("SELECT result FROM commands WHERE command_id = ?",
                                   (command_id,)).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def remember_command(self, command_id: str, result: Mapping[str, Any],
                         keep_s: float = 30 * 86400) -> None:
        now = self._clock()
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO commands VALUES (?, ?, ?)",
                       (command_id, json.dumps(result), now))
            db.execute("DELETE FROM commands WHERE at < ?", (now - keep_s,))

    # -- state -----------------------------------------------------------------------------

    def depth(self) -> dict[str, int]:
        """Rows waiting for an ack, per class."""
        return {PRIORITY_NAMES[p]: n for p, n in self._counts.items()}

    def counters(self) -> dict[str, int]:
        with self._lock:
            return {n: v for n, v in self._db.execute("SELECT name, value FROM counters")}

    def chain_head(self) -> tuple[int, str | None]:
        """(last seq, its hash); (0, None) before the first record."""
        with self._lock:
            row = self._db.execute("SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1"
                                   ).fetchone()
        return (0, None) if row is None else (int(row[0]), str(row[1]))

    def health(self) -> dict[str, Any]:
        """Depth, age of the oldest unacknowledged record, disk use, counters, alarms."""
        with self._lock:
            oldest = self._db.execute("SELECT MIN(created_at) FROM outbox").fetchone()[0]
        used, free = self.used_bytes(), self.free_disk_bytes()
        self._room_for(BULK, 0)  # refresh the alarms even when nothing is being enqueued
        return {
            "depth": self.depth(),
            "oldest_unsent_age_s": None if oldest is None else round(self._clock() - oldest, 3),
            "used_bytes": used,
            "budget_bytes": self._budget,
            "free_disk_bytes": free,
            "counters": self.counters(),
            "alarms": sorted(self._alarms),
        }
