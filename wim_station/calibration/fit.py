"""Fitting a calibration from passages of reference vehicles with known static weights.

Pure functions: passages measured with a neutral calibration and the static weights in, a
new `CalibrationSection` out. Gains are fitted per channel on gross weights (static axle
loads inside a group are not well defined: load sharing), pulled toward one common gain so
channels that the runs cannot tell apart share it; the speed table takes what is left.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from wim_station.config import CalibrationSection
from wim_station.core.passage import Passage

_GAIN_RANGE = (0.5, 2.0)
_MIN_PER_SPEED_BIN = 3


@dataclass(frozen=True, slots=True)
class Reference:
    """One run of a reference vehicle and its static weights."""

    vehicle: str
    axle_loads_kg: tuple[float, ...]
    speed_kmh: float | None = None  # from a reference speed measurement, if any
    spacings_m: tuple[float, ...] | None = None

    @property
    def gvw_kg(self) -> float:
        return float(sum(self.axle_loads_kg))


def neutral(cal: CalibrationSection) -> CalibrationSection:
    """The same calibration without gains and speed table: what fitting measures with."""
    return cal.model_copy(update={"channel_gains": {}, "speed_factors": (),
                                  "version": f"{cal.version}+neutral"})


def fit_gains(passages: Sequence[Passage], refs: Sequence[Reference],
              ridge: float = 0.05) -> dict[int, float]:
    """Per-channel gains minimising the squared GVW error (ridge toward a common gain)."""
    channels = sorted({ch for p in passages for a in p.axles for ch, _ in a.channel_kg})
    if not channels:
        return {}
    col = {ch: k for k, ch in enumerate(channels)}
    a_mat = np.zeros((len(passages), len(channels)))
    for i, p in enumerate(passages):
        for axle in p.axles:
            for ch, kg in axle.channel_kg:
                a_mat[i, col[ch]] += kg
    y = np.array([r.gvw_kg for r in refs])
    total = a_mat.sum(axis=1)
    g0 = float(np.dot(total, y) / np.dot(total, total))
    lam = ridge * float(np.trace(a_mat.T @ a_mat)) / len(channels)
    lhs = a_mat.T @ a_mat + lam * np.eye(len(channels))
    rhs = a_mat.T @ y + lam * g0 * np.ones(len(channels))
    g = np.clip(np.linalg.solve(lhs, rhs), *_GAIN_RANGE)
    return {ch: float(g[col[ch]]) for ch in channels}


def fit_speed_factors(passages: Sequence[Passage], refs: Sequence[Reference],
                      gains: dict[int, float], bin_kmh: float = 10.0
                      ) -> tuple[tuple[float, float], ...]:
    """Speed correction points (bin centre km/h, factor) from the residual GVW ratios."""
    speeds, ratios = [], []
    for p, r in zip(passages, refs, strict=True):
        gvw = sum(kg * gains.get(ch, 1.0) for a in p.axles for ch, kg in a.channel_kg)
        if gvw > 0:
            speeds.append(p.speed_kmh)
            ratios.append(r.gvw_kg / gvw)
    if not speeds:
        return ()
    s, q = np.array(speeds), np.array(ratios)
    bins = np.floor(s / bin_kmh).astype(int)
    points = []
    for b in np.unique(bins):
        sel = bins == b
        if sel.sum() >= _MIN_PER_SPEED_BIN:
            points.append((float(s[sel].mean()), float(np.median(q[sel]))))
    if len(points) < 2:
        return ()
    return tuple(points)


def fit(passages: Sequence[Passage], refs: Sequence[Reference], base: CalibrationSection,
        version: str) -> CalibrationSection:
    """A new calibration from neutral-calibration passages and their references."""
    gains = fit_gains(passages, refs)
    speed = fit_speed_factors(passages, refs, gains)
    return base.model_copy(update={"channel_gains": gains, "speed_factors": speed,
                                   "version": version})
