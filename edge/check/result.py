"""The outcome of one device check."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class CheckResult:
    """`device` names what was checked (e.g. `gnss socket://127.0.0.1:7101`)."""

    device: str
    ok: bool
    summary: str  # what was seen, or why it failed: one line a technician can act on
    figures: dict[str, Any] = field(default_factory=dict)
    elapsed_s: float = 0.0

    def line(self) -> str:
        """`PASS  gnss socket://…  3d fix, 9 satellites, age 0.4 s`."""
        return f"{'PASS' if self.ok else 'FAIL'}  {self.device:<40} {self.summary}"

    def to_json(self) -> dict[str, Any]:
        return {"device": self.device, "ok": self.ok, "summary": self.summary,
                "figures": self.figures, "elapsed_s": round(self.elapsed_s, 3)}
