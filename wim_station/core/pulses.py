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
    t_mid_us: float  # its time: force-weighted centre (strip), half-height centre (plate)
    area_ns: float  # integral of force over time, N*s (area method)
    peak_n: float
    plateau_n: float  # mean force while the whole contact patch is on a plate
    fault: bool = False  # never ended: a parked wheel or a stuck channel


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
        # Per channel: start of a pulse begun but not reported yet (inf: none). The lane is
        # not quiet from then on, though no one has seen the pulse.
        self.open_since_us = np.full(n, np.inf)

    def reset(self) -> None:
        """Forget the carried samples (lost frames: what was open cannot be measured)."""
        n = self.baseline.shape[0]
        self._tail = np.zeros((0, n))
        self._state0 = np.zeros(n, dtype=bool)
        self.open_since_us[:] = np.inf

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
        m = x.shape[0]
        dt_us = 1e6 / self.rate_hz
        pulses: list[Pulse] = self._negative_faults(x, y, m - n_new, dt_us)
        keep_from = max(0, m - 2 * self.pad)
        above_on = y > self.params.on_threshold_n
        self.open_since_us[:] = np.inf
        if not above_on.any() and not self._state0.any():
            # The common case, no wheel in the block: only the zero moves.
            self._update_baseline(y, m - n_new)
            self._advance(x, keep_from, np.zeros(n_ch, dtype=bool), dt_us)
            return pulses
        above_off = y > self.params.off_threshold_n
        state_next = np.zeros(n_ch, dtype=bool)
        for c, s, e in self._runs(above_off, above_on):
            abs_s = self._tail_abs + s
            if e is None:
                if m - s > self.max_pulse:
                    pulses.append(self._fault(c, s, m, dt_us))
                    self.baseline[c] = float(np.median(x[max(s, m - self.pad * 4):, c]))
                    self._reported_end[c] = self._tail_abs + m
                else:
                    keep_from = min(keep_from, max(0, s - 2 * self.pad))
                    self._opened(c, s, dt_us)
                continue
            if abs_s <= self._reported_end[c]:
                continue
            if e + 2 * self.pad > m:
                keep_from = min(keep_from, max(0, s - 2 * self.pad))
                self._opened(c, s, dt_us)
                continue
            pulses.append(self._measure(c, y[:, c], s, e, dt_us))
            self._reported_end[c] = self._tail_abs + e
        if keep_from > 0:
            # Hysteresis state just before the kept tail: inside a pulse or not.
            for c, s, e in self._runs(above_off, above_on):
                if s <= keep_from - 1 and (e is None or keep_from - 1 < e):
                    state_next[c] = True
        else:
            state_next = self._state0
        self._update_baseline(y, m - n_new)
        self._advance(x, keep_from, state_next, dt_us)
        pulses.sort(key=lambda q: q.t_mid_us)
        return pulses

    def _opened(self, c: int, s: int, dt_us: float) -> None:
        t_us = self._tail_t0_us + s * dt_us
        self.open_since_us[c] = min(self.open_since_us[c], t_us)

    def _runs(self, above_off: npt.NDArray[np.bool_], above_on: npt.NDArray[np.bool_]
              ) -> list[tuple[int, int, int | None]]:
        """Hysteresis pulses as (channel, start, end or None while open).

        A pulse starts at the first sample over the on-threshold inside a run over the
        off-threshold and ends where that run ends; a channel already on continues its run.
        """
        m = above_off.shape[0]
        a = above_off.view(np.int8)
        rise_r, rise_c = np.nonzero(np.diff(a, axis=0) == 1)
        fall_r, fall_c = np.nonzero(np.diff(a, axis=0) == -1)
        out: list[tuple[int, int, int | None]] = []
        for c in np.nonzero(above_on.any(axis=0) | self._state0)[0].tolist():
            starts = ([0] if a[0, c] else []) + (rise_r[rise_c == c] + 1).tolist()
            ends = (fall_r[fall_c == c] + 1).tolist()
            for k, rs in enumerate(starts):
                re_ = ends[k] if k < len(ends) else None
                stop = m if re_ is None else re_
                if rs == 0 and self._state0[c]:
                    on = 0
                else:
                    hits = np.flatnonzero(above_on[rs:stop, c])
                    if hits.size == 0:
                        continue
                    on = rs + int(hits[0])
                out.append((c, on, re_))
        return out

    def _advance(self, x: FloatArray, keep_from: int, state_next: npt.NDArray[np.bool_],
                 dt_us: float) -> None:
        """Keep samples from `keep_from` on for the next block."""
        self._state0 = state_next
        self._tail = x[keep_from:].copy()
        self._tail_t0_us += keep_from * dt_us
        self._tail_abs += keep_from

    def _negative_faults(self, x: FloatArray, y: FloatArray, new_from: int,
                         dt_us: float) -> list[Pulse]:
        """A channel held far below its zero (offset lost, cable) is a fault: re-zero it."""
        seg = y[new_from:]
        if seg.shape[0] == 0:
            return []
        low = (seg < -self.params.off_threshold_n).mean(axis=0) > 0.9
        out = []
        for c in np.nonzero(low)[0].tolist():
            self.baseline[c] += float(np.median(seg[:, c]))
            y[:, c] = x[:, c] - self.baseline[c]
            out.append(self._fault(c, new_from, y.shape[0], dt_us))
        return out

    def _measure(self, c: int, y: FloatArray, s: int, e: int, dt_us: float) -> Pulse:
        lo, hi = max(0, s - self.pad), min(y.shape[0], e + self.pad)
        w = y[lo:hi]
        # Local zero: the quiet samples just before and after the pulse, so a zero that
        # moved since the tracker last saw it does not bias the area.
        pre, post = y[max(0, lo - self.pad):lo], y[hi:hi + self.pad]
        off = self.params.off_threshold_n
        edges = [q for q in (pre, post) if q.size and float(np.abs(q).max()) < off]
        if edges:
            w = w - float(np.mean([q.mean() for q in edges]))
        area = float(w.sum()) * dt_us * 1e-6
        pos = np.clip(w, 0.0, None)
        total = float(pos.sum())
        t_rel = np.arange(lo, hi, dtype=np.float64)
        centroid = float((t_rel * pos).sum() / total) if total > 0 else (s + e) / 2.0
        peak = float(w.max())
        if self.is_plate[c]:
            plateau = self._plateau(y[s:e], self.lengths[c])
            # A plate pulse is long: load changes while on it move its centroid, its half-
            # height edges (where half the patch is on the plate) much less.
            centroid = s + self._half_height_centre(y[s:e])
        else:
            plateau = peak
        t0 = self._tail_t0_us
        return Pulse(c, t0 + s * dt_us, t0 + e * dt_us, t0 + centroid * dt_us, area, peak,
                     plateau)

    @staticmethod
    def _half_height_centre(w: FloatArray) -> float:
        """Midpoint (fractional sample) of the interpolated half-height crossings."""
        level = float(np.median(w[w >= 0.5 * w.max()]))
        half = 0.5 * level
        above = np.nonzero(w >= half)[0]
        i, j = int(above[0]), int(above[-1])
        rise = i - (w[i] - half) / (w[i] - w[i - 1]) if i > 0 and w[i] != w[i - 1] else float(i)
        k = j + 1
        fall = (j + (w[j] - half) / (w[j] - w[k]) if k < w.size and w[j] != w[k]
                else float(j))
        return 0.5 * (rise + fall)

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
            return float(w[round(centre)])
        return float(w[a:b + 1].mean())

    def _fault(self, c: int, s: int, m: int, dt_us: float) -> Pulse:
        self.fault_pulses += 1
        t0 = self._tail_t0_us
        return Pulse(c, t0 + s * dt_us, t0 + m * dt_us, t0 + s * dt_us, 0.0, 0.0, 0.0,
                     fault=True)

    def _update_baseline(self, y: FloatArray, new_from: int) -> None:
        """Zero tracking: move each channel's zero toward the mean of its quiet samples.

        Quiet = within the off-threshold of the zero (no wheel); every 4th sample is plenty
        for a zero that moves over minutes.
        """
        seg_y = y[new_from::4]
        quiet = np.abs(seg_y) < self.params.off_threshold_n
        count = quiet.sum(axis=0)
        if not count.any():
            return
        mean = np.where(quiet, seg_y, 0.0).sum(axis=0) / np.maximum(count, 1)
        alpha = np.minimum(1.0, 4 * count / (self.params.zero_time_constant_s * self.rate_hz))
        self.baseline += alpha * mean
