"""COST 323 and OIML R134 / JJG 907 accuracy classes."""

from __future__ import annotations

import math

import numpy as np
import pytest

from wim_station.calibration.acceptance import (
    confidence_pct,
    cost323,
    oiml_axle_class,
    oiml_gvw_class,
    pi0_from_points,
    pi0_pct,
    student_t_quantile,
)


@pytest.mark.parametrize(("dof", "q"), [(1, 12.706), (9, 2.262), (29, 2.045), (120, 1.980)])
def test_student_t_quantiles(dof: int, q: float) -> None:
    assert student_t_quantile(0.975, dof) == pytest.approx(q, abs=2e-3)


def test_pi0_grows_with_sample_size_and_falls_with_looser_conditions() -> None:
    assert pi0_pct(10, "r1") < pi0_pct(60, "r1") < pi0_pct(10_000, "r1") < 99.3
    assert pi0_pct(60, "r1") > pi0_pct(60, "r2") > pi0_pct(60, "R1") > pi0_pct(60, "R2")
    assert pi0_pct(60, "R2", "III") < pi0_pct(60, "R2", "I")


def test_confidence_is_lower_for_a_biased_or_wide_sample() -> None:
    rng = np.random.default_rng(3)
    good = rng.normal(0, 1.5, 100)
    assert confidence_pct(good, 5.0) > 99
    assert confidence_pct(good + 3.0, 5.0) < confidence_pct(good, 5.0)
    assert confidence_pct(good * 3, 5.0) < 90


@pytest.mark.parametrize(("sd", "cls"), [(1.5, "A(5)"), (3.0, "B+(7)"), (4.5, "B(10)"),
                                          (7.0, "C(15)")])
def test_gvw_class_follows_the_spread(sd: float, cls: str) -> None:
    e = np.random.default_rng(4).normal(0, 1, 200)
    e = (e - e.mean()) / e.std(ddof=1) * sd
    r = cost323("gvw", e, "R2", "I")
    assert r.cost323_class == cls
    assert r.tolerance_pct == pytest.approx(sd * 1.96 + 0.4, abs=1.2)


def test_oiml_classes_take_the_worst_error() -> None:
    assert oiml_gvw_class([1.0, -2.4, 0.3], "initial") == "5"
    assert oiml_gvw_class([1.0, -2.4, 0.3], "in_service") == "5"
    assert oiml_gvw_class([0.4, -0.9], "in_service") == "1"
    assert oiml_gvw_class([12.0], "in_service") is None
    assert oiml_axle_class([3.5, -1.0], "in_service") == "D"
    assert oiml_axle_class([3.5, -1.0], "initial") == "E"


def test_pi0_from_a_table_row_is_linear_in_one_over_n_and_never_extrapolated() -> None:
    row = ((10, 90.0), (20, 94.0), (math.inf, 98.0))
    assert pi0_from_points(row, 10) == 90.0 and pi0_from_points(row, 20) == 94.0
    assert pi0_from_points(row, 40) == pytest.approx(96.0)  # halfway from 1/20 to 0
    assert pi0_from_points(row, 15) == pytest.approx(94.0 - 4.0 * (1 / 15 - 1 / 20) / 0.05)
    with pytest.raises(ValueError, match="covers"):
        pi0_from_points(row, 9)
    with pytest.raises(ValueError, match="covers"):
        pi0_from_points(((10, 90.0), (20, 94.0)), 21)
    with pytest.raises(ValueError):
        pi0_from_points(((10, 100.0),), 10)


def test_cost323_uses_the_entered_pi0_and_says_so() -> None:
    e = np.random.default_rng(5).normal(0, 1, 60)
    e = (e - e.mean()) / e.std(ddof=1) * 1.8
    approx = cost323("gvw", e, "R2", "I")
    assert not approx.pi0_from_spec
    strict = cost323("gvw", e, "R2", "I", pi0_points=((60, 99.9),))
    assert strict.pi0_from_spec and strict.pi0_pct == 99.9
    # A stricter π0 needs a wider δ: the same errors reach a coarser class.
    assert strict.tolerance_pct > approx.tolerance_pct
    assert (strict.cost323_class, approx.cost323_class) == ("B+(7)", "A(5)")
