"""Accuracy classes of a WIM system: COST 323 (statistical) and OIML R134 / JJG 907 (MPE).

SOURCES AND THEIR STATUS (checked 2026-11-30; the texts of COST 323, OIML R134-1 and JJG 907
were not at hand, and no public copy of their tables could be found). Every figure below that
is marked "not verified" must be checked against the text before a report with legal weight:

- COST 323 (European specification on WIM of road vehicles, v3.0, 1999): a criterion (GVW,
  group of axles, single axle, axle of a group, speed, inter-axle distance) reaches a class
  when the confidence level π that a relative error lies in [-δ, +δ] is at least the minimum
  π0 required for the test conditions and the sample size.
  * Tolerances δ (COST323_TOLERANCE_PCT): not verified against the text; from the original
    author's recollection of the specification's table of tolerances. Only the class A(5)
    column (GVW 5, group 7, single axle 8 %) is corroborated, by a public WIM tender design
    document that quotes "COST323 A(5): 5 % GVW, 7 % axle groups, 8 % single axles".
  * π (confidence_pct): the sample-corrected normal confidence below. Not verified against
    the text (in particular the Student quantile's level, taken as 97.5 %, ν = n - 1):

        π = Φ((δ - m)/s - t/√n) - Φ((-δ - m)/s + t/√n)

  * π0 (pi0_pct): NOT the specification's table. The specification tabulates π0 by test
    conditions (r1 full repeatability … R2 full reproducibility), environment (I … III) and
    sample size; that table could not be found, so π0 is approximated by π∞ - κ/n with
    assumed π∞ and κ (see _PI_INF, _ENV_STEP, _KAPPA). For any acceptance with legal weight
    enter the table's row for the test conditions and environment instead
    (`cost323(..., pi0_points=...)`, CLI `--pi0 10=…,20=…,inf=…`); between its sample sizes π0
    is interpolated linearly in 1/n (our assumption, not verified as the specification's
    rule). The report says which π0 was used.

- OIML R134-1:2006 (Automatic instruments for weighing road vehicles in motion and measuring
  axle loads): vehicle-mass classes 0.2, 0.5, 1, 2, 5, 10 and axle-load classes A … F. The MPE
  values in OIML_GVW_MPE_PCT and OIML_AXLE_MPE_PCT are not verified against the text (from the
  original author's recollection of R134-1 Tables 2 and 3); the axle-load values in particular
  are uncertain. The GVW of every run must lie within the MPE of the class; single-axle and
  axle-group loads within the MPE of their class around the mean of the runs of the same
  reference vehicle.
- JJG 907-2006 (动态公路车辆自动衡器) is NOT an identical adoption of R134-1:2006: it modifies
  (修改采用) the fifth committee draft of OIML R134 of 2004, and its predecessor JJG 907-2003
  already had the six vehicle classes 0.2 … 10 (public explanation of the differences between
  JJG 907-2006 and JJG 907-2003, zhuangbiaoji.com.cn/newsshow_1214501.html; the 2005 draft
  reads "eqv OIML R134 (2004.7)"). Its tables may therefore differ from R134-1:2006: the
  "JJG 907" class printed by the report is the R134-1 class computed with the tables below.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

Errors = Sequence[float] | npt.NDArray[np.float64]
Criterion = Literal["gvw", "group", "single_axle", "axle_of_group", "speed", "spacing"]
TestCondition = Literal["r1", "r2", "R1", "R2"]
Environment = Literal["I", "II", "III"]
# A row of the specification's π0 table: (sample size n, π0 %), n may be math.inf.
Pi0Points = tuple[tuple[float, float], ...]

COST323_CLASSES = ("A(5)", "B+(7)", "B(10)", "C(15)", "D+(20)", "D(25)")  # then E: worse
# Tolerance δ (± %) per class and criterion, COST 323 table of tolerances: not verified
# against the text (table number unknown; A(5) column corroborated, see the module note).
COST323_TOLERANCE_PCT: dict[Criterion, tuple[float, ...]] = {
    "gvw": (5, 7, 10, 15, 20, 25),
    "group": (7, 10, 13, 18, 23, 28),
    "single_axle": (8, 11, 15, 20, 25, 30),
    "axle_of_group": (10, 14, 20, 25, 30, 35),
    "speed": (2, 3, 4, 6, 8, 10),
    "spacing": (2, 3, 4, 6, 8, 10),
}
# NOT the specification's π0 table (see the module note): assumed π∞ (%) by test condition,
# a step down per environment, and κ (percentage points) for the sample-size penalty.
_PI_INF: dict[TestCondition, float] = {"r1": 99.2, "r2": 98.2, "R1": 97.0, "R2": 95.4}
_ENV_STEP = {"I": 0.0, "II": 0.3, "III": 0.6}
_KAPPA = 42.0

OIML_GVW_CLASSES = ("0.2", "0.5", "1", "2", "5", "10")
# MPE (± %) of the vehicle mass, initial verification / in service: R134-1 Table 2 (not
# verified against the text, see the module note).
OIML_GVW_MPE_PCT = {
    "initial": (0.10, 0.25, 0.50, 1.00, 2.50, 5.00),
    "in_service": (0.20, 0.50, 1.00, 2.00, 5.00, 10.00),
}
OIML_AXLE_CLASSES = ("A", "B", "C", "D", "E", "F")
# MPE (± %) of single-axle and axle-group loads from their mean: R134-1 Table 3 (not
# verified against the text, uncertain; see the module note).
OIML_AXLE_MPE_PCT = {
    "initial": (0.25, 0.50, 1.00, 2.00, 4.00, 8.00),
    "in_service": (0.50, 1.00, 2.00, 4.00, 8.00, 16.00),
}


def normal_cdf(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def student_t_quantile(p: float, dof: int) -> float:
    """Quantile of Student's t (bisection on the CDF, integrated numerically)."""
    if dof <= 0:
        return float("inf")
    c = math.exp(math.lgamma((dof + 1) / 2) - math.lgamma(dof / 2)) / math.sqrt(dof * math.pi)

    def cdf(x: float) -> float:
        u = np.linspace(0.0, x, 2001)
        pdf = c * (1 + u * u / dof) ** (-(dof + 1) / 2)
        return 0.5 + float(np.trapezoid(pdf, u))

    lo, hi = 0.0, 1.0
    while cdf(hi) < p:
        hi *= 2.0
        if hi > 1e4:
            return hi
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if cdf(mid) < p else (lo, mid)
    return 0.5 * (lo + hi)


