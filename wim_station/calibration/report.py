"""The acceptance report: relative errors per criterion and the classes they reach."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from wim_station.calibration.acceptance import (
    COST323_CLASSES,
    Criterion,
    CriterionResult,
    Environment,
    Pi0Points,
    TestCondition,
    cost323,
    oiml_axle_class,
    oiml_gvw_class,
)
from wim_station.calibration.fit import Reference
from wim_station.core.passage import Passage


@dataclass(frozen=True, slots=True)
class AcceptanceReport:
    """Errors of the runs against their static references, with COST 323 and OIML classes."""

    runs: int
    condition: TestCondition
    environment: Environment
    calibration_version: str
    criteria: tuple[CriterionResult, ...]
    oiml_gvw: dict[str, str | None]  # stage -> class
    oiml_axle: dict[str, str | None]  # stage -> class (None without repeated runs)
    cost323_overall: str | None  # the worst class over the criteria measured

    @property
    def pi0_from_spec(self) -> bool:
        """True when every criterion's π0 was entered from the specification's table."""
        return all(c.pi0_from_spec for c in self.criteria)

    def to_json(self) -> dict[str, Any]:
        return {
            "runs": self.runs,
            "test_condition": self.condition,
            "environment": self.environment,
            "calibration_version": self.calibration_version,
            "cost323_class": self.cost323_overall,
            "pi0_from_spec": self.pi0_from_spec,
            "criteria": [
                {"criterion": c.criterion, "n": c.n, "mean_pct": round(c.mean_pct, 3),
                 "std_pct": round(c.std_pct, 3), "pi0_pct": round(c.pi0_pct, 2),
                 "tolerance_pct": round(c.tolerance_pct, 3), "class": c.cost323_class}
                for c in self.criteria
            ],
            "oiml_r134_gvw_class": self.oiml_gvw,
            "oiml_r134_axle_class": self.oiml_axle,
        }

    def text(self) -> str:
        lines = [f"Acceptance report: {self.runs} runs, test conditions {self.condition}, "
                 f"environment {self.environment}, calibration {self.calibration_version}",
                 f"{'criterion':15s} {'n':>4s} {'mean %':>8s} {'sd %':>7s} {'pi0 %':>6s} "
                 f"{'tol %':>7s}  COST 323"]
        for c in self.criteria:
            lines.append(f"{c.criterion:15s} {c.n:4d} {c.mean_pct:+8.2f} {c.std_pct:7.2f} "
                         f"{c.pi0_pct:6.1f} {c.tolerance_pct:7.2f}  {c.cost323_class or 'E'}")
        lines.append(f"COST 323 class (worst criterion): {self.cost323_overall or 'E'}")
        if not self.pi0_from_spec:
            lines.append("WARNING: pi0 approximated, not read from the COST 323 table: enter "
                         "it with --pi0 before relying on the class")
        lines.append("OIML R134 / JJG 907 vehicle class: "
                     f"in service {self.oiml_gvw['in_service'] or 'none'}, "
                     f"initial verification {self.oiml_gvw['initial'] or 'none'}")
        axle = self.oiml_axle
        lines.append("OIML R134 / JJG 907 axle class: "
                     + (f"in service {axle['in_service'] or 'none'}, initial verification "
                        f"{axle['initial'] or 'none'}" if axle else "n/a (needs repeated runs)"))
        return "\n".join(lines)


def _groups(p: Passage) -> list[list[int]]:
    out: dict[int, list[int]] = defaultdict(list)
    for k, a in enumerate(p.axles):
        out[a.group].append(k)
    return list(out.values())


def relative_errors(passages: Sequence[Passage], refs: Sequence[Reference]
                    ) -> dict[Criterion, list[float]]:
    """Relative errors (%) per COST 323 criterion, runs with a wrong axle count skipped."""
    errs: dict[Criterion, list[float]] = {k: [] for k in (
        "gvw", "group", "single_axle", "axle_of_group", "speed", "spacing")}
    for p, r in zip(passages, refs, strict=True):
        if p.axle_count != len(r.axle_loads_kg):
            continue
        errs["gvw"].append((p.gvw_kg / r.gvw_kg - 1) * 100)
        for grp in _groups(p):
            meas = [p.axles[k].load_kg for k in grp]
            stat = [r.axle_loads_kg[k] for k in grp]
            if len(grp) == 1:
                errs["single_axle"].append((meas[0] / stat[0] - 1) * 100)
            else:
                errs["group"].append((sum(meas) / sum(stat) - 1) * 100)
                errs["axle_of_group"] += [(m / s - 1) * 100 for m, s in zip(meas, stat,
                                                                            strict=True)]
        if r.speed_kmh:
            errs["speed"].append((p.speed_kmh / r.speed_kmh - 1) * 100)
        if r.spacings_m and len(r.spacings_m) == p.axle_count - 1:
            errs["spacing"] += [((a.spacing_m or 0.0) / s - 1) * 100
                                for a, s in zip(p.axles[1:], r.spacings_m, strict=True)]
    return errs


def _axle_deviations(passages: Sequence[Passage], refs: Sequence[Reference]) -> list[float]:
    """Deviation (%) of each single-axle / group load from its mean over the same vehicle."""
    loads: dict[tuple[str, int], list[float]] = defaultdict(list)
    for p, r in zip(passages, refs, strict=True):
        if p.axle_count != len(r.axle_loads_kg):
            continue
        for g, grp in enumerate(_groups(p)):
            loads[(r.vehicle, g)].append(sum(p.axles[k].load_kg for k in grp))
    out: list[float] = []
    for values in loads.values():
        if len(values) >= 2:
            mean = float(np.mean(values))
            out += [(v / mean - 1) * 100 for v in values]
    return out


def acceptance_report(passages: Sequence[Passage], refs: Sequence[Reference],
                      condition: TestCondition = "r2", environment: Environment = "I",
                      calibration_version: str = "",
                      pi0_points: Pi0Points | None = None) -> AcceptanceReport:
    """COST 323 classes per criterion and OIML R134 classes for these runs.

    `pi0_points`: the COST 323 π0 table row for the test conditions (see `cost323`).
    """
    errs = relative_errors(passages, refs)
    criteria = tuple(cost323(k, v, condition, environment, pi0_points)
                     for k, v in errs.items() if len(v) >= 2)
    order = COST323_CLASSES
    ranks = [order.index(c.cost323_class) if c.cost323_class else len(order) for c in criteria]
    overall = order[max(ranks)] if ranks and max(ranks) < len(order) else None
    devs = _axle_deviations(passages, refs)
    return AcceptanceReport(
        runs=len(passages), condition=condition, environment=environment,
        calibration_version=calibration_version, criteria=criteria,
        oiml_gvw={stage: oiml_gvw_class(errs["gvw"], stage) for stage in ("initial",
                                                                          "in_service")},
        oiml_axle={stage: oiml_axle_class(devs, stage) for stage in ("initial", "in_service")}
        if devs else {},
        cost323_overall=overall,
    )
