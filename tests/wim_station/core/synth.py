"""A small synthetic strip-signal generator for the core's tests (independent of simulators/)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wim_station.daq.frame import DaqFrame
from wim_station.daq.header import RecordingHeader

G = 9.80665


@dataclass(frozen=True)
class SynthVehicle:
    t_first_s: float
    speed_mps: float
    loads_kg: tuple[float, ...]
    offsets_m: tuple[float, ...]
    accel_mps2: float = 0.0
    left_share: float = 0.5
    contact_m: float = 0.2
    miss_side: str | None = None  # a wheel path that never touches its strip
    lane: int = 1
    # Where each wheel lands, (lane, side) by wheel; default: its own strip in its lane.
    wheels: tuple[tuple[str, int, str], ...] = ()


def header(rows_m: tuple[float, ...] = (0.0, 3.0), length_m: float = 0.07,
           kind: str = "strip", rate: int = 4000, lanes: int = 1) -> RecordingHeader:
    chans: list[dict[str, object]] = []
    for lane in range(1, lanes + 1):
        for r, pos in enumerate(rows_m):
            for side in ("left", "right"):
                chans.append({"index": len(chans), "lane": lane, "row": r, "position_m": pos,
                              "side": side, "type": kind, "length_m": length_m,
                              "zero_counts": 100, "gain_n_per_count": 0.5})
    return RecordingHeader.from_mapping({
        "site_id": "test", "recorded_at": "2026-01-01T00:00:00Z", "sample_rate_hz": rate,
        "lanes": [{"lane": k} for k in range(1, lanes + 1)], "channels": chans})


def signals(hdr: RecordingHeader, vehicles: list[SynthVehicle], duration_s: float,
            noise_n: float = 20.0, seed: int = 1) -> np.ndarray:
    """Counts (samples x channels) for the vehicles crossing the strips."""
    rate = hdr.sample_rate_hz
    t = np.arange(int(duration_s * rate)) / rate
    force = np.zeros((t.size, hdr.n_channels))
    for v in vehicles:
        tau = t - v.t_first_s
        front = v.speed_mps * tau + 0.5 * v.accel_mps2 * tau**2  # first axle's travel
        for load, off in zip(v.loads_kg, v.offsets_m, strict=True):
            x_axle = front - off
            landing = {w: (v.lane, w) for w in ("left", "right")}
            landing.update({w: (lane, side) for w, lane, side in v.wheels})
            for ch in hdr.channels:
                wheel = next((w for w, at in landing.items() if at == (ch.lane, ch.side)), None)
                if wheel is None or v.miss_side == wheel:
                    continue
                share = v.left_share if wheel == "left" else 1 - v.left_share
                # overlap of contact patch [x-c/2, x+c/2] with strip [p-l/2, p+l/2]
                lo = np.maximum(x_axle - v.contact_m / 2, ch.position_m - ch.length_m / 2)
                hi = np.minimum(x_axle + v.contact_m / 2, ch.position_m + ch.length_m / 2)
                ov = np.clip(hi - lo, 0, None) / v.contact_m
                force[:, ch.index] += load * G * share * ov
    rng = np.random.default_rng(seed)
    force += rng.normal(0, noise_n, force.shape)
    gains = np.array([c.gain_n_per_count for c in hdr.channels])
    zeros = np.array([c.zero_counts for c in hdr.channels])
    return np.round(force / gains + zeros).astype(np.int32)


def frames(hdr: RecordingHeader, counts: np.ndarray, n: int = 200,
           t0_us: int = 1_700_000_000_000_000) -> list[DaqFrame]:
    rate = hdr.sample_rate_hz
    out = []
    for seq, start in enumerate(range(0, counts.shape[0], n)):
        block = counts[start:start + n]
        out.append(DaqFrame(seq=seq, t0_us=t0_us + round(start * 1e6 / rate),
                            sample_rate_hz=rate, samples=block))
    return out
