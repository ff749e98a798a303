"""Slow vehicles (certified range, 5-25 km/h) are closed whole, never as a valid part.

A truck cut in two by the quiet stretch that closes a lane's axle train can come out as a
valid smaller vehicle judged against a smaller limit: a wrongful overload decision.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from tests.wim_station.core.synth import SynthVehicle, frames, header, signals
from wim_station.core import AxleLoadCore, Passage, SiteLayout
from wim_station.core.assembly import LaneAssembler
from wim_station.core.layout import ChannelSpec
from wim_station.core.pulses import Pulse, PulseDetector

SEMI_LOADS = (6000.0, 9000.0, 9000.0, 8000.0, 8000.0, 8000.0)
# '157' at both ends of its kingpin range: 3.3, 1.35, 6.35, 1.3, 1.3 and 2.7, 1.85, 8.9, ...
SEMI = (0.0, 3.3, 4.65, 11.0, 12.3, 13.6)
LONG_SEMI = (0.0, 2.7, 4.55, 13.45, 14.75, 16.6)


def live_site() -> SiteLayout:
    """Two strip rows 3 m apart, processed in 50 ms blocks as on the live site."""
    site = SiteLayout.from_header(header())
    return replace(site, detection=site.detection.model_copy(update={"block_samples": 200}))


def run_slow(vehicle: SynthVehicle, frame_samples: int,
             then: tuple[SynthVehicle, ...] = ()) -> list[Passage]:
    hdr = header()
    travel_s = (vehicle.offsets_m[-1] + 3.5) / vehicle.speed_mps
    end_s = max(v.t_first_s + 3.0 for v in (vehicle, *then))
    counts = signals(hdr, [vehicle, *then], max(end_s, vehicle.t_first_s + travel_s) + 8.0)
    core = AxleLoadCore(live_site())
    out: list[Passage] = []
    for frame in frames(hdr, counts, frame_samples):
        out += core.feed(frame)
    return out + core.flush()


@pytest.mark.parametrize("frame_samples", [37, 200])
@pytest.mark.parametrize(
    ("kmh", "offsets", "loads"),
    [
        (10.0, SEMI, SEMI_LOADS),
        (15.0, SEMI, SEMI_LOADS),
        (20.0, SEMI, SEMI_LOADS),
        (10.0, LONG_SEMI, SEMI_LOADS),
        (20.0, LONG_SEMI, SEMI_LOADS),
        (5.5, (0.0, 6.5), (7000.0, 11000.0)),  # long wheelbase: a long quiet inside
        (10.0, (0.0, 6.5), (7000.0, 11000.0)),
        (5.5, (0.0, 2.8), (7000.0, 11000.0)),  # wheelbase under the rows' 3 m span
        (15.0, (0.0, 2.8), (7000.0, 11000.0)),
    ],
)
def test_slow_vehicle_is_one_passage(kmh: float, offsets: tuple[float, ...],
                                     loads: tuple[float, ...], frame_samples: int) -> None:
    vehicle = SynthVehicle(1.0, kmh / 3.6, loads, offsets)
    out = run_slow(vehicle, frame_samples)
    assert not [p for p in out if p.valid and p.axle_count != len(offsets)]
    assert [p.axle_count for p in out] == [len(offsets)]
    assert out[0].valid, out[0].flags
    assert out[0].gvw_kg == pytest.approx(sum(loads), rel=0.03)


def test_vehicle_slower_than_certified_cut_apart_is_flagged() -> None:
    """Below the certified speed a kingpin spacing outlasts the longest quiet wait: the
    tractor closed alone is flagged a doubtful split (and out of range), never decided;
    a truck long after it is not."""
    later = SynthVehicle(40.0, 15.0, (6000.0, 9000.0), (0.0, 4.5))
    out = run_slow(SynthVehicle(1.0, 2.5 / 3.6, (6000.0, 9000.0, 8000.0),
                                (0.0, 3.5, 13.0)), 200, (later,))
    # The lone trailer axle is no vehicle of any class: not reported.
    assert [p.axle_count for p in out] == [2, 2]
    assert {"uncertain_split", "out_of_speed_range"} <= set(out[0].flags)
    assert out[1].valid


def _no_conditions(_a: float, _b: float) -> tuple[set[str], float | None]:
    return set(), None


def _wheel(channel: ChannelSpec, t_s: float, dur_s: float) -> Pulse:
    t_us = t_s * 1e6
    return Pulse(channel.index, t_us - dur_s * 5e5, t_us + dur_s * 5e5, t_us,
                 30_000.0 * dur_s, 30_000.0, 30_000.0)


def test_pulse_in_progress_keeps_the_train_open() -> None:
    """A wheel on a strip, not reported yet, is no quiet: the train stays open across it."""
    site = live_site()
    lane_layout = site.lanes[0]
    lane = LaneAssembler(lane_layout, site)
    v = 5.5 / 3.6  # a 6.5 m wheelbase: 2.3 s between the first axle's row 1 and the next
    dur = 0.35 / v
    first = [(_wheel(c, 1.0 + c.position_m / v, dur), c) for c in lane_layout.channels]
    for pulse, spec in first:
        lane.add(pulse, spec)
    second_on_us = (1.0 + 6.5 / v - dur / 2) * 1e6  # its row-0 wheel went on here
    now_us = second_on_us + 6e6  # the train's gap rule alone would close it by now
    assert lane.poll(now_us, _no_conditions, busy_from_us=second_on_us) == []
    assert lane.trains == 0
    for c in lane_layout.channels:
        lane.add(_wheel(c, 1.0 + (6.5 + c.position_m) / v, dur), c)
    (p,) = lane.flush(_no_conditions)
    assert p.axle_count == 2 and p.axles[1].spacing_m == pytest.approx(6.5, abs=0.05)


def test_detector_reports_where_an_unfinished_pulse_began() -> None:
    site = live_site()
    det = PulseDetector(site.channels, 4000, site.detection)
    block = np.zeros((400, len(site.channels)))
    block[300:, 1] = 20_000.0  # channel 1 goes on at sample 300 and stays on
    det.feed(block, 1e6)
    assert det.open_since_us[1] == pytest.approx(1e6 + 300 * 250.0)
    assert np.isinf(det.open_since_us[[0, 2, 3]]).all()
    block = np.zeros((400, len(site.channels)))
    det.feed(block, 1e6 + 400 * 250.0)  # it ended: reported or about to be, no longer open
    det.feed(block, 1e6 + 800 * 250.0)
    assert np.isinf(det.open_since_us).all()
