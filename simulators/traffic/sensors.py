"""Sensor signal synthesis: tyre contact patches crossing strips and plates, to ADC counts.

A tyre presses on the road over a contact patch of length P with a rounded pressure
profile. A sensor of length L along the road measures the part of the wheel load resting
on it, so as the patch rolls over it the force is `W * (C(hi) - C(lo))` with C the
cumulative pressure profile. For any profile the time integral of that force is exactly
`W * L / v`: the area method of a strip. A plate (L > P) shows a plateau equal to W.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulators.traffic.layout import ADC_BITS, Layout
from simulators.traffic.world import G_MPS2, Vehicle
from wim_station.daq.header import ChannelInfo


@dataclass(frozen=True, slots=True)
class SensorParams:
    """Sensor and DAQ imperfections."""

    sample_rate_hz: int = 4000
    samples_per_frame: int = 200
    noise_n: float = 40.0  # white noise, standard deviation
    drift_n: float = 150.0  # amplitude of the slow zero (baseline) wander
    temperature_c: float = 25.0  # road temperature at the start
    temperature_coeff_per_c: float = 0.0  # sensitivity change per °C away from 20 °C
    gain_error_sd: float = 0.0  # true gain vs the channel table (calibration tests)
    adc_bits: int = ADC_BITS
    overrange_n: float | None = None  # force that saturates the ADC (default: full scale)


def patch_length_m(wheel_load_kg: float) -> float:
    """Contact patch length: ~0.15 m for a car wheel, ~0.3 m for a heavy dual set."""
    return float(np.clip(0.12 + 0.18 * (max(wheel_load_kg, 0.0) / 5000.0) ** 0.7, 0.12, 0.32))


def pressure_cdf(u: np.ndarray) -> np.ndarray:
    """Share of the wheel load ahead of relative position u in [-1, 1] (profile 1 - u^4)."""
    u = np.clip(u, -1.0, 1.0)
    return (u - u**5 / 5 + 0.8) / 1.6


def lateral_share(centre_m: float, width_m: float, lo_m: float, hi_m: float) -> float:
    """Part of a tyre (set) of `width_m` centred at `centre_m` lying over [lo_m, hi_m]."""
    overlap = min(hi_m, centre_m + width_m / 2) - max(lo_m, centre_m - width_m / 2)
    return max(0.0, overlap) / width_m


@dataclass(frozen=True, slots=True)
class Crossing:
    """One axle rolling over one sensor row: when, and how much each channel sees."""

    t_start_s: float
    t_end_s: float
    vehicle: Vehicle
    axle: int
    position_m: float
    length_m: float
    patch_m: float
    channel_weights: tuple[tuple[int, float], ...]  # (channel index, share of axle load)


def crossings(vehicle: Vehicle, layout: Layout, channels: list[ChannelInfo]) -> list[Crossing]:
    """Every (axle, row) crossing of a vehicle with the channels that see its wheels."""
    out = []
    lane_centre = (vehicle.lane - 1) * layout.lane_width_m
    for j, axle in enumerate(vehicle.axles):
        patch = patch_length_m(axle.load_kg / 2)
        width = vehicle.tyre_width_m * (2.0 if axle.dual_tyres else 1.0)
        for row in layout.rows:
            half = (row.length_m + patch) / 2
            tau_lo, tau_hi = vehicle.tau_at_distance(
                np.array([row.position_m - half, row.position_m + half]) + axle.offset_m
            )
            tau_x = vehicle.crossing_tau(j, row.position_m)
            y = lane_centre + vehicle.lateral_at(tau_x)
            wheels = (
                (y - vehicle.track_m / 2, axle.left_share),
                (y + vehicle.track_m / 2, 1.0 - axle.left_share),
            )
            weights = []
            for ch in channels:
                if ch.row != row.row:
                    continue
                lo, hi = layout.coverage_m(ch)
                w = sum(share * lateral_share(yw, width, lo, hi) for yw, share in wheels)
                if w > 0:
                    weights.append((ch.index, w))
            out.append(
                Crossing(
                    vehicle.t_first_s + float(tau_lo),
                    vehicle.t_first_s + float(tau_hi),
                    vehicle,
                    j,
                    row.position_m,
                    row.length_m,
                    patch,
                    tuple(weights),
                )
            )
    return out


def crossing_force_n(c: Crossing, t_s: np.ndarray) -> np.ndarray:
    """Axle force (N) resting on the row's sensor at times `t_s`, before the lateral split."""
    v = c.vehicle
    tau = t_s - v.t_first_s
    x = v.front_distance(tau) - v.axles[c.axle].offset_m
    half_patch = c.patch_m / 2
    frac = pressure_cdf((c.position_m + c.length_m / 2 - x) / half_patch) - pressure_cdf(
        (c.position_m - c.length_m / 2 - x) / half_patch
    )
    return np.asarray(v.axles[c.axle].load_at(tau)) * G_MPS2 * frac


