"""The drift monitor: steer axles of loaded tractors, per lane, alarm only."""

from __future__ import annotations

import numpy as np

from wim_station.config import DriftSection
from wim_station.core.passage import Axle, Passage
from wim_station.drift import DriftMonitor

PARAMS = DriftSection(baseline_vehicles=20, window_vehicles=20, bound_pct=3.0)


def tractor(steer_kg: float, lane: int = 1, version: str = "v1", gvw_kg: float = 42_000,
            flags: tuple[str, ...] = (), axles: int = 5, kind: str = "combination") -> Passage:
    rest = (gvw_kg - steer_kg) / (axles - 1)
    loads = [steer_kg] + [rest] * (axles - 1)
    return Passage(
        lane=lane, t_first_axle_us=1, speed_mps=16.0, accel_mps2=0.0,
        axles=tuple(Axle(x, None if k == 0 else 1.3, 0.0, 16.0, k, None, None, ())
                    for k, x in enumerate(loads)),
        gvw_kg=gvw_kg, class_code="155", vehicle_kind=kind, flags=flags, gap_s=None,
        temperature_c=None, calibration_version=version)


def feed(mon: DriftMonitor, loads: np.ndarray, **kw) -> None:
    for x in loads:
        mon.observe(tractor(float(x), **kw))


def test_stable_site_raises_no_alarm() -> None:
    rng = np.random.default_rng(1)
    mon = DriftMonitor(PARAMS)
    feed(mon, rng.normal(6000, 250, 200))
    (lane,) = mon.status()
    assert not lane.alarm and abs(lane.drift_pct or 99) < 2.0
    assert lane.reference_kg is not None and abs(lane.reference_kg - 6000) < 200


def test_drift_beyond_the_bound_alarms_in_its_lane_only() -> None:
    rng = np.random.default_rng(2)
    mon = DriftMonitor(PARAMS)
    feed(mon, rng.normal(6000, 250, 40), lane=1)
    feed(mon, rng.normal(6000, 250, 40), lane=2)
    feed(mon, rng.normal(6500, 250, 30), lane=1)  # +8 %: a sensor losing its calibration
    feed(mon, rng.normal(6000, 250, 30), lane=2)
    by_lane = {s.lane: s for s in mon.status()}
    assert by_lane[1].alarm and (by_lane[1].drift_pct or 0) > 5
    assert not by_lane[2].alarm and mon.alarm


def test_only_valid_loaded_tractors_count_and_nothing_is_adjusted() -> None:
    mon = DriftMonitor(PARAMS)
    p = tractor(6000)
    assert mon.observe(p) and p.axles[0].load_kg == 6000
    assert not mon.observe(tractor(6000, flags=("straddling",)))
    assert not mon.observe(tractor(6000, gvw_kg=20_000))
    assert not mon.observe(tractor(6000, axles=3, kind="rigid"))


def test_new_calibration_starts_a_new_baseline() -> None:
    mon = DriftMonitor(PARAMS)
    feed(mon, np.full(40, 6000.0), version="v1")
    feed(mon, np.full(30, 6600.0), version="v2")
    (lane,) = mon.status()
    assert lane.calibration_version == "v2" and lane.reference_kg == 6600 and not lane.alarm


def test_configured_reference() -> None:
    mon = DriftMonitor(DriftSection(reference_steer_kg=6000, window_vehicles=10, bound_pct=3))
    feed(mon, np.full(10, 5700.0))
    (lane,) = mon.status()
    assert lane.alarm and lane.drift_pct is not None and round(lane.drift_pct, 6) == -5.0
