"""Boat dynamics and environment: the numbers the issue gives for a 2–5 m patrol boat."""

from __future__ import annotations

import math

import pytest

from simulators.lake.dynamics import BoatParams, BoatState, step_boat
from simulators.lake.environment import Environment, EnvironmentSpec, vector

DT = 0.05


def run(thrust: float, rudder: float, seconds: float, current: tuple[float, float] = (0.0, 0.0),
        state: BoatState | None = None) -> list[BoatState]:
    s = state or BoatState(0.0, 0.0, 0.0)
    out = []
    for _ in range(round(seconds / DT)):
        s = step_boat(s, BoatParams(), thrust, rudder, current, (0.0, 0.0), DT)
        out.append(s)
    return out


def test_full_thrust_reaches_about_three_metres_per_second() -> None:
    assert run(1.0, 0.0, 60.0)[-1].surge_mps == pytest.approx(3.0, abs=0.02)


def test_yaw_rate_is_first_order_with_time_constant_t() -> None:
    cruise = run(1.0, 0.0, 60.0)[-1]
    turn = run(1.0, 0.5, 20.0, state=cruise)
    final = turn[-1].yaw_rate_dps
    params = BoatParams()
    at_t = turn[round(params.nomoto_time_constant_s / DT) - 1].yaw_rate_dps
    assert final > 0  # positive rudder turns to starboard
    assert at_t / final == pytest.approx(1 - math.exp(-1), abs=0.05)
    assert math.radians(final) == pytest.approx(params.nomoto_gain_per_s * 0.5, rel=0.05)


def test_a_stopped_boat_drifts_with_the_current() -> None:
    final = run(0.0, 0.0, 10.0, current=(0.3, 0.0))[-1]
    assert final.ve_mps == pytest.approx(0.3) and final.east_m == pytest.approx(3.0, rel=0.02)


def test_gusty_wind_is_seeded_and_averages_to_its_mean() -> None:
    spec = EnvironmentSpec(wind_mps=6.0, wind_toward_deg=90.0)
    a, b = Environment(spec, seed=3), Environment(spec, seed=3)
    speeds = []
    for _ in range(20_000):
        a.step(0.05)
        b.step(0.05)
        assert a.wind == b.wind
        speeds.append(math.hypot(*a.wind))
    mean = sum(speeds) / len(speeds)
    assert mean == pytest.approx(6.0, abs=0.6)
    assert max(speeds) > 7.0  # there are gusts
    assert vector(1.0, 90.0) == pytest.approx((1.0, 0.0))
