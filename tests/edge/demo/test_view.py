"""The demo view before anything arrived, and from a real receiver database."""

from __future__ import annotations

import json
import time
from pathlib import Path

from edge.central.store import CentralStore
from edge.demo.orchestrator import status_line
from edge.demo.view import DemoPaths, gather, render

KINDS = {"site-1": "wim", "boat-1": "vessel"}


def paths(tmp_path: Path) -> DemoPaths:
    return DemoPaths(tmp_path, tmp_path / "central.sqlite", tmp_path / "sign",
                     tmp_path / "screen", tmp_path / "voice")


def test_nothing_yet(tmp_path: Path) -> None:
    snap = gather(paths(tmp_path), KINDS)
    lines = render(snap, KINDS, 65.0, [])
    assert lines[0].startswith("edge demo  01:05")
    assert "WIM site site-1: not seen yet" in lines
    assert lines.count("    (none yet)") == 2
    assert status_line(snap, KINDS, 5.0).startswith("[00:05] weighed 0 ")


def test_what_the_receiver_and_the_sign_hold(tmp_path: Path) -> None:
    p = paths(tmp_path)
    store = CentralStore(p.central_db)
    now = time.time()
    with store.transaction() as db:
        db.execute("INSERT INTO devices (device, kind, first_seen, state, health, health_at) "
                   "VALUES ('site-1', 'wim', ?, ?, ?, ?)",
                   (now, json.dumps({"online": True}),
                    json.dumps({"outbox": {"depth": {"violation": 2}}}), now))
        for i, overloaded in enumerate((True, False, False)):
            db.execute("INSERT INTO passages VALUES (?, 'site-1', 'wim', ?, ?)",
                       (f"p{i}", json.dumps({"overloaded": overloaded}), now))
        record = {"type": "overload", "time": "2026-11-30T10:00:00Z",
                  "details": {"plate": "浙F12345", "lane": 1, "gvw_kg": 55000,
                              "limit_kg": 49000, "excess_pct": 12.2}}
        db.execute("INSERT INTO records (record_id, device, kind, seq, hash, json, chain, "
                   "received_at, complete_at) VALUES ('r1', 'site-1', 'wim', 1, 'h', ?, 'ok', "
                   "?, ?)", (json.dumps(record), now, now))
    store.close()
    p.sign_dir.mkdir()
    (p.sign_dir / "history.jsonl").write_text(
        json.dumps({"text": "浙F12345 超限12% 请驶入检测站", "png": "a.png"}) + "\n{\"trunc")
    snap = gather(p, KINDS)
    assert (snap.passages, snap.overloaded, snap.records_verified) == (3, 1, 1)
    assert snap.records_by_kind == {"wim": (1, 1)}
    text = "\n".join(render(snap, KINDS, 1.0, ["note"]))
    assert "site-1: online, health 0 s ago, outbox waiting: violation 2" in text
    assert "sign shows: 浙F12345 超限12% 请驶入检测站" in text
    assert "浙F12345    lane 1  GVW  55.0 t  limit   49 t  excess +12.2 %  verified" in text
