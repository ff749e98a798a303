"""Entering loiter from cruise: the approach slows down instead of gliding past the point."""

from __future__ import annotations

import math
from itertools import takewhile

import pytest

from simulators.lake.closed_loop import ClosedLoopSpec, lake_spec_for, run_closed_loop
from simulators.lake.environment import EnvironmentSpec
from simulators.lake.gnss_feed import GnssNoise
from vessel.config import VesselConfig
from vessel.navigation import Navigator

NO_NOISE = GnssNoise(position_walk_m=0.0, position_white_m=0.0, sog_mps=0.0, heading_deg=0.0)
ARRIVED_M = 5.0  # within this of the point counts as arrived (the steady loiter bound)


def entry_transient_m(offsets: list[float]) -> float:
    """Furthest from the point after first coming within ARRIVED_M of it."""
    first = next(i for i, o in enumerate(offsets) if o <= ARRIVED_M)
    return max(offsets[first:])


def _loiter_here_while_cruising(cfg: VesselConfig, env: EnvironmentSpec,
                                t_cmd: float) -> tuple[list[float], list[float]]:
    """Distances from the loiter point after the command, and how far past it along the
    course the boat ran before it first slowed below 0.5 m/s."""
    nav = Navigator(cfg)

    def command(t: float, navigator: Navigator, _world: object) -> None:
        if abs(t - t_cmd) < 1e-6:
            navigator.set_mode("loiter", t)

    lake = lake_spec_for(cfg, environment=env)
    trace = run_closed_loop(cfg, lake, ClosedLoopSpec(duration_s=t_cmd + 120.0, noise=NO_NOISE),
                            navigator=nav, hook=command)
    after = [s for s in trace.samples if s.t_s >= t_cmd]
    assert after[0].out.status.sog_mps is not None and after[0].out.status.sog_mps > 1.5
    course = math.radians(after[0].heading_deg)  # under way when told
    point = nav.loiter.point
    offsets = [math.dist((s.east_m, s.north_m), point) for s in after]
    gliding = takewhile(lambda s: (s.out.status.sog_mps or 0.0) >= 0.5, after)
    past = [(s.east_m - point[0]) * math.sin(course) + (s.north_m - point[1]) * math.cos(course)
            for s in gliding]
    return offsets, past


@pytest.mark.parametrize("t_cmd", [100.0, 350.0])
def test_loiter_here_from_cruise_in_calm_water_stops_at_the_point(cfg: VesselConfig,
                                                                  t_cmd: float) -> None:
    _, past = _loiter_here_while_cruising(cfg, EnvironmentSpec(), t_cmd)
    # before: no braking, the boat glided ~14 m on a point set 6 m ahead, 6-7 m past it
    assert max(past) <= 1.0


def test_loiter_here_from_cruise_in_current_and_wind(cfg: VesselConfig) -> None:
    env = EnvironmentSpec(0.3, 30.0, 6.0, 120.0)  # the acceptance environment
    offsets, _ = _loiter_here_while_cruising(cfg, env, 100.0)
    assert entry_transient_m(offsets) <= 6.0  # before: 6.85 m
