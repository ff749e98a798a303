"""Write a simulated `.wimrec` recording and its ground truth, streaming frame by frame."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from simulators.traffic.layout import make_layout
from simulators.traffic.sensors import SensorParams
from simulators.traffic.stream import TrafficDaq
from simulators.traffic.truth import truth_document
from simulators.traffic.world import ROADS, TrafficParams, Vehicle, take
from wim_station.daq.recording import RecordingWriter

# 2026-05-15T00:00:00Z: a fixed DAQ clock so that recordings are reproducible.
DEFAULT_START_US = 1_778_803_200_000_000


@dataclass(frozen=True, slots=True)
class GeneratedRun:
    recording: Path
    truth: Path
    vehicles: list[Vehicle]
    duration_s: float


def iso_utc(t_us: int) -> str:
    return datetime.fromtimestamp(t_us / 1e6, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def generate(
    out_dir: str | os.PathLike[str],
    *,
    vehicles: int = 300,
    layout: str = "two-strips",
    lanes: int = 1,
    road: str = "smooth",
    seed: int = 1,
    name: str = "traffic",
    start_us: int = DEFAULT_START_US,
    traffic: TrafficParams | None = None,
    sensors: SensorParams | None = None,
) -> GeneratedRun:
    """Simulate `vehicles` passages; write `<out_dir>/<name>.wimrec` and `<name>.truth.json`."""
    site = make_layout(layout, lanes)
    if road not in ROADS:
        raise ValueError(f"unknown road {road!r} (choose from {', '.join(ROADS)})")
    params = replace(
        traffic or TrafficParams(),
        lanes=lanes,
        road=ROADS[road],
        site_length_m=site.last_position_m + 0.5,
        lane_width_m=site.lane_width_m,
    )
    sensor_params = sensors or SensorParams()
    fleet = take(params, seed, vehicles)
    end_s = max((_exit_s(v, site.last_position_m) for v in fleet), default=0.0) + 1.0
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rec_path, truth_path = out / f"{name}.wimrec", out / f"{name}.truth.json"
    daq = TrafficDaq(iter(fleet), site, sensor_params, seed, start_us)
    header = site.header(f"sim-{layout}", iso_utc(start_us), sensor_params.sample_rate_hz)
    with RecordingWriter(rec_path, header) as writer:
        while daq.time_s < end_s:
            frame, _ = daq.next_frame()
            writer.write_frame(frame)
    duration_s = daq.time_s
    doc = truth_document(
        fleet,
        site,
        recording=rec_path.name,
        seed=seed,
        road=road,
        dynamic_amplitude=params.road.dynamic_amplitude,
        sample_rate_hz=sensor_params.sample_rate_hz,
        start_us=start_us,
        duration_s=duration_s,
    )
    tmp = truth_path.with_name(truth_path.name + ".part")
    tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, truth_path)
    return GeneratedRun(rec_path, truth_path, fleet, duration_s)


def _exit_s(v: Vehicle, last_position_m: float) -> float:
    return v.t_first_s + float(v.tau_at_distance(last_position_m + v.wheelbase_m + 1.0))
