"""Accuracy classes of a WIM system: COST 323 (statistical) and OIML R134 / JJG 907 (MPE).

COST 323 (European specification on WIM of road vehicles, v3.0, 1999): a criterion (GVW,
group of axles, single axle, axle of a group, speed, inter-axle distance) reaches a class
when the confidence level π that a relative error lies in [-δ, +δ] is at least the minimum
π0 required for the test conditions and the sample size. π is computed from the sample's
mean m and standard deviation s with the mean's uncertainty (Student t, 95 %) taken off:

    π = Φ((δ - m)/s - t/√n) - Φ((-δ - m)/s + t/√n)

π0 grows with the sample size towards its value for an infinite sample, π∞, which is set
by the test conditions (r1 full repeatability … R2 full reproducibility) and environment
(I environmental repeatability … III full environmental reproducibility):

    π0(n) = π∞ - κ / n        (κ = 42 percentage points)

NOTE: π∞ and κ reproduce the specification's table of π0 as far as we could reconstruct it
without the text at hand; check them against the specification before an acceptance test
with legal weight.

OIML R134-1:2006 (adopted as JJG 907-2006): the GVW of every run must lie within the
maximum permissible error (MPE) of the class; single-axle and axle-group loads within the
MPE of their class around the mean of the runs of the same reference vehicle.
"""

from __future__ import annotations

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

COST323_CLASSES = ("A(5)", "B+(7)", "B(10)", "C(15)", "D+(20)", "D(25)")
# Tolerance δ (± %) per class and criterion, COST 323 Table 4.
COST323_TOLERANCE_PCT: dict[Criterion, tuple[float, ...]] = {
    "gvw": (5, 7, 10, 15, 20, 25),
    "group": (7, 10, 13, 18, 23, 28),
    "single_axle": (8, 11, 15, 20, 25, 30),
    "axle_of_group": (10, 14, 20, 25, 30, 35),
    "speed": (2, 3, 4, 6, 8, 10),
    "spacing": (2, 3, 4, 6, 8, 10),
}
# π∞ (%) by test condition and environment (see the module note).
_PI_INF: dict[TestCondition, float] = {"r1": 99.2, "r2": 98.2, "R1": 97.0, "R2": 95.4}
_ENV_STEP = {"I": 0.0, "II": 0.3, "III": 0.6}
_KAPPA = 42.0

OIML_GVW_CLASSES = ("0.2", "0.5", "1", "2", "5", "10")
# MPE (± %) of the vehicle mass, initial verification / in service: R134-1 Table 2.
OIML_GVW_MPE_PCT = {
    "initial": (0.10, 0.25, 0.50, 1.00, 2.50, 5.00),
    "in_service": (0.20, 0.50, 1.00, 2.00, 5.00, 10.00),
}
OIML_AXLE_CLASSES = ("A", "B", "C", "D", "E", "F")
# MPE (± %) of single-axle and axle-group loads from their mean: R134-1 Table 3.
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
    """Minimum confidence level (%) COST 323 requires for `n` results."""
    return _PI_INF[condition] - _ENV_STEP[environment] - _KAPPA / max(n, 1)


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
            condition: TestCondition = "r2", environment: Environment = "I") -> CriterionResult:
    """The COST 323 class a criterion reaches with these relative errors (%)."""
    e = np.asarray(errors_pct, dtype=float)
    n = int(e.size)
    p0 = pi0_pct(n, condition, environment)
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
        pi0_pct=p0, cost323_class=reached, tolerance_pct=tol,
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
