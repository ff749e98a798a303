"""`edge evidence verify`: tampering (a photo byte, a record field, a deleted record) is named."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from edge.cli import main
from edge.config.common import OutboxSection
from edge.evidence import EvidenceFile, Signer
from edge.outbox import Outbox, ViolationWriter


def fill(tmp_path: Path, n: int = 4) -> list[dict]:
    sec = OutboxSection(path=tmp_path / "outbox.sqlite", evidence_dir=tmp_path / "evidence",
                        min_free_disk_mb=0)
    with Outbox(sec, "site-1") as box:
        w = ViolationWriter(box, Signer.generate(), "site-1", "wim")
        return [w.submit("overload", "2026-11-30T08:00:00.000Z", {"lat": 1.0, "lon": 2.0},
                         {"n": i}, [EvidenceFile("plate.jpg", "image/jpeg", bytes(500))])
                for i in range(n)]


def verify(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:
    status = main(["evidence", "verify", str(path), "--json"])
    return status, json.loads(capsys.readouterr().out)


def test_intact_outbox_verifies(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fill(tmp_path)
    status, out = verify(tmp_path / "outbox.sqlite", capsys)
    assert (status, out["ok"], out["records"], out["files"]) == (0, True, 4, 4)


def test_one_byte_of_a_photo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    records = fill(tmp_path)
    f = tmp_path / "evidence" / records[2]["record_id"] / "plate.jpg"
    data = bytearray(f.read_bytes())
    data[10] ^= 0x01
    f.write_bytes(bytes(data))
    status, out = verify(tmp_path / "outbox.sqlite", capsys)
    assert status == 1
    assert out["first_broken_link"].startswith(f"device site-1 seq 3 record {records[2]['record_id']}")
    assert "sha256 mismatch" in out["first_broken_link"]


def test_one_field_of_a_record(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    records = fill(tmp_path)
    db = sqlite3.connect(tmp_path / "outbox.sqlite")
    rid = records[1]["record_id"]
    payload = json.loads(db.execute("SELECT payload FROM outbox WHERE record_id = ? AND prio = 0",
                                    (rid,)).fetchone()[0])
    payload["details"]["n"] = 99
    db.execute("UPDATE outbox SET payload = ? WHERE record_id = ? AND prio = 0",
               (json.dumps(payload).encode(), rid))
    db.commit()
    db.close()
    status, out = verify(tmp_path / "outbox.sqlite", capsys)
    assert status == 1 and f"seq 2 record {rid}" in out["first_broken_link"]
    assert "hash mismatch" in out["first_broken_link"]


def test_a_deleted_record(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    records = fill(tmp_path)
    db = sqlite3.connect(tmp_path / "outbox.sqlite")
    db.execute("DELETE FROM outbox WHERE record_id = ?", (records[1]["record_id"],))
    db.commit()
    db.close()
    status, out = verify(tmp_path / "outbox.sqlite", capsys)
    assert status == 1 and "seq 2" in out["first_broken_link"]
    assert "missing" in out["first_broken_link"]


def test_folder_of_records_and_exit_status_of_the_real_command(tmp_path: Path) -> None:
    records = fill(tmp_path / "box")
    export = tmp_path / "export"
    for r in records:
        (export / r["record_id"]).mkdir(parents=True)
        (export / f"{r['record_id']}.json").write_text(json.dumps(r))
        (export / r["record_id"] / "plate.jpg").write_bytes(bytes(500))
    ok = subprocess.run([sys.executable, "-m", "edge.cli", "evidence", "verify", str(export)],
                        capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and ": ok (4 records, 4 files)" in ok.stdout
    (export / f"{records[1]['record_id']}.json").unlink()
    bad = subprocess.run([sys.executable, "-m", "edge.cli", "evidence", "verify", str(export)],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1 and "seq 3" in bad.stdout and "gap" in bad.stdout
    missing = subprocess.run([sys.executable, "-m", "edge.cli", "evidence", "verify",
                              str(tmp_path / "nope.db")], capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2 and "no such file" in missing.stderr
