"""What 'the replay gave the same result' means: WIM passages and violations, vessel rules.

A replay feeds the agent the recorded DAQ bytes unchanged, so passages keep their DAQ-clock
times. Two passages are the same when they are in the same lane, their first axles are
within `time_tol_us` of each other, they have the same number of axles, their GVW differs
by at most `gvw_tol_pct` and the overload decision agrees. Only live passages well inside
the recording are expected back: the core needs a few seconds to settle its zero after the
replay starts (`margin_s`), and a vehicle on the sensors when the recording was cut is
incomplete.

Violations are compared the same way (an overload record carries its passage's lane, time,
axles and GVW). The plate is not part of 'the same': it is read from camera frames matched
by host arrival time, and a replay re-times the frames to within a few milliseconds, so a
different frame (and rarely a different reading) may be chosen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class PassageMatch:
    """Pairs of (live, replayed) passages, and what was found on one side only."""

    matched: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    only_live: list[dict[str, Any]] = field(default_factory=list)
    only_replay: list[dict[str, Any]] = field(default_factory=list)
    differ: list[tuple[dict[str, Any], dict[str, Any], str]] = field(default_factory=list)

    @property
    def consistent(self) -> bool:
        """Nothing on one side only, nothing different (possibly nothing at all)."""
        return not (self.only_live or self.only_replay or self.differ)

    @property
    def same(self) -> bool:
        """Consistent, and at least one pair to show for it."""
        return bool(self.matched) and self.consistent

    def summary(self, noun: str = "passages") -> str:
        over = sum(1 for live, _ in self.matched if live.get("overloaded"))
        plates = sum(1 for a, b in self.matched if a.get("plate") and a["plate"] == b["plate"])
        return (f"{len(self.matched)} {noun} the same ({over} overloaded, {plates} with the "
                f"same plate), "
                f"{len(self.differ)} differ, {len(self.only_live)} only live, "
                f"{len(self.only_replay)} only in the replay")


def compare_passages(live: Sequence[dict[str, Any]], replayed: Sequence[dict[str, Any]],
                     window_us: tuple[int, int], *, margin_s: float = 5.0,
                     time_tol_us: int = 50_000, gvw_tol_pct: float = 1.0) -> PassageMatch:
    """Match passages (the `up/passage` payloads) inside `window_us` shrunk by `margin_s`."""
    lo, hi = window_us[0] + int(margin_s * 1e6), window_us[1] - int(margin_s * 1e6)
    result = PassageMatch()
    pool = [p for p in replayed if lo - time_tol_us <= p["t_first_axle_us"] <= hi + time_tol_us]
    for p in sorted((p for p in live if lo <= p["t_first_axle_us"] <= hi),
                    key=lambda p: p["t_first_axle_us"]):
        twin = min((q for q in pool if q["lane"] == p["lane"]
                    and abs(q["t_first_axle_us"] - p["t_first_axle_us"]) <= time_tol_us),
                   key=lambda q: abs(q["t_first_axle_us"] - p["t_first_axle_us"]), default=None)
        if twin is None:
            result.only_live.append(p)
            continue
        pool.remove(twin)
        why = _difference(p, twin, gvw_tol_pct)
        if why:
            result.differ.append((p, twin, why))
        else:
            result.matched.append((p, twin))
    result.only_replay.extend(q for q in pool if lo <= q["t_first_axle_us"] <= hi)
    return result


def _difference(a: dict[str, Any], b: dict[str, Any], gvw_tol_pct: float) -> str:
    if a["axle_count"] != b["axle_count"]:
        return f"axles {a['axle_count']} vs {b['axle_count']}"
    if abs(a["gvw_kg"] - b["gvw_kg"]) > gvw_tol_pct / 100 * max(a["gvw_kg"], 1.0):
        return f"GVW {a['gvw_kg']:.0f} vs {b['gvw_kg']:.0f} kg"
    if bool(a.get("overloaded")) != bool(b.get("overloaded")):
        return f"overloaded {a.get('overloaded')} vs {b.get('overloaded')}"
    return ""


def overload_as_passage(record: dict[str, Any]) -> dict[str, Any] | None:
    """The passage fields of an `overload` violation record (None for other records)."""
    d = record.get("details") or {}
    if record.get("type") != "overload" or "t_first_axle_us" not in d:
        return None
    return {"lane": d["lane"], "t_first_axle_us": d["t_first_axle_us"],
            "axle_count": d["axle_count"], "gvw_kg": d["gvw_kg"], "overloaded": True,
            "plate": d.get("plate")}


def compare_violations(live: Sequence[dict[str, Any]], replayed: Sequence[dict[str, Any]],
                       window_us: tuple[int, int], **kw: Any) -> PassageMatch:
    """`compare_passages` over the overload records (plates may differ: see the module doc)."""
    def as_passages(records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        return [p for p in map(overload_as_passage, records) if p is not None]
    return compare_passages(as_passages(live), as_passages(replayed), window_us, **kw)


def recording_window_us(wimrec: Any) -> tuple[int, int]:
    """DAQ-clock span of a `.wimrec` (first sample, last sample)."""
    from wim_station.daq import open_recording

    first = last = None
    with open_recording(wimrec) as rec:
        for frame in rec.frames():
            first = first if first is not None else frame.t0_us
            last = frame
    if first is None or last is None:
        return (0, 0)
    return (first, int(last.t0_us + last.duration_us))


def vessel_incidents(records: Sequence[dict[str, Any]]) -> list[tuple[str, str, int]]:
    """(type, zone, warnings issued) of each vessel violation record, sorted.

    A vessel's records are stamped with the host clock of the run (the watch times what it
    sees by frame arrival), so a replay's records carry the replay's times: what must be the
    same is which rule fired where, and how far it escalated.
    """
    return sorted((str(r.get("type")), str((r.get("details") or {}).get("zone")),
                   len((r.get("details") or {}).get("warnings") or [])) for r in records)