def pi0_pct(n: int, condition: TestCondition = "r2", environment: Environment = "I") -> float:
    """Approximate minimum confidence level (%) for `n` results (not the COST 323 table)."""
    return _PI_INF[condition] - _ENV_STEP[environment] - _KAPPA / max(n, 1)


def pi0_from_points(points: Pi0Points, n: int) -> float:
    """π0 (%) for `n` results from a row of the COST 323 π0 table, linear in 1/n between entries.

    Raises ValueError when `n` lies outside the sample sizes entered (never extrapolates).
    """
    pts = sorted((1.0 / k, p) for k, p in points)  # by 1/n: inf first
    if not pts or any(not 0.0 < p < 100.0 for _, p in pts):
        raise ValueError("pi0 table: give (n, pct) pairs with 0 < pct < 100")
    x = 1.0 / n
    for (x0, p0), (x1, p1) in itertools.pairwise(pts):
        if x0 <= x <= x1:
            return p0 if x1 == x0 else p0 + (p1 - p0) * (x - x0) / (x1 - x0)
    if x == pts[0][0]:
        return pts[0][1]
    raise ValueError(f"pi0 table covers n = {sorted(k for k, _ in points)}, not n = {n}")


def confidence_pct(errors_pct: Errors, delta_pct: float) -> float:
    """COST 323 confidence level (%) that an error lies within ±delta (sample-corrected)."""
    e = np.asarray(errors_pct, dtype=float)
    n = e.size
    if n < 2:
        return 0.0
    m, s = float(e.mean()), float(e.std(ddof=1))
    s = max(s, 1e-9)
    k = student_t_quantile(0.975, n - 1) / math.sqrt(n)
    pi = normal_cdf((delta_pct - m) / s - k) - normal_cdf((-delta_pct - m) / s + k)
    return max(0.0, pi * 100.0)


@dataclass(frozen=True, slots=True)
class CriterionResult:
    """One criterion's errors and the class it reaches."""

    criterion: Criterion
    n: int
    mean_pct: float
    std_pct: float
    pi0_pct: float
    pi0_from_spec: bool  # True: π0 entered from the specification's table; False: approximated
    cost323_class: str | None  # None: not even D(25)
    tolerance_pct: float  # smallest δ reaching π0 (the criterion's achieved tolerance)


def achieved_tolerance_pct(errors_pct: Errors, pi0: float) -> float:
    """Smallest δ for which π(δ) >= π0."""
    if len(errors_pct) < 2:
        return float("inf")
    lo, hi = 0.0, 1.0
    while confidence_pct(errors_pct, hi) < pi0:
        hi *= 2
        if hi > 1e4:
            return float("inf")
    for _ in range(50):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if confidence_pct(errors_pct, mid) < pi0 else (lo, mid)
    return hi


def cost323(criterion: Criterion, errors_pct: Errors,
            condition: TestCondition = "r2", environment: Environment = "I",
            pi0_points: Pi0Points | None = None) -> CriterionResult:
    """The COST 323 class a criterion reaches with these relative errors (%).

    `pi0_points`: the specification's π0 table row for these test conditions and environment;
    without it π0 is approximated (see the module note).
    """
    e = np.asarray(errors_pct, dtype=float)
    n = int(e.size)
    from_spec = pi0_points is not None
    p0 = (pi0_from_points(pi0_points, n) if pi0_points is not None
          else pi0_pct(n, condition, environment))
    tol = achieved_tolerance_pct(e.tolist(), p0)
    reached = None
    for name, delta in zip(COST323_CLASSES, COST323_TOLERANCE_PCT[criterion], strict=True):
        if tol <= delta:
            reached = name
            break
    return CriterionResult(
        criterion=criterion, n=n,
        mean_pct=float(e.mean()) if n else float("nan"),
        std_pct=float(e.std(ddof=1)) if n > 1 else float("nan"),
        pi0_pct=p0, pi0_from_spec=from_spec, cost323_class=reached, tolerance_pct=tol,
    )


def oiml_gvw_class(errors_pct: Errors, stage: str = "in_service") -> str | None:
    """Finest OIML R134 / JJG 907 vehicle class whose MPE covers every GVW error."""
    worst = float(np.max(np.abs(errors_pct))) if len(errors_pct) else float("inf")
    for name, mpe in zip(OIML_GVW_CLASSES, OIML_GVW_MPE_PCT[stage], strict=True):
        if worst <= mpe:
            return name
    return None


def oiml_axle_class(deviations_pct: Errors, stage: str = "in_service") -> str | None:
    """Finest OIML R134 axle-load class covering every deviation from the per-axle mean."""
    worst = float(np.max(np.abs(deviations_pct))) if len(deviations_pct) else float("inf")
    for name, mpe in zip(OIML_AXLE_CLASSES, OIML_AXLE_MPE_PCT[stage], strict=True):
        if worst <= mpe:
            return name
    return None
