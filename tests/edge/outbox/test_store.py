"""The outbox on real SQLite files: durability, order, acks, bounds, budget, restarts."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from edge.config.common import OutboxSection
from edge.evidence import EvidenceFile, Signer, verify_chain
from edge.evidence.audit import audit
from edge.outbox import (
    BULK,
    EVIDENCE,
    VIOLATION,
    Outbox,
    OutboxError,
    OutboxFullError,
    ViolationWriter,
)

SIGNER = Signer.generate()
WHEN = "2026-11-30T08:00:00.000Z"
POS = {"lat": 30.0, "lon": 120.0}


def section(tmp_path: Path, **kw: Any) -> OutboxSection:
    return OutboxSection(path=tmp_path / "outbox.sqlite", evidence_dir=tmp_path / "evidence",
                         min_free_disk_mb=0, **kw)


def writer(box: Outbox) -> ViolationWriter:
    return ViolationWriter(box, SIGNER, "site-1", "wim")


def photo(i: int, size: int = 1000) -> EvidenceFile:
    return EvidenceFile(f"photo{i}.jpg", "image/jpeg", bytes([i % 256]) * size)


def test_seq_and_chain_survive_a_restart(tmp_path: Path) -> None:
    with Outbox(section(tmp_path), "site-1") as box:
        first = [writer(box).submit("overload", WHEN, POS, {"n": i}) for i in range(3)]
    with Outbox(section(tmp_path), "site-1") as box:
        more = [writer(box).submit("overload", WHEN, POS, {"n": i}) for i in range(2)]
        assert box.chain_head() == (5, more[-1]["hash"])
    records = first + more
    assert [r["seq"] for r in records] == [1, 2, 3, 4, 5]
    assert verify_chain(records, complete=True) == []
    assert audit(tmp_path / "outbox.sqlite").ok


def test_drain_order_is_violations_then_evidence_then_bulk(tmp_path: Path) -> None:
    with Outbox(section(tmp_path), "site-1") as box:
        box.enqueue_bulk("passage", {"n": 0})
        r = writer(box).submit("overload", WHEN, POS, {}, [photo(1), photo(2)])
        box.enqueue_bulk("passage", {"n": 1})
        r2 = writer(box).submit("overload", WHEN, POS, {})
        items = box.next_batch({}, 10)
        assert [(i.prio, i.record_id) for i in items][:3] == [
            (VIOLATION, r["record_id"]), (VIOLATION, r2["record_id"]), (EVIDENCE, r["record_id"])]
        assert [i.prio for i in items] == [VIOLATION, VIOLATION, EVIDENCE, EVIDENCE, BULK, BULK]
        after = {VIOLATION: items[1].id, EVIDENCE: items[3].id}
        assert [i.prio for i in box.next_batch(after, 10)] == [BULK, BULK]
        assert box.depth() == {"violation": 2, "evidence": 2, "bulk": 2}


def test_ack_removes_record_evidence_and_files(tmp_path: Path) -> None:
    with Outbox(section(tmp_path), "site-1") as box:
        r = writer(box).submit("overload", WHEN, POS, {}, [photo(1)])
        folder = tmp_path / "evidence" / r["record_id"]
        assert (folder / "photo1.jpg").read_bytes() == photo(1).data
        assert box.ack([r["record_id"], "unknown-id"]) == 2
        assert box.ack([r["record_id"]]) == 0
        assert not folder.exists()
        assert box.depth() == {"violation": 0, "evidence": 0, "bulk": 0}
    assert audit(tmp_path / "outbox.sqlite").ok


def test_bulk_is_bounded_oldest_dropped_and_counted(tmp_path: Path) -> None:
    with Outbox(section(tmp_path, max_bulk_records=100), "site-1") as box:
        ids = [box.enqueue_bulk("track", {"n": i}) for i in range(150)]
        kept = [i.record_id for i in box.next_batch({}, 1000)]
        assert kept == ids[50:]
        assert box.counters()["dropped_bulk"] == 50


def test_disk_budget_refuses_bulk_first_then_violations_with_an_alarm(tmp_path: Path) -> None:
    sec = section(tmp_path, disk_budget_mb=1.0, low_priority_share=0.5)
    with Outbox(sec, "site-1") as box:
        w = writer(box)
        n = 0
        while box.enqueue_bulk("passage", {"pad": "x" * 900, "n": n}) is not None:
            n += 1
        assert "disk_budget_low" in box.health()["alarms"]
        accepted = 0
        with pytest.raises(OutboxFullError, match="budget exhausted"):
            while True:
                w.submit("overload", WHEN, POS, {}, [photo(accepted, 20_000)])
                accepted += 1
        assert accepted > 5
        health = box.health()
        assert "disk_budget_exhausted" in health["alarms"]
        assert health["counters"]["refused_violations"] == 1
        assert health["counters"]["refused_bulk"] >= 1
        assert box.depth()["violation"] == accepted
    db = sqlite3.connect(tmp_path / "outbox.sqlite")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
    assert audit(tmp_path / "outbox.sqlite").ok


def test_one_process_at_a_time(tmp_path: Path) -> None:
    with Outbox(section(tmp_path), "site-1"), pytest.raises(OutboxError, match="in use"):
        Outbox(section(tmp_path), "site-1")


def test_outbox_belongs_to_one_device(tmp_path: Path) -> None:
    Outbox(section(tmp_path), "site-1").close()
    with pytest.raises(OutboxError, match="belongs to device"):
        Outbox(section(tmp_path), "site-2")


def test_orphan_evidence_of_an_uncommitted_record_is_swept(tmp_path: Path) -> None:
    orphan = tmp_path / "evidence" / "never-committed"
    orphan.mkdir(parents=True)
    (orphan / "photo.jpg").write_bytes(b"x")
    with Outbox(section(tmp_path), "site-1") as box:
        r = writer(box).submit("overload", WHEN, POS, {}, [photo(1)])
    with Outbox(section(tmp_path), "site-1"):
        assert not orphan.exists()
        assert (tmp_path / "evidence" / r["record_id"] / "photo1.jpg").exists()


def test_evidence_message_carries_the_file(tmp_path: Path) -> None:
    import base64
    import json
    with Outbox(section(tmp_path), "site-1") as box:
        r = writer(box).submit("overload", WHEN, POS, {}, [photo(7)])
        item = next(i for i in box.next_batch({}, 10) if i.prio == EVIDENCE)
        msg = json.loads(box.message_for(item))
        assert item.topic_suffix == f"evidence/{r['record_id']}"
        assert msg["sha256"] == photo(7).sha256 and msg["name"] == "photo7.jpg"
        assert base64.b64decode(msg["data_base64"]) == photo(7).data
