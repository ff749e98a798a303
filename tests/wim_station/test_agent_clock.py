"""DAQ clock to host clock: the instants camera frames are matched against."""

from __future__ import annotations

import pytest

from wim_station.site.clock import DaqClockMap

DAQ0_US = 1_796_000_000_000_000


def test_no_frames_no_mapping() -> None:
    assert DaqClockMap().host_time(DAQ0_US) is None
    assert DaqClockMap().rate() == 1.0


def test_real_time_daq_maps_to_arrival_times() -> None:
    clock = DaqClockMap()
    for i in range(100):  # 20 frames/s arriving 30 ms after their last sample
        clock.add(DAQ0_US + i * 50_000, 1000.0 + i * 0.05 + 0.03)
    assert clock.host_time(DAQ0_US + 2_000_000) == pytest.approx(1002.03, abs=1e-6)
    assert clock.rate() == pytest.approx(1.0, abs=1e-6)
    # After the newest frame: extrapolated at the fitted rate.
    assert clock.host_time(DAQ0_US + 6_000_000) == pytest.approx(1006.03, abs=1e-3)


def test_faster_than_real_time_daq_scales() -> None:
    clock = DaqClockMap()
    for i in range(200):  # a simulator at 2x: 50 ms of samples every 25 ms
        clock.add(DAQ0_US + i * 50_000, 500.0 + i * 0.025)
    assert clock.rate() == pytest.approx(0.5, rel=1e-6)
    assert clock.host_time(DAQ0_US + 4_000_000) == pytest.approx(502.0, abs=1e-6)


def test_burst_after_a_stall_maps_to_the_actual_arrival() -> None:
    clock = DaqClockMap(min_step_s=0.0)
    for i in range(40):
        clock.add(DAQ0_US + i * 50_000, 100.0 + i * 0.05)
    # 1 s of frames held up, then delivered at once at t = 102.9
    for i in range(40, 60):
        clock.add(DAQ0_US + i * 50_000, 102.9 + (i - 40) * 0.001)
    assert clock.host_time(DAQ0_US + 2_500_000) == pytest.approx(102.91, abs=0.002)


def test_a_daq_clock_step_starts_afresh() -> None:
    clock = DaqClockMap()
    for i in range(10):
        clock.add(DAQ0_US + i * 50_000, 10.0 + i * 0.05)
    clock.add(DAQ0_US - 3_600_000_000, 10.6)  # DAQ restarted an hour behind
    assert clock.resets == 1
    assert clock.host_time(DAQ0_US - 3_600_000_000) == pytest.approx(10.6)
    assert clock.health()["resets"] == 1
