"""The demo's live view: what the receiver got, what the sign and screen show, link state.

`gather()` reads everything from files other processes write (the receiver's SQLite database
read-only, the sign/screen simulators' `history.jsonl`, the WAV sink's JSON notes), so the
view never slows a part down and survives any part dying. `render()` turns it into lines.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class DemoPaths:
    """Where each part of the demo writes."""

    out: Path
    central_db: Path
    sign_dir: Path
    screen_dir: Path
    voice_dir: Path


@dataclass
class Snapshot:
    """What the view shows at one instant."""

    t_s: float
    passages: int = 0
    passages_last_min: int = 0
    overloaded: int = 0
    overloads: list[dict[str, Any]] = field(default_factory=list)  # newest 5, newest first
    vessel_records: list[dict[str, Any]] = field(default_factory=list)  # newest 5
    records_by_kind: dict[str, tuple[int, int]] = field(default_factory=dict)  # (all, verified)
    records_verified: int = 0
    records_total: int = 0
    chain_problems: int = 0
    alarms: int = 0
    devices: dict[str, dict[str, Any]] = field(default_factory=dict)
    boat: dict[str, Any] | None = None
    sign_text: str | None = None
    screen_text: str | None = None
    screen_warnings: list[str] = field(default_factory=list)
    voice_said: list[str] = field(default_factory=list)
    sign_pngs: int = 0
    screen_pngs: int = 0


def _db_rows(db: Path, sql: str, args: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
    if not db.exists():
        return []
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1.0)
    except sqlite3.Error:
        return []
    try:
        con.row_factory = sqlite3.Row
        return con.execute(sql, args).fetchall()
    except sqlite3.Error:  # not created yet, or busy: the next refresh will tell
        return []
    finally:
        con.close()


def _count(db: Path, table: str, where: str = "1") -> int:
    rows = _db_rows(db, f"SELECT COUNT(*) AS n FROM {table} WHERE {where}")
    return int(rows[0]["n"]) if rows else 0


def _history(folder: Path) -> list[dict[str, Any]]:
    path = folder / "history.jsonl"
    out = []
    try:
        lines = path.read_text("utf-8").splitlines()
    except OSError:
        return []
    for line in lines:
        try:
            out.append(json.loads(line))
        except ValueError:
            continue  # a line being written right now
    return out


def gather(paths: DemoPaths, kinds: dict[str, str]) -> Snapshot:
    """Read the current state; `kinds` maps device id to `wim` or `vessel`."""
    now = time.time()
    snap = Snapshot(now)
    db = paths.central_db
    for row in _db_rows(db, "SELECT device, state, state_at, health, health_at FROM devices"):
        snap.devices[row["device"]] = {
            "state": json.loads(row["state"]) if row["state"] else None,
            "health": json.loads(row["health"]) if row["health"] else None,
            "health_at": row["health_at"], "state_at": row["state_at"]}
    wim = [d for d, k in kinds.items() if k == "wim"]
    vessel = [d for d, k in kinds.items() if k == "vessel"]
    # Counted in SQL: a long demo holds thousands of passages, refreshed four times a second.
    for row in _db_rows(db, "SELECT COUNT(*) AS n, "
                        "TOTAL(json_extract(json, '$.overloaded') = 1) AS over, "
                        "TOTAL(received_at > ?) AS recent FROM passages WHERE device IN "
                        f"({','.join('?' * len(wim))})", (now - 60, *wim)):
        snap.passages, snap.overloaded = row["n"], int(row["over"])
        snap.passages_last_min = int(row["recent"])
    for row in _db_rows(db, "SELECT COUNT(*) AS n, TOTAL(chain = 'ok' AND complete_at IS NOT "
                        "NULL) AS ok, TOTAL(chain != 'ok') AS bad FROM records"):
        snap.records_total, snap.records_verified = row["n"], int(row["ok"])
        snap.chain_problems = int(row["bad"])
    for kind, into in (("wim", snap.overloads), ("vessel", snap.vessel_records)):
        for row in _db_rows(db, "SELECT device, json, chain, complete_at FROM records WHERE "
                            "kind = ? ORDER BY received_at DESC LIMIT 5", (kind,)):
            rec = json.loads(row["json"])
            into.append({"type": rec.get("type"), "time": rec.get("time"),
                         "details": rec.get("details") or {}, "device": row["device"],
                         "verified": row["chain"] == "ok" and row["complete_at"] is not None})
    for row in _db_rows(db, "SELECT kind, COUNT(*) AS n, TOTAL(chain = 'ok' AND complete_at "
                        "IS NOT NULL) AS ok FROM records GROUP BY kind"):
        snap.records_by_kind[row["kind"]] = (row["n"], int(row["ok"]))
    snap.alarms = _count(db, "alarms")
    if vessel:
        rows = _db_rows(db, "SELECT json FROM tracks WHERE device = ? ORDER BY rowid DESC "
                        "LIMIT 1", (vessel[0],))
        if rows:
            points = json.loads(rows[0]["json"]).get("points") or []
            snap.boat = points[-1] if points else None
    sign = _history(paths.sign_dir)
    screen = _history(paths.screen_dir)
    snap.sign_text = sign[-1].get("text") if sign else None
    snap.screen_text = screen[-1].get("text") if screen else None
    snap.screen_warnings = [m["text"] for m in screen if m.get("colour") == "red"
                            and m.get("text")][-3:]
    snap.sign_pngs = sum(1 for m in sign if m.get("png"))
    snap.screen_pngs = sum(1 for m in screen if m.get("png"))
    said = []
    for note in sorted(paths.voice_dir.glob("*.json")) if paths.voice_dir.is_dir() else []:
        try:
            said.append(json.loads(note.read_text("utf-8")).get("text", ""))
        except (OSError, ValueError):
            continue
    snap.voice_said = said[-3:]
    return snap


def _one_line(text: str | None, width: int = 60) -> str:
    if not text:
        return "(blank)"
    flat = " / ".join(part.strip() for part in text.splitlines() if part.strip())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _link(dev: dict[str, Any] | None, now: float) -> str:
    if dev is None:
        return "not seen yet"
    online = (dev.get("state") or {}).get("online")
    age = None if dev.get("health_at") is None else now - dev["health_at"]
    health = dev.get("health") or {}
    depth = (health.get("outbox") or {}).get("depth") or {}
    depth_text = " ".join(f"{k} {v}" for k, v in sorted(depth.items())) or "-"
    age_text = "-" if age is None else f"{age:.0f} s ago"
    return (f"{'online' if online else 'OFFLINE'}, health {age_text}, "
            f"outbox waiting: {depth_text}")


def render(snap: Snapshot, kinds: dict[str, str], elapsed_s: float,
           notes: list[str]) -> list[str]:
    """The view as lines of plain text (no colour: it must read well anywhere)."""
    wim = next((d for d, k in kinds.items() if k == "wim"), "")
    vessel = next((d for d, k in kinds.items() if k == "vessel"), "")
    mins, secs = divmod(int(elapsed_s), 60)
    lines = [f"edge demo  {mins:02d}:{secs:02d}   receiver: {snap.records_verified}/"
             f"{snap.records_total} violation records verified, {snap.chain_problems} chain "
             f"problems, {snap.alarms} alarms", ""]
    lines.append(f"WIM site {wim}: {_link(snap.devices.get(wim), snap.t_s)}")
    lines.append(f"  weighed: {snap.passages} vehicles ({snap.passages_last_min} in the last "
                 f"minute), {snap.overloaded} overloaded")
    lines.append(f"  sign shows: {_one_line(snap.sign_text)}")
    lines.append("  latest overloads:")
    for rec in snap.overloads[:4]:
        d = rec["details"]
        lines.append(f"    {d.get('plate') or '(no plate)'!s:<10} lane {d.get('lane')}  "
                     f"GVW {float(d.get('gvw_kg') or 0) / 1000:5.1f} t  limit "
                     f"{float(d.get('limit_kg') or 0) / 1000:4.0f} t  excess "
                     f"{float(d.get('excess_pct') or 0):+5.1f} %  "
                     f"{'verified' if rec['verified'] else 'evidence pending'}")
    if not snap.overloads:
        lines.append("    (none yet)")
    lines.append("")
    lines.append(f"Patrol vessel {vessel}: {_link(snap.devices.get(vessel), snap.t_s)}")
    b = snap.boat
    if b:
        lines.append(f"  position {b.get('lat'):.5f} N {b.get('lon'):.5f} E  heading "
                     f"{b.get('heading_deg')}°  {b.get('sog_mps')} m/s  mode {b.get('mode')} "
                     f"({b.get('behaviour')})")
    else:
        lines.append("  position: no track received yet")
    lines.append(f"  screen shows: {_one_line(snap.screen_text)}")
    if snap.voice_said:
        lines.append(f"  loudspeaker said: {_one_line(snap.voice_said[-1])}")
    lines.append("  latest warnings (violation records):")
    for rec in snap.vessel_records[:3]:
        d = rec["details"]
        lines.append(f"    {rec['type']:<16} zone {d.get('zone')}  at {rec['time']}  "
                     f"{'verified' if rec['verified'] else 'evidence pending'}")
    if not snap.vessel_records:
        lines.append("    (none yet)")
    if notes:
        lines.append("")
        lines.extend(notes[-4:])
    return lines
