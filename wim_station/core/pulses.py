"""Per-channel wheel pulses from blocks of samples: zero tracking and hysteresis detection.

Vectorised over a (samples x channels) block; only the pulses found are handled one by
one. A short tail of samples is carried between blocks so a pulse cut by a block boundary
is measured whole. Time is the sample's DAQ time, never a clock of ours.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from wim_station.config import DetectionSection
from wim_station.core.layout import ChannelSpec

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Pulse:
    """One wheel (or axle) crossing one sensor channel."""

    channel: int
    t_start_us: float  # hysteresis on
    t_end_us: float  # hysteresis off
    t_centroid_us: float  # force-weighted centre of the pulse
    area_ns: float  # integral of force over time, N*s (area method)
    peak_n: float
    plateau_n: float  # mean force while the whole contact patch is on a plate
    fault: bool = False  # never ended: a parked wheel or a stuck channel


def hysteresis(
    y: FloatArray, on: float, off: float, init: npt.NDArray[np.bool_]
) -> npt.NDArray[np.bool_]:
    """Per-sample on/off state of each column: on above `on`, off below `off`, else held."""
    n = y.shape[0]
    event = np.full(y.shape, -1, dtype=np.int8)
    event[y > on] = 1
    event[y < off] = 0
    idx = np.where(event >= 0, np.arange(n)[:, None], -1)
    np.maximum.accumulate(idx, axis=0, out=idx)
    cols = np.arange(y.shape[1])[None, :]
    held = event[np.maximum(idx, 0), cols] == 1
    return np.where(idx >= 0, held, init[None, :])


class PulseDetector:
    """Streaming detector over all channels of a frame; `feed` returns finished pulses."""

    def __init__(self, channels: tuple[ChannelSpec, ...], rate_hz: int,
                 params: DetectionSection) -> None:
        self.rate_hz = rate_hz
        self.params = params
        n = len(channels)
        self.is_plate = np.array([c.type == "plate" for c in channels])
        self.lengths = [c.length_m for c in channels]
        self.pad = max(1, round(params.pad_s * rate_hz))
        self.max_pulse = max(2 * self.pad, round(params.max_pulse_s * rate_hz))
        self.baseline = np.zeros(n)
        self._baseline_known = np.zeros(n, dtype=bool)
        self._tail = np.zeros((0, n))
        self._tail_t0_us = 0.0
        self._state0 = np.zeros(n, dtype=bool)  # hysteresis state just before the tail
        self._reported_end = np.full(n, -1, dtype=np.int64)  # absolute sample index
        self._tail_abs = 0  # absolute index of the tail's first sample
        self.fault_pulses = 0

    def reset(self) -> None:
        """Forget the carried samples (lost frames: what was open cannot be measured)."""
        n = self.baseline.shape[0]
        self._tail = np.zeros((0, n))
        self._state0 = np.zeros(n, dtype=bool)

    def feed(self, force_n: FloatArray, t0_us: float) -> list[Pulse]:
        """Process a block of forces (samples x channels) whose first sample is at `t0_us`."""
        n_new, n_ch = force_n.shape
        first = not self._baseline_known.all()
        if first:
            # First data: start the zero from the quietest part of the block.
            q = np.percentile(force_n, 10, axis=0)
            self.baseline = np.where(self._baseline_known, self.baseline, q)
            self._baseline_known[:] = True
        if self._tail.shape[0] == 0:
            self._tail_t0_us = t0_us
        x = np.concatenate([self._tail, force_n]) if self._tail.shape[0] else force_n
        y = x - self.baseline
        p = self.params
        state = hysteresis(y, p.on_threshold_n, p.off_threshold_n, self._state0)
        prev = np.vstack([self._state0[None, :], state[:-1]])
        starts_r, starts_c = np.nonzero(state & ~prev)
        ends_r, ends_c = np.nonzero(~state & prev)
        dt_us = 1e6 / self.rate_hz
        m = x.shape[0]
        pulses: list[Pulse] = []
        keep_from = max(0, m - self.pad)
        open_start = np.full(n_ch, -1, dtype=np.int64)
        # Channels on at the start of the tail: their pulse began before it (long pulse).
        open_start[self._state0] = 0
        ends_by_ch: dict[int, list[int]] = {}
        for r, c in zip(ends_r.tolist(), ends_c.tolist(), strict=True):
            ends_by_ch.setdefault(c, []).append(r)
        starts_by_ch: dict[int, list[int]] = {}
        for r, c in zip(starts_r.tolist(), starts_c.tolist(), strict=True):
            starts_by_ch.setdefault(c, []).append(r)
        for c in range(n_ch):
            s_list = ([0] if self._state0[c] else []) + starts_by_ch.get(c, [])
            e_list = ends_by_ch.get(c, [])
            for k, s in enumerate(s_list):
                e = e_list[k] if k < len(e_list) else None
                abs_s = self._tail_abs + s
                if e is None:
                    if m - s > self.max_pulse:
                        pulses.append(self._fault(c, s, m, dt_us))
                        self.baseline[c] = float(np.median(x[max(s, m - self.pad * 4):, c]))
                        state[:, c] = False
                        self._reported_end[c] = self._tail_abs + m
                    else:
                        open_start[c] = s
                        keep_from = min(keep_from, max(0, s - self.pad))
                    continue
                if abs_s <= self._reported_end[c]:
                    continue
                if e + self.pad > m:
                    keep_from = min(keep_from, max(0, s - self.pad))
                    continue
                pulses.append(self._measure(c, y[:, c], s, e, dt_us))
                self._reported_end[c] = self._tail_abs + e
        self._update_baseline(y, state, x.shape[0] - n_new)
        self._state0 = state[keep_from - 1] if keep_from > 0 else self._state0
        self._tail = x[keep_from:].copy()
        self._tail_t0_us += keep_from * dt_us
        self._tail_abs += keep_from
        pulses.sort(key=lambda q: q.t_centroid_us)
        return pulses

    def _measure(self, c: int, y: FloatArray, s: int, e: int, dt_us: float) -> Pulse:
        lo, hi = max(0, s - self.pad), min(y.shape[0], e + self.pad)
        w = y[lo:hi]
        area = float(w.sum()) * dt_us * 1e-6
        pos = np.clip(w, 0.0, None)
        total = float(pos.sum())
        t_rel = np.arange(lo, hi, dtype=np.float64)
        centroid = float((t_rel * pos).sum() / total) if total > 0 else (s + e) / 2.0
        peak = float(w.max())
        plateau = self._plateau(y[s:e], self.lengths[c]) if self.is_plate[c] else peak
        t0 = self._tail_t0_us
        return Pulse(c, t0 + s * dt_us, t0 + e * dt_us, t0 + centroid * dt_us, area, peak,
                     plateau)

    def _plateau(self, w: FloatArray, length_m: float) -> float:
        """Mean force while the whole contact patch is on the plate.

        The pulse is about `length_m / v` wide at half height; the patch is fully on the
        plate for `(length_m - patch) / v` around the centre, patch <= max_contact_patch_m.
        """
        level = float(np.median(w[w >= 0.5 * w.max()]))
        above = np.nonzero(w >= 0.5 * level)[0]
        first, last = int(above[0]), int(above[-1])
        fwhm = last - first + 1
        centre = 0.5 * (first + last)
        share = (length_m - self.params.max_contact_patch_m) / (2.0 * length_m)
        half = fwhm * max(share, 0.0)
        a, b = int(np.ceil(centre - half)), int(np.floor(centre + half))
        if b < a:
            return float(w[int(round(centre))])
        return float(w[a:b + 1].mean())

    def _fault(self, c: int, s: int, m: int, dt_us: float) -> Pulse:
        self.fault_pulses += 1
        t0 = self._tail_t0_us
        return Pulse(c, t0 + s * dt_us, t0 + m * dt_us, t0 + s * dt_us, 0.0, 0.0, 0.0,
                     fault=True)

    def _update_baseline(self, y: FloatArray, state: npt.NDArray[np.bool_], new_from: int) -> None:
        """Zero tracking: move each idle channel's zero toward the mean of its quiet samples."""
        seg_y = y[new_from:]
        quiet = ~state[new_from:] & (np.abs(seg_y) < self.params.off_threshold_n)
        count = quiet.sum(axis=0)
        if not count.any():
            return
        mean = np.where(count > 0, (seg_y * quiet).sum(axis=0) / np.maximum(count, 1), 0.0)
        alpha = np.minimum(1.0, count / (self.params.zero_time_constant_s * self.rate_hz))
        self.baseline += alpha * mean
