"""Drift monitor: watches the steer-axle load of loaded 5-/6-axle tractors per lane.

It only observes. It never corrects a measurement toward a reference: a system that pulls
readings toward known weights would fake its own verification. When the windowed median
drifts beyond the bound it raises an alarm for health; recalibration is a human decision.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

import numpy as np

from wim_station.config import DriftSection
from wim_station.core.passage import Passage


@dataclass(frozen=True, slots=True)
class LaneDrift:
    """Drift state of one lane, for health."""

    lane: int
    samples: int  # steer loads in the window
    reference_kg: float | None
    median_kg: float | None
    drift_pct: float | None
    alarm: bool
    calibration_version: str | None
    last_t_us: int | None

    def to_json(self) -> dict[str, Any]:
        return {
            "lane": self.lane, "samples": self.samples, "reference_kg": self.reference_kg,
            "median_kg": self.median_kg,
            "drift_pct": None if self.drift_pct is None else round(self.drift_pct, 2),
            "alarm": self.alarm, "calibration_version": self.calibration_version,
            "last_t_us": self.last_t_us,
        }


class _Lane:
    def __init__(self, params: DriftSection) -> None:
        self.params = params
        self.baseline: list[float] = []
        self.reference = params.reference_steer_kg
        self.window: deque[float] = deque(maxlen=params.window_vehicles)
        self.version: str | None = None
        self.last_t_us: int | None = None

    def reset(self, version: str) -> None:
        self.version = version
        self.baseline.clear()
        self.window.clear()
        self.reference = self.params.reference_steer_kg


class DriftMonitor:
    """Feed it every passage; `status()` gives per-lane drift and alarms."""

    def __init__(self, params: DriftSection | None = None) -> None:
        self.params = params or DriftSection()
        self._lanes: dict[int, _Lane] = {}

    def observe(self, passage: Passage) -> bool:
        """Take a passage into account; True when it was used (a loaded tractor, valid)."""
        p = self.params
        if (not passage.valid or passage.axle_count not in p.axle_counts
                or passage.vehicle_kind not in ("combination", "tractor_single_drive")
                or passage.gvw_kg < p.min_gvw_kg):
            return False
        lane = self._lanes.setdefault(passage.lane, _Lane(p))
        if lane.version != passage.calibration_version:
            lane.reset(passage.calibration_version)
        steer = passage.axles[0].load_kg
        lane.last_t_us = passage.t_first_axle_us
        if lane.reference is None:
            lane.baseline.append(steer)
            if len(lane.baseline) >= p.baseline_vehicles:
                lane.reference = float(np.median(lane.baseline))
            return True
        lane.window.append(steer)
        return True

    def status(self) -> list[LaneDrift]:
        """Per-lane drift (median of the window against the reference) and alarm."""
        out = []
        for number in sorted(self._lanes):
            lane = self._lanes[number]
            median = float(np.median(lane.window)) if lane.window else None
            drift = None
            if median is not None and lane.reference:
                drift = (median / lane.reference - 1.0) * 100.0
            full = len(lane.window) >= max(5, self.params.window_vehicles // 2)
            alarm = drift is not None and full and abs(drift) > self.params.bound_pct
            out.append(LaneDrift(number, len(lane.window), lane.reference, median, drift,
                                 alarm, lane.version, lane.last_t_us))
        return out

    @property
    def alarm(self) -> bool:
        return any(s.alarm for s in self.status())
