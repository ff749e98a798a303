"""The core on a two-lane site, with vehicles from the traffic simulator placed by hand.

Each scene is a few seconds of simulated DAQ frames (seeded), streamed straight into the
core. A vehicle over the line between the lanes must come out once and flagged; the
vehicles beside it must come out once each with their true axle count and weight; nothing
may be invented or decided on a mixed measurement.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from simulators.traffic.layout import make_layout
from simulators.traffic.sensors import SensorParams
from simulators.traffic.stream import TrafficDaq
from simulators.traffic.world import TrafficParams, Vehicle, VehicleFactory
from tests.wim_station.core.synth import SynthVehicle, frames, header, signals
from wim_station.core import AxleLoadCore, Passage, SiteLayout
from wim_station.rules import decide

LAYOUTS = ("two-strips", "four-strips", "two-plates")
START_US = 1_778_803_200_000_000


def truck(seed: int, lane: int, t_first_s: float, axles: int = 5, lateral_m: float = 0.0,
          lateral_speed_mps: float = 0.0) -> Vehicle:
    """A seeded heavy truck of at least `axles` axles at a steady speed and lateral drift."""
    rng = np.random.default_rng(seed)
    factory = VehicleFactory(TrafficParams(lanes=2), rng)
    while True:
        v = factory.make(seed, lane, t_first_s, "normal", None)
        if v.kind == "truck" and len(v.axles) >= axles:
            return replace(v, lateral_m=lateral_m, lateral_speed_mps=lateral_speed_mps,
                           accel_mps2=0.0)


def scene(layout: str, vehicles: list[Vehicle], seed: int = 1) -> tuple[list[Passage], SiteLayout]:
    """Simulate the vehicles over a two-lane site and return what the core reports."""
    site = make_layout(layout, lanes=2)
    params = SensorParams()
    header = site.header("test", "2026-05-15T00:00:00Z", params.sample_rate_hz)
    layout_core = SiteLayout.from_header(header)
    core = AxleLoadCore(layout_core)
    ordered = sorted(vehicles, key=lambda v: v.t_first_s)
    daq = TrafficDaq(iter(ordered), site, params, seed, START_US)
    end_s = max(v.t_first_s + 3.0 for v in vehicles) + 2.0
    out: list[Passage] = []
    while daq.time_s < end_s:
        frame, _ = daq.next_frame()
        out += core.feed(frame)
    return out + core.flush(), layout_core


def t_first_us(v: Vehicle) -> float:
    return START_US + v.t_first_s * 1e6


def one_for(v: Vehicle, passages: list[Passage]) -> Passage:
    """The single passage within 0.25 s of the vehicle's first axle (its lane or flagged)."""
    near = [p for p in passages if abs(p.t_first_axle_us - t_first_us(v)) < 250_000
            and (p.lane == v.lane or not p.valid)]
    assert len(near) == 1, f"vehicle {v.id}: {[(p.lane, p.axle_count) for p in near]}"
    return near[0]


def assert_measured(v: Vehicle, p: Passage, rel: float = 0.06) -> None:
    assert p.valid, p.flags
    assert p.lane == v.lane
    assert p.axle_count == len(v.axles)
    assert p.gvw_kg == pytest.approx(v.gvw_kg, rel=rel)


def assert_nothing_decided_wrongly(passages: list[Passage], site: SiteLayout,
                                   vehicles: list[Vehicle]) -> None:
    """No overload decision unless a real vehicle of that axle count is really over."""
    for p in passages:
        d = decide(p, site.rules)
        if d.overloaded:
            v = min(vehicles, key=lambda v: abs(p.t_first_axle_us - t_first_us(v)))
            assert p.axle_count == len(v.axles)
            assert v.gvw_kg > d.limit_kg


def after(v: Vehicle, gap_s: float) -> float:
    """A start time `gap_s` after the vehicle's last axle crossed row 0."""
    return v.t_first_s + v.crossing_tau(len(v.axles) - 1, 0.0) + gap_s


@pytest.mark.parametrize("layout", LAYOUTS)
def test_two_trucks_side_by_side_are_two_valid_passages(layout: str) -> None:
    left = truck(11, 1, 1.0)
    right = truck(12, 2, 1.02, lateral_m=0.2)
    out, site = scene(layout, [left, right])
    assert len(out) == 2
    assert_measured(left, one_for(left, out))
    assert_measured(right, one_for(right, out))
    assert_nothing_decided_wrongly(out, site, [left, right])


