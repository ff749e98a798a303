"""Legal limits and the overload decision."""

from __future__ import annotations

import pytest

from wim_station.config import RulesSection
from wim_station.core.passage import Axle, Passage
from wim_station.rules import decide, gvw_limit

RULES = RulesSection()


def passage(gvw_kg: float, axles: int, kind: str | None = "combination",
            flags: tuple[str, ...] = ()) -> Passage:
    per = gvw_kg / axles
    return Passage(
        lane=1, t_first_axle_us=0, speed_mps=16.0, accel_mps2=0.0,
        axles=tuple(Axle(per, None if k == 0 else 3.0, 0.0, 16.0, k, None, None, ())
                    for k in range(axles)),
        gvw_kg=gvw_kg, class_code="1" * axles, vehicle_kind=kind, flags=flags, gap_s=None,
        temperature_c=None, calibration_version="v7",
    )


@pytest.mark.parametrize(("axles", "kind", "limit"), [
    (2, "rigid", 18_000), (3, "rigid", 25_000), (3, "combination", 27_000),
    (4, "rigid", 31_000), (4, "combination", 36_000), (5, "combination", 43_000),
    (6, "combination", 49_000), (6, "tractor_single_drive", 46_000), (7, "combination", 49_000),
    # Unknown configuration: the most lenient limit for that axle count.
    (3, None, 27_000), (4, None, 36_000), (6, None, 49_000),
])
def test_limits_by_axle_count_and_configuration(axles: int, kind: str | None, limit: float) -> None:
    assert gvw_limit(RULES, axles, kind).limit_kg == limit


def test_tolerance_is_deducted_before_deciding() -> None:
    # 49 t limit, 5 % tolerance: 51.5 t measured -> 48.925 t after tolerance: within.
    d = decide(passage(51_500, 6), RULES)
    assert d.decided and not d.overloaded and not d.warning and d.severity == "none"
    assert d.excess_pct == pytest.approx((51_500 / 49_000 - 1) * 100)
    assert d.gvw_after_tolerance_kg == pytest.approx(51_500 * 0.95)


def test_excess_up_to_one_tonne_is_a_warning() -> None:
    d = decide(passage(52_500, 6), RULES)  # 49.875 t after tolerance: 0.875 t over
    assert d.warning and not d.overloaded and d.severity == "warning"
    d = decide(passage(53_000, 6), RULES)  # 50.35 t after tolerance: 1.35 t over
    assert d.overloaded and d.excess_kg == pytest.approx(1_350)


def test_warning_band_ends_at_exactly_one_tonne() -> None:
    # Order No. 62 art. 43(2): "未超过1000千克的，予以警告": 1000 kg over is still a warning.
    exact = RULES.model_copy(update={"tolerance_pct": 0.0})
    d = decide(passage(50_000, 6), exact)
    assert d.warning and not d.overloaded and d.excess_kg == pytest.approx(1_000)
    assert decide(passage(50_001, 6), exact).overloaded


def test_overloaded_and_severe_bands() -> None:
    d = decide(passage(60_000, 6), RULES)  # 57.0 t after tolerance: 16 % over
    assert d.overloaded and d.severity == "overloaded" and not d.heavy_flag
    d = decide(passage(75_000, 6), RULES)  # 71.25 t: 45 % over
    assert d.overloaded and d.severity == "severe"
    assert d.limit_kg == 49_000 and d.calibration_version == "v7"


def test_100_tonnes_are_flagged_even_when_invalid() -> None:
    d = decide(passage(104_000, 6, flags=("straddling",)), RULES)
    assert d.heavy_flag and not d.decided and not d.overloaded
    assert d.severity == "undecided" and "straddling" in d.reason


def test_no_decision_on_an_invalid_measurement() -> None:
    d = decide(passage(80_000, 6, flags=("decelerating",)), RULES)
    assert not d.decided and not d.overloaded and not d.warning


def test_per_province_tolerance() -> None:
    strict = RULES.model_copy(update={"tolerance_pct": 0.0, "warning_margin_kg": 0.0})
    assert decide(passage(49_100, 6), strict).overloaded
    assert not decide(passage(49_100, 6), RULES).overloaded
