"""Traffic world model: configurations, plates, behaviours, reproducibility."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np

from simulators.traffic.plates import make_plate
from simulators.traffic.world import GROUP_SPACING_M, TAILGATING_GAP_S, TrafficParams, take

PLATE = re.compile(r"^[\u4e00-\u9fff][A-HJ-NP-Z][0-9A-HJ-NP-Z]{5,6}$")
FLEET = take(TrafficParams(lanes=2), seed=1, n=600)


def test_class_code_matches_axle_spacings() -> None:
    digit_of = {(1, False): "1", (1, True): "2", (2, True): "5", (3, True): "7"}
    for v in FLEET:
        groups: list[list[int]] = [[0]]
        for j in range(1, len(v.axles)):
            spacing = v.axles[j].offset_m - v.axles[j - 1].offset_m
            assert 1.2 < spacing < 9.5
            if spacing < GROUP_SPACING_M:
                groups[-1].append(j)
            else:
                groups.append([j])
        code = "".join(digit_of[(len(g), v.axles[g[0]].dual_tyres)] for g in groups)
        assert code == v.code


def test_mix_has_cars_trucks_overloads_and_outliers() -> None:
    codes = Counter(v.code for v in FLEET)
    assert {"11", "12", "15", "115", "125", "155", "127", "157"} <= set(codes)
    states = Counter(v.load_state for v in FLEET)
    assert states["empty"] and states["loaded"] and states["overloaded"]
    over = [v for v in FLEET if v.gvw_kg > 1.1 * v.legal_limit_kg]
    assert len(over) > 0.08 * len(FLEET)
    heavy = take(TrafficParams(p_extreme=0.5), seed=2, n=100)
    assert max(v.gvw_kg for v in heavy) > 95_000


def test_speeds_and_lanes_are_plausible() -> None:
    speeds = np.array([v.speed_mps * 3.6 for v in FLEET])
    assert speeds.min() >= 30 and speeds.max() <= 90
    assert {v.lane for v in FLEET} == {1, 2}
    times = [v.t_first_s for v in FLEET]
    assert times == sorted(times)
    assert [v.id for v in FLEET] == list(range(1, len(FLEET) + 1))


def test_abnormal_behaviours_are_what_they_claim() -> None:
    flags = Counter(f for v in FLEET for f in v.flags)
    assert set(flags) == {"accelerating", "decelerating", "straddling", "lane_change", "tailgating"}
    for v in FLEET:
        if "accelerating" in v.flags:
            assert v.accel_mps2 >= 1.5
        elif "decelerating" in v.flags:
            assert v.accel_mps2 <= -1.3
        else:
            assert abs(v.accel_mps2) <= 0.3
        if "tailgating" in v.flags:
            assert v.gap_s is not None and v.gap_s < TAILGATING_GAP_S
        elif v.gap_s is not None:
            assert v.gap_s >= 1.2  # close following, but not tailgating
        if "straddling" in v.flags or "lane_change" in v.flags:
            assert abs(v.lateral_m) > 0.85
        else:
            assert abs(v.lateral_m) <= 0.4


def test_same_seed_same_traffic() -> None:
    assert take(TrafficParams(lanes=2), seed=1, n=50) == FLEET[:50]
    assert take(TrafficParams(lanes=2), seed=2, n=50) != FLEET[:50]


def test_plates_are_realistic() -> None:
    rng = np.random.default_rng(0)
    colors: Counter[tuple[str, str]] = Counter()
    for kind in ["car"] * 300 + ["truck"] * 300:
        text, color = make_plate(rng, kind)
        assert PLATE.match(text), text
        assert "I" not in text and "O" not in text
        assert len(text) == (8 if color in ("green", "yellow-green") else 7)
        colors[(kind, color)] += 1
    assert colors[("car", "blue")] > colors[("car", "green")] > 0
    assert colors[("truck", "yellow")] > 250
    assert all(v.plate_color in ("blue", "yellow", "green", "yellow-green") for v in FLEET)
