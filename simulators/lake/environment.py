"""Current and gusty wind over the lake (seeded, time-stepped)."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass


def vector(speed: float, toward_deg: float) -> tuple[float, float]:
    """(east, north) of a speed going toward a bearing (degrees true)."""
    b = math.radians(toward_deg)
    return speed * math.sin(b), speed * math.cos(b)


@dataclass(frozen=True)
class EnvironmentSpec:
    """Constant current and a mean wind with gusts. Directions are where the water/air GOES."""

    current_mps: float = 0.0
    current_toward_deg: float = 90.0
    wind_mps: float = 0.0
    wind_toward_deg: float = 45.0
    gust_fraction: float = 0.3  # σ of the gust speed as a fraction of the mean
    gust_time_s: float = 8.0  # correlation time of gusts
    wind_veer_deg: float = 15.0  # σ of the wind direction's wander


class Environment:
    """Current (constant) and wind (mean + Ornstein–Uhlenbeck gusts in speed and direction)."""

    def __init__(self, spec: EnvironmentSpec, seed: int = 0) -> None:
        self.spec = spec
        self._rng = random.Random(seed)
        self._gust = 0.0
        self._veer = 0.0
        self.current = vector(spec.current_mps, spec.current_toward_deg)
        self.wind = vector(spec.wind_mps, spec.wind_toward_deg)

    def step(self, dt: float) -> None:
        """Advance the gust processes by dt."""
        s = self.spec
        if s.wind_mps <= 0:
            return
        a = dt / s.gust_time_s
        k = math.sqrt(2.0 * a)
        self._gust += -a * self._gust + k * self._rng.gauss(0.0, s.gust_fraction * s.wind_mps)
        self._veer += -a * self._veer + k * self._rng.gauss(0.0, s.wind_veer_deg)
        self.wind = vector(max(0.0, s.wind_mps + self._gust), s.wind_toward_deg + self._veer)