@pytest.mark.parametrize("layout", LAYOUTS)
def test_lane_changer_between_trucks_of_the_other_lane(layout: str) -> None:
    # A lane-1 truck drifts over the line into lane 2, between a lane-2 truck just ahead and
    # another close behind: its wheels mix into lane 2's axle train.
    changer = truck(22, 1, 4.0, lateral_m=1.0, lateral_speed_mps=0.9)
    ahead = truck(21, 2, 0.0)
    ahead = replace(ahead, t_first_s=changer.t_first_s - after(ahead, 0.7))
    behind = truck(23, 2, after(changer, 0.8))
    out, site = scene(layout, [ahead, changer, behind])
    assert_measured(ahead, one_for(ahead, out))
    assert_measured(behind, one_for(behind, out))
    p = one_for(changer, out)
    assert not p.valid and {"lane_change", "straddling"} & set(p.flags)
    assert len(out) == 3, [(p.lane, p.axle_count, p.flags) for p in out]
    assert_nothing_decided_wrongly(out, site, [ahead, changer, behind])


@pytest.mark.parametrize("layout", LAYOUTS)
def test_straddler_then_traffic_in_both_lanes(layout: str) -> None:
    straddler = truck(31, 1, 1.0, lateral_m=1.7)
    beside = truck(32, 2, after(straddler, 1.3), axles=2, lateral_m=0.1)
    follower = truck(33, 1, after(straddler, 1.6), lateral_m=-0.1)
    out, site = scene(layout, [straddler, beside, follower])
    p = one_for(straddler, out)
    assert not p.valid and "straddling" in p.flags
    assert p.axle_count == len(straddler.axles)
    assert_measured(beside, one_for(beside, out))
    assert_measured(follower, one_for(follower, out))
    assert len(out) == 3
    assert_nothing_decided_wrongly(out, site, [straddler, beside, follower])


def braking_truck_and_tailgater() -> list[Vehicle]:
    # The follower keeps the speed the truck leaves the site with, 0.7 s behind its rear.
    braking = replace(truck(41, 2, 1.0, axles=6), speed_mps=19.0, accel_mps2=-3.6)
    exit_mps = braking.speed_at(braking.crossing_tau(len(braking.axles) - 1, 7.0))
    return [braking, replace(truck(42, 2, after(braking, 0.7), axles=2), speed_mps=exit_mps)]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_hard_braking_truck_and_its_tailgater_are_never_valid(layout: str) -> None:
    vehicles = braking_truck_and_tailgater()
    out, site = scene(layout, vehicles)
    # Known weakness: the rows often pair the braking truck's axles with its follower's
    # (similar axle patterns, a delay several times too long); but never into a valid weight.
    assert out and not any(p.valid for p in out)
    assert_nothing_decided_wrongly(out, site, vehicles)


@pytest.mark.parametrize("light_side", ["left", "right"])
def test_straddler_whose_first_wheel_shows_in_one_lane_only_is_one_vehicle(
        light_side: str) -> None:
    """Its first axle triggers only one lane's line-facing strip (the other wheel is on the
    edge of its strip): live 50 ms blocks give the same single flagged vehicle as replay's
    1 s blocks, in the same lane, not a stray wheel in one lane and the car in the other."""
    hdr = header(lanes=2)
    car = SynthVehicle(1.0, 22.0, (900.0, 800.0), (0.0, 2.7),
                       wheels=(("left", 1, "right"), ("right", 2, "left")))
    counts = signals(hdr, [car], 6.0)
    # The first axle over row 0 (at 1.0 s): one of its wheels leaves no pulse.
    blank = 1 if light_side == "left" else 4
    rate = hdr.sample_rate_hz
    counts[int(0.95 * rate):int(1.05 * rate), blank] = hdr.channels[blank].zero_counts
    results = []
    for block in (200, 4096):
        site = SiteLayout.from_header(hdr)
        site = replace(site, detection=site.detection.model_copy(
            update={"block_samples": block}))
        core = AxleLoadCore(site)
        out: list[Passage] = []
        for frame in frames(hdr, counts, 200):
            out += core.feed(frame)
        out += core.flush()
        results.append([(p.lane, p.axle_count, p.valid) for p in out])
    assert results[0] == results[1]
    assert [(n, valid) for _, n, valid in results[0]] == [(2, False)]
