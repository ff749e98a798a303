"""Traffic simulator physics: strip areas, plate plateaus, truth, determinism."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from simulators.traffic.generate import generate
from simulators.traffic.layout import make_layout
from simulators.traffic.sensors import SensorParams, SignalSynth, patch_length_m
from simulators.traffic.world import G_MPS2, RoadProfile, TrafficParams, Vehicle, take
from wim_station.daq.recording import open_recording

CALM = TrafficParams(
    road=RoadProfile("flat", 0.0),
    p_accelerating=0,
    p_decelerating=0,
    p_straddling=0,
    p_lane_change=0,
    p_tailgating=0,
)
RATE = 20_000  # fine sampling so the discrete integral matches the continuous one


def lone(vehicle: Vehicle) -> Vehicle:
    return replace(vehicle, t_first_s=1.0, accel_mps2=0.0, lateral_m=0.0, lateral_speed_mps=0.0)


def forces(vehicle: Vehicle, layout_name: str) -> tuple[np.ndarray, np.ndarray]:
    layout = make_layout(layout_name)
    synth = SignalSynth(layout, SensorParams(sample_rate_hz=RATE), seed=0)
    synth.add(vehicle)
    t = np.arange(0, int(RATE * 4)) / RATE
    return t, synth.force_n(t)


@pytest.mark.parametrize("index", range(8))
def test_strip_area_is_load_times_length_over_speed(index: int) -> None:
    v = lone(take(CALM, seed=5, n=8)[index])
    t, f = forces(v, "two-strips")
    row0 = f[:, 0] + f[:, 1]
    first_exit = v.t_first_s + float(v.tau_at_distance(v.axles[0].offset_m + 0.5))
    second_start = v.t_first_s + float(v.tau_at_distance(v.axles[1].offset_m - 0.5))
    assert first_exit < second_start  # pulses of the first two axles are separate
    pulse = row0[(t > v.t_first_s - 0.5) & (t < first_exit)]
    area = pulse.sum() / RATE
    expected = v.axles[0].load_kg * G_MPS2 * 0.07 / v.speed_mps
    assert area == pytest.approx(expected, rel=1e-3)
    # The whole row-0 signal integrates to GVW * L / v.
    assert row0.sum() / RATE == pytest.approx(v.gvw_kg * G_MPS2 * 0.07 / v.speed_mps, rel=1e-3)


def test_strip_area_halves_when_speed_doubles() -> None:
    v = lone(take(CALM, seed=2, n=1)[0])
    slow = forces(replace(v, speed_mps=10.0), "two-strips")[1][:, :2].sum() / RATE
    fast = forces(replace(v, speed_mps=20.0), "two-strips")[1][:, :2].sum() / RATE
    assert slow / fast == pytest.approx(2.0, rel=1e-3)


def test_plate_plateau_equals_wheel_load() -> None:
    v = lone(next(x for x in take(CALM, seed=4, n=40) if x.kind != "car"))
    axle = v.axles[0]
    assert patch_length_m(axle.load_kg / 2) < 0.6
    t, f = forces(v, "two-plates")
    first_axle = t < v.t_first_s + float(v.tau_at_distance(1.0))
    left_plateau = f[first_axle, 0].max() / G_MPS2
    assert left_plateau == pytest.approx(axle.load_kg * axle.left_share, rel=1e-6)


def test_straddling_vehicle_loses_a_wheel_path() -> None:
    v = lone(take(CALM, seed=5, n=1)[0])
    _, centred = forces(v, "two-strips")
    _, off = forces(replace(v, lateral_m=1.9), "two-strips")
    assert centred[:, 1].sum() > 0.4 * centred[:, :2].sum()
    # Left wheels now run over the right sensor, right wheels beyond the lane: half is lost.
    assert off[:, 0].sum() == 0.0
    assert off[:, :2].sum() == pytest.approx(0.5 * centred[:, :2].sum(), rel=0.05)


def test_same_seed_same_recording_and_truth(tmp_path: Path) -> None:
    a = generate(tmp_path / "a", vehicles=4, seed=11)
    b = generate(tmp_path / "b", vehicles=4, seed=11)
    c = generate(tmp_path / "c", vehicles=4, seed=12)
    assert a.recording.read_bytes() == b.recording.read_bytes()
    assert a.truth.read_text() == b.truth.read_text()
    assert a.truth.read_text() != c.truth.read_text()


def test_recording_and_truth_agree(tmp_path: Path) -> None:
    run = generate(tmp_path, vehicles=6, layout="four-strips", lanes=2, road="rough", seed=3)
    truth = json.loads(run.truth.read_text())
    assert truth["layout"] == "four-strips" and len(truth["vehicles"]) == 6
    with open_recording(run.recording) as rec:
        assert rec.header.n_channels == 16
        frames = list(rec.frames())
        assert rec.counters()["resync_bytes"] == 0
    end_us = frames[-1].t0_us + frames[-1].n_samples * 250
    for v in truth["vehicles"]:
        assert truth["start_us"] < v["t_first_axle_us"] < end_us
        assert (
            len(v["axles"])
            == v["axle_count"]
            == sum({"1": 1, "2": 1, "5": 2, "7": 3}[d] for d in v["class_code"])
        )
        for axle in v["axles"]:
            assert len(axle["dynamic_load_kg"]) == 4
            assert axle["dynamic_load_kg"] != [axle["load_kg"]] * 4  # rough road moves
        assert v["gvw_kg"] == pytest.approx(sum(a["load_kg"] for a in v["axles"]), abs=1)


def test_overrange_saturates_and_sets_status_bit(tmp_path: Path) -> None:
    run = generate(tmp_path, vehicles=2, seed=3, sensors=SensorParams(overrange_n=5_000.0))
    with open_recording(run.recording) as rec:
        frames = list(rec.frames())
        zero = np.array([c.zero_counts for c in rec.header.channels])
        gain = np.array([c.gain_n_per_count for c in rec.header.channels])
    over = [f for f in frames if f.overrange]
    assert over and len(over) < len(frames)
    peak = max(float(np.abs(f.samples).max()) for f in over)
    assert all(np.abs(f.samples).max() <= peak for f in frames)  # clipped at one level
    assert all(f.temperature_c is not None and 20 < f.temperature_c < 30 for f in frames)
    quiet = next(f for f in frames if not f.overrange)
    force = (quiet.samples - zero) * gain
    assert np.abs(force).max() < 1_000  # only noise and drift between vehicles
