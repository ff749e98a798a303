"""Audit a store of records: an agent's outbox, a central receiver's database, or a folder.

The first problem in (device, seq) order is the first broken link of the chain.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from edge.errors import EdgeError
from edge.evidence.verify import verify_chain, verify_evidence, verify_record


@dataclass
class AuditReport:
    """What was checked and every problem found, first broken link first."""

    source: str
    records: int = 0
    files: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


Files = Callable[[Mapping[str, Any]], Mapping[str, bytes | None]]
Located = tuple[str, int, str]  # (device, seq, message) for ordering


def audit_records(source: str, records: list[dict[str, Any]], files_of: Files,
                  key_of: Callable[[str], str | None], *, complete: bool,
                  extra: Sequence[Located] = ()) -> AuditReport:
    """Check each record's hash and signature, the chain and every evidence file."""
    report = AuditReport(source, records=len(records))
    found: list[Located] = list(extra)
    for r in records:
        device, seq, rid = str(r.get("device")), int(r.get("seq") or 0), r.get("record_id")
        where = f"device {device} seq {seq} record {rid}"
        found += [(device, seq, f"{where}: {p}") for p in verify_record(r, key_of(device))]
        files = files_of(r)
        report.files += sum(1 for v in files.values() if v is not None)
        found += [(device, seq, f"{where}: {p}") for p in verify_evidence(r, files)]
    found += [(p.device, int(p.seq or 0), str(p))
              for p in verify_chain(records, complete=complete)]
    report.problems = [msg for _, _, msg in sorted(found, key=lambda x: (x[0], x[1]))]
    return report


def audit(path: Path, public_key_b64: str | None = None) -> AuditReport:
    """Audit an outbox or central SQLite file, or a folder of `*.json` records."""
    if path.is_dir():
        return _audit_folder(path, public_key_b64)
    if not path.is_file():
        raise EdgeError(f"{path}: no such file or folder")
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        tables = {n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as exc:
        raise EdgeError(f"{path}: not a SQLite database ({exc})") from exc
    try:
        if {"outbox", "ledger"} <= tables:
            return _audit_outbox(path, db, public_key_b64)
        if {"records", "evidence", "devices"} <= tables:
            return _audit_central(path, db, public_key_b64)
        raise EdgeError(f"{path}: neither an outbox nor a central receiver database")
    finally:
        db.close()


def _audit_outbox(path: Path, db: sqlite3.Connection, key: str | None) -> AuditReport:
    meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
    device = meta.get("device", "?")
    key = key or meta.get("public_key")
    evidence_dir = Path(meta.get("evidence_dir", path.parent / "evidence"))
    records = [json.loads(p) for (p,) in db.execute(
        "SELECT payload FROM outbox WHERE prio = 0 ORDER BY id")]
    names: dict[str, list[str]] = {}
    for rid, name in db.execute("SELECT record_id, file_name FROM outbox WHERE prio = 1"):
        names.setdefault(rid, []).append(name)

    def files_of(r: Mapping[str, Any]) -> dict[str, bytes | None]:
        rid = str(r.get("record_id"))
        out: dict[str, bytes | None] = {}
        for name in names.get(rid, []):
            p = evidence_dir / rid / name
            out[name] = p.read_bytes() if p.is_file() else None
        return out

    # The ledger keeps every hash ever issued: it proves the chain from seq 1 and shows a
    # record deleted before it was acknowledged.
    ledger = [{"device": device, "seq": s, "record_id": rid, "hash": h, "prev_hash": ph,
               "acked_at": a} for s, rid, h, ph, a in db.execute(
                   "SELECT seq, record_id, hash, prev_hash, acked_at FROM ledger ORDER BY seq")]
    by_id = {r.get("record_id"): r for r in records}
    extra: list[Located] = [(device, int(p.seq or 0), f"ledger: {p}")
                            for p in verify_chain(ledger, complete=True)]
    for entry in ledger:
        where = f"device {device} seq {entry['seq']} record {entry['record_id']}"
        rec = by_id.get(entry["record_id"])
        if rec is None and entry["acked_at"] is None:
            extra.append((device, entry["seq"], f"{where}: record missing (removed before "
                          "the central platform acknowledged it)"))
        elif rec is not None and (rec.get("hash") != entry["hash"]
                                  or rec.get("seq") != entry["seq"]):
            extra.append((device, entry["seq"], f"{where}: record differs from the ledger"))
    return audit_records(str(path), records, files_of, lambda _d: key, complete=False,
                         extra=extra)


def _audit_central(path: Path, db: sqlite3.Connection, key: str | None) -> AuditReport:
    keys = dict(db.execute("SELECT device, public_key FROM devices").fetchall())
    records = [json.loads(j) for (j,) in db.execute(
        "SELECT json FROM records ORDER BY device, seq")]

    def files_of(r: Mapping[str, Any]) -> dict[str, bytes | None]:
        rows = db.execute("SELECT name, data FROM evidence WHERE record_id = ?",
                          (r.get("record_id"),))
        return {name: bytes(data) for name, data in rows}

    return audit_records(str(path), records, files_of, lambda d: key or keys.get(d),
                         complete=True)


def _audit_folder(path: Path, key: str | None) -> AuditReport:
    records: list[dict[str, Any]] = []
    folders: dict[str, Path] = {}
    for p in sorted(path.rglob("*.json")):
        try:
            r = json.loads(p.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise EdgeError(f"{p}: not a JSON record ({exc})") from exc
        if isinstance(r, dict) and "record_id" in r:
            records.append(r)
            folders[str(r["record_id"])] = p.parent / str(r["record_id"])

    def files_of(r: Mapping[str, Any]) -> dict[str, bytes | None]:
        folder = folders[str(r.get("record_id"))]
        out: dict[str, bytes | None] = {}
        for entry in r.get("evidence") or []:
            f = folder / str(entry.get("name"))
            out[str(entry.get("name"))] = f.read_bytes() if f.is_file() else None
        return out

    return audit_records(str(path), records, files_of, lambda _d: key, complete=False)
