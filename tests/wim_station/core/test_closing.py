"""When the core closes a vehicle: as soon as no configured vehicle could go on, not sooner.

Times here are DAQ times (the data's own clock), so they are exact, not wall-clock figures.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.wim_station.core.synth import SynthVehicle, frames, header, signals
from wim_station.core import AxleLoadCore, Passage, SiteLayout
from wim_station.core.assembly import LaneAssembler
from wim_station.core.pulses import Pulse

T0_US = 1_700_000_000_000_000
SEMI_6 = (0.0, 3.3, 4.65, 11.0, 12.3, 13.6)  # '157'
SEMI_6_LOADS = (6000.0, 9000.0, 9000.0, 8000.0, 8000.0, 8000.0)


def out_times(vehicles: list[SynthVehicle], duration_s: float,
              lanes: int = 1) -> list[tuple[float, Passage]]:
    """(DAQ time in s since the start when the core gave it, passage), 50 ms blocks."""
    hdr = header(lanes=lanes)
    site = SiteLayout.from_header(hdr)
    site = replace(site, detection=site.detection.model_copy(update={"block_samples": 200}))
    core = AxleLoadCore(site)
    got: list[tuple[float, Passage]] = []
    for frame in frames(hdr, signals(hdr, vehicles, duration_s), 200):
        at_s = (frame.t0_us - T0_US) / 1e6 + frame.n_samples / frame.sample_rate_hz
        got += [(at_s, p) for p in core.feed(frame)]
    return got + [(float("inf"), p) for p in core.flush()]


def last_axle_at_row0_s(v: SynthVehicle) -> float:
    return v.t_first_s + v.offsets_m[-1] / v.speed_mps


@pytest.mark.parametrize("lanes", [1, 2])
def test_whole_six_axle_semi_is_out_once_its_last_axle_left_the_rows(lanes: int) -> None:
    semi = SynthVehicle(1.0, 60 / 3.6, SEMI_6_LOADS, SEMI_6)
    ((at_s, p),) = out_times([semi], 4.0, lanes)
    assert p.class_code == "157" and p.valid
    # No configured vehicle goes on from a '157': out after the last axle crossed the last
    # row (3 m), the quiet floor (0.1 s) and one block, not a fixed second later.
    assert at_s <= last_axle_at_row0_s(semi) + 3.0 / semi.speed_mps + 0.1 + 0.1


@pytest.mark.parametrize("kmh", [30.0, 60.0, 85.0])
def test_two_axle_truck_waits_for_the_trailer_axle_it_could_have(kmh: float) -> None:
    truck = SynthVehicle(1.0, kmh / 3.6, (7000.0, 11000.0), (0.0, 4.0))
    ((at_s, p),) = out_times([truck], 6.0)
    assert p.class_code == "12" and p.valid
    # A 4 m wheelbase may be the tractor of a '122', whose trailer axle can be 10 m behind.
    assert at_s >= last_axle_at_row0_s(truck) + 10.0 / truck.speed_mps


@pytest.mark.parametrize(("kmh", "accel"), [(30.0, 0.0), (30.0, -1.5), (60.0, -2.5)])
def test_tractor_is_never_closed_before_its_trailer_axle(kmh: float, accel: float) -> None:
    """The longest kingpin of a '122', braking harder than a steady passage allows."""
    semi = SynthVehicle(1.0, kmh / 3.6, (6500.0, 11000.0, 10000.0), (0.0, 4.4, 14.2),
                        accel_mps2=accel)
    got = out_times([semi], 8.0)
    assert [p.axle_count for _, p in got] == [3]


def test_follower_right_behind_a_closed_semi_is_its_own_vehicle() -> None:
    semi = SynthVehicle(1.0, 15.0, SEMI_6_LOADS, SEMI_6)
    car = SynthVehicle(last_axle_at_row0_s(semi) + 0.5, 15.0, (800.0, 700.0), (0.0, 2.7))
    got = out_times([semi, car], 4.0)
    assert [p.class_code for _, p in got] == ["157", "11"]
    assert got[0][1].valid and "tailgating" in got[1][1].flags
    assert got[0][0] < car.t_first_s  # the semi was out before the car arrived


def _no_conditions(_a: float, _b: float) -> tuple[set[str], float | None]:
    return set(), None


def _wheels(vehicles: list[tuple[float, float, tuple[float, ...]]],
            skip: frozenset[tuple[int, int, int]] = frozenset()) -> list[Pulse]:
    """Ideal strip pulses of (t_first_s, speed_mps, offsets_m) vehicles; `skip` holds
    (vehicle, axle, row) crossings that leave no pulse."""
    layout = SiteLayout.from_header(header()).lanes[0]
    out = []
    for n, (t_first_s, v, offsets) in enumerate(vehicles):
        dur = 0.3 / v
        for k, off in enumerate(offsets):
            for c in layout.channels:
                if (n, k, c.row) not in skip:
                    t_us = (t_first_s + (off + c.position_m) / v) * 1e6
                    out.append(Pulse(c.index, t_us - dur * 5e5, t_us + dur * 5e5, t_us,
                                     30_000.0 * dur, 30_000.0, 30_000.0))
    return sorted(out, key=lambda p: p.t_end_us)


def _assemble(pulses: list[Pulse], until_s: float = 10.0) -> list[Passage]:
    """One lane's assembler, given each pulse once it ended and polled every 50 ms."""
    site = SiteLayout.from_header(header())
    lane = LaneAssembler(site.lanes[0], site)
    specs = {c.index: c for c in site.lanes[0].channels}
    out: list[Passage] = []
    now_us = 0.0
    while now_us < until_s * 1e6:
        now_us += 5e4
        while pulses and pulses[0].t_end_us <= now_us:
            p = pulses.pop(0)
            lane.add(p, specs[p.channel])
        out += lane.poll(now_us, _no_conditions)
    return out


def test_axle_that_never_reaches_the_last_row_does_not_hold_the_lane_open() -> None:
    """A lane changer's last axle leaves the lane between the rows: the truck 1.5 s behind
    is a vehicle of its own, not mixed into the car's train."""
    out = _assemble(_wheels([(1.0, 22.0, (0.0, 2.7)), (2.7, 18.0, (0.0, 4.5))],
                            skip=frozenset({(0, 1, 1)})))
    assert [p.axle_count for p in out] == [2, 2]
    assert "axle_mismatch" in out[0].flags
    assert out[1].valid and out[1].class_code == "12"


@pytest.mark.parametrize("truck_s", [3.0, 4.0, 6.0])
def test_lone_wheel_on_one_row_costs_the_next_vehicle_nothing(truck_s: float) -> None:
    """A tyre edge on one strip (no axle over two rows) is no vehicle; a truck seconds later
    is weighed and decided whole, not robbed of its first axle's row-1 hit or doubted."""
    out = _assemble(_wheels([(1.0, 20.0, (0.0,)), (truck_s, 18.0, (0.0, 4.5))],
                            skip=frozenset({(0, 0, 1)})))
    trucks = [p for p in out if p.axle_count == 2]
    assert [(p.class_code, p.flags) for p in trucks] == [("12", ())]
    assert all(not p.valid for p in out if p.axle_count != 2)
