"""The README's first command, from a fresh clone: `edge demo --minutes 2`.

Slow (about three minutes) but part of the suite: it is the one test that runs everything
together. The clone holds only what is committed, so a file someone forgot to commit fails
here. The venv is this one (installing a new one takes longer than the demo).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from edge.central.store import CentralStore
from edge.evidence.verify import verify_evidence, verify_record

REPO = Path(__file__).resolve().parents[3]


def processes_mentioning(text: str) -> list[str]:
    """Command lines of live processes that mention `text` (the demo's output folder)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if text in cmdline:
            found.append(f"{entry.name}: {cmdline}")
    return found


@pytest.mark.slow
@pytest.mark.timeout(420)
def test_demo_from_a_fresh_clone(tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True, timeout=120)
    out = tmp_path / "demo-out"
    env = {**os.environ, "PYTHONPATH": str(clone), "TERM": "dumb"}
    # The parts run from the clone, not from this working tree.
    where = subprocess.run([sys.executable, "-c", "import edge; print(edge.__file__)"],
                           cwd=clone, env=env, capture_output=True, text=True, check=True)
    assert where.stdout.startswith(str(clone))
    proc = subprocess.run([sys.executable, "-m", "edge.cli", "demo", "--minutes", "2",
                           "--out", str(out)], cwd=clone, env=env, capture_output=True,
                          text=True, timeout=400, check=False)
    logs = "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-1500:]}"
                     for p in sorted((out / "logs").glob("*.log")))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:] + logs
    assert processes_mentioning(str(out)) == []
    assert "vehicles weighed" in proc.stdout and "sign PNGs" in proc.stdout

    store = CentralStore(out / "central.sqlite")
    try:
        keys = {d["device"]: d["public_key"] for d in store.devices()}
        rows = {r["record_id"]: r for r in store.record_rows()}
        verified: dict[str, list[dict]] = {"wim": [], "vessel": []}
        for record in store.records():
            row = rows[record["record_id"]]
            assert row["chain"] == "ok"
            files = store.evidence(record["record_id"])
            if row["complete_at"] is None:
                continue  # its evidence was still on the way when the demo stopped
            assert verify_record(record, keys[record["device"]]) == []
            assert verify_evidence(record, files) == []
            verified[record["kind"]].append(record)
        assert store.count("passages") > 0
    finally:
        store.close()
    assert any(r["type"] == "overload" for r in verified["wim"]), logs
    assert verified["vessel"], logs
    assert list((out / "wim" / "sign").glob("*.png"))
    # The summary's "evidence received" folder: every verified record with its files.
    exported = list((out / "received").glob("*/*/record.json"))
    assert len(exported) == len(verified["wim"]) + len(verified["vessel"])
    assert list((out / "received").rglob("*.jpg"))
    assert list((out / "vessel" / "screen").glob("*.png"))