class SignalSynth:
    """Renders ADC counts for consecutive sample blocks of one site, streaming."""

    def __init__(self, layout: Layout, params: SensorParams, seed: int) -> None:
        self.layout = layout
        self.params = params
        self.channels = layout.channels()
        n = len(self.channels)
        rng = np.random.default_rng(np.random.SeedSequence([seed, 0x5E50]))
        self._noise_rng = np.random.default_rng(np.random.SeedSequence([seed, 0x401E]))
        self._drift_amp = params.drift_n * rng.uniform(0.5, 1.0, (2, n))
        self._drift_period = rng.uniform(120.0, 900.0, (2, n))
        self._drift_phase = rng.uniform(0, 2 * np.pi, (2, n))
        self._zero = np.array([c.zero_counts for c in self.channels], dtype=float)
        self._gain = np.array([c.gain_n_per_count for c in self.channels]) * (
            1.0 + params.gain_error_sd * rng.standard_normal(n)
        )
        full_scale = 2 ** (params.adc_bits - 1) - 1
        self._limit_counts = float(full_scale)
        if params.overrange_n is not None:
            self._limit_counts = min(full_scale, params.overrange_n / float(self._gain.min()))
        self._active: list[Crossing] = []

    def temperature_at(self, t_s: float) -> float:
        """Road temperature: a slow half-hourly swing around the configured value."""
        return self.params.temperature_c + 0.5 * np.sin(2 * np.pi * t_s / 1800.0)

    def add(self, vehicle: Vehicle) -> None:
        self._active.extend(crossings(vehicle, self.layout, self.channels))

    def next_start_s(self) -> float:
        return min((c.t_start_s for c in self._active), default=float("inf"))

    def force_n(self, t_s: np.ndarray) -> np.ndarray:
        """Noise-free force on every channel, shape (len(t_s), n_channels)."""
        force = np.zeros((len(t_s), len(self.channels)))
        t0, t1 = t_s[0], t_s[-1]
        keep = []
        for c in self._active:
            if c.t_end_s >= t0:
                keep.append(c)
            if c.t_end_s < t0 or c.t_start_s > t1:
                continue
            i0, i1 = np.searchsorted(t_s, [c.t_start_s, c.t_end_s], side="left")
            f = crossing_force_n(c, t_s[i0 : i1 + 1])
            for ch, w in c.channel_weights:
                force[i0 : i1 + 1, ch] += w * f
        self._active = keep
        return force

    def render(self, first_sample: int, n_samples: int) -> tuple[np.ndarray, bool, float]:
        """ADC counts for samples [first_sample, +n_samples): (counts int32, overrange, °C)."""
        p = self.params
        t = (first_sample + np.arange(n_samples)) / p.sample_rate_hz
        force = self.force_n(t)
        temperature = self.temperature_at(float(t[0]))
        if p.temperature_coeff_per_c:
            force *= 1.0 + p.temperature_coeff_per_c * (temperature - 20.0)
        drift = (
            self._drift_amp[:, None, :]
            * np.sin(
                2 * np.pi * t[None, :, None] / self._drift_period[:, None, :]
                + self._drift_phase[:, None, :]
            )
        ).sum(axis=0)
        force += drift + self._noise_rng.normal(0.0, p.noise_n, force.shape)
        counts = np.rint(force / self._gain + self._zero)
        over = bool(np.any(np.abs(counts) > self._limit_counts))
        if over:
            np.clip(counts, -self._limit_counts, self._limit_counts, out=counts)
        return counts.astype(np.int32), over, temperature
