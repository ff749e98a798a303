"""Legal limits and the overload decision (MOT Order 2016 No. 62, GB 1589-2016).

`decide` is pure: a passage and the rules in, a decision out. It never decides on an
invalid measurement, deducts the measurement tolerance before comparing, treats an excess
of at most the warning margin as a warning, and picks the most lenient limit whenever the
measurement cannot tell which limit applies (a fine must never rest on a guess).

Sources (the numbers themselves live in `wim_station.config.RulesSection`):
- GVW limits: 《超限运输车辆行驶公路管理规定》(MOT Order 2016 No. 62), art. 3 para. 1 items
  (4)-(8): 2-axle truck 18 000 kg; 3-axle truck 25 000, 3-axle combination 27 000; 4-axle
  truck 31 000, 4-axle combination 36 000; 5-axle combination 43 000; combinations of six
  axles and more 49 000, 46 000 when the tractor has a single drive axle. Verified against the
  article's text as quoted by a public legal-education site of a provincial enforcement bureau.
  The same figures are GB 1589-2016's GVW limits (checked only against secondary summaries; the
  table number in GB 1589-2016 is not verified).
- Warning margin: art. 43 para. 1 item (2) of the same Order: an excess over the item (4)-(8)
  limits of not more than 1000 kg is warned (予以警告); above it, 500 yuan per 1000 kg, at most
  30 000 yuan. Verified with the article's text as above.
- Measurement tolerance (5 %): NOT verified. No source was found that calls it "the JJG 907
  class 5 in-service error" (class 5's in-service MPE of 5 % is itself not verified, see
  wim_station.calibration.acceptance); secondary sources only describe a 5 % allowance in
  highway-entrance weighing practice. Cite the province's own rule before relying on it.
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
    # 'axles: 6' covers six axles and more (Order No. 62, art. 3(8): "六轴及六轴以上").
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
    # (46 t, Order No. 62 art. 3(8)) is measured against 49 t unless the class says
    # "tractor_single_drive" explicitly.
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
