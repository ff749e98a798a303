"""Legal limits and the overload decision (GB 1589-2016, MOT Order 2016 No. 62, JJG 907).

`decide` is pure: a passage and the rules in, a decision out. It never decides on an
invalid measurement, deducts the measurement tolerance before comparing, treats an excess
of at most the warning margin as a warning, and picks the most lenient limit whenever the
measurement cannot tell which limit applies (a fine must never rest on a guess).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from wim_station.config import GvwLimit, RulesSection
from wim_station.core.passage import Passage

Severity = Literal["none", "warning", "overloaded", "severe", "undecided"]


@dataclass(frozen=True, slots=True)
class OverloadDecision:
    """The enforcement decision for one passage, with everything needed to explain it."""

    decided: bool  # False: invalid measurement, no decision
    overloaded: bool  # a violation (after tolerance and warning margin)
    warning: bool  # over the limit by no more than the warning margin (after tolerance)
    severity: Severity
    limit_kg: float
    limit_rule: str  # which limit applied, e.g. "6 axles, combination"
    gvw_kg: float  # as measured
    tolerance_pct: float
    gvw_after_tolerance_kg: float  # measured minus the measurement tolerance
    excess_kg: float  # after tolerance; negative when under the limit
    excess_pct: float  # measured excess over the limit, percent (tools.md)
    heavy_flag: bool  # gvw >= the agency's follow-up weight (100 t), valid or not
    reason: str
    calibration_version: str

    def to_json(self) -> dict[str, Any]:
        return {
            "limit_kg": self.limit_kg,
            "overloaded": self.overloaded,
            "excess_pct": round(self.excess_pct, 2),
            "decided": self.decided,
            "warning": self.warning,
            "severity": self.severity,
            "limit_rule": self.limit_rule,
            "excess_after_tolerance_kg": round(self.excess_kg, 1),
            "heavy_flag": self.heavy_flag,
        }


def gvw_limit(rules: RulesSection, axle_count: int, vehicle_kind: str | None) -> GvwLimit:
    """The limit for an axle count and configuration; the most lenient when ambiguous."""
    if not rules.gvw_limits:
        raise ValueError("no GVW limits configured")
    counts = sorted({lim.axles for lim in rules.gvw_limits})
    # 'axles: 6' covers six axles and more (GB 1589-2016: "six axles and above").
    n = max((c for c in counts if c <= axle_count), default=counts[0])
    candidates = [lim for lim in rules.gvw_limits if lim.axles == n]
    exact = [lim for lim in candidates if lim.vehicle == vehicle_kind]
    general = [lim for lim in candidates if lim.vehicle == "any"]
    if exact:
        pool = exact
    elif general:
        pool = general
    else:
        pool = candidates  # kind unknown: every configuration it might be
    # Benefit of the doubt: a 6-axle combination whose tractor might have one drive axle
    # is measured against 49 t unless the class says "tractor_single_drive" explicitly.
    if vehicle_kind != "tractor_single_drive":
        pool = [lim for lim in pool if lim.vehicle != "tractor_single_drive"] or pool
    return max(pool, key=lambda lim: lim.limit_kg)


def decide(passage: Passage, rules: RulesSection) -> OverloadDecision:
    """The overload decision for one passage (pure)."""
    lim = gvw_limit(rules, passage.axle_count, passage.vehicle_kind)
    limit = lim.limit_kg
    gvw = passage.gvw_kg
    after = gvw * (1.0 - rules.tolerance_pct / 100.0)
    excess = after - limit
    over_pct = excess / limit * 100.0

    def decision(decided: bool, severity: Severity, reason: str) -> OverloadDecision:
        return OverloadDecision(
            decided=decided, overloaded=severity in ("overloaded", "severe"),
            warning=severity == "warning", severity=severity, limit_kg=limit,
            limit_rule=f"{lim.axles}{'+' if lim.axles == 6 else ''} axles, {lim.vehicle}",
            gvw_kg=gvw, tolerance_pct=rules.tolerance_pct, gvw_after_tolerance_kg=after,
            excess_kg=excess, excess_pct=(gvw - limit) / limit * 100.0,
            heavy_flag=gvw >= rules.flag_gvw_kg, reason=reason,
            calibration_version=passage.calibration_version,
        )

    if not passage.valid:
        return decision(False, "undecided", "invalid measurement: " + ", ".join(passage.flags))
    if excess <= 0:
        return decision(True, "none", "within the limit after tolerance")
    if excess <= rules.warning_margin_kg:
        return decision(True, "warning", f"over by {excess:.0f} kg after tolerance: warning")
    severity: Severity = "severe" if over_pct > rules.severe_excess_pct else "overloaded"
    return decision(True, severity, f"over by {excess:.0f} kg ({over_pct:.1f} %) after tolerance")
