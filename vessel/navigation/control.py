"""Heading and speed controllers and the helm demand they produce (pure; time comes in)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from edge.geo import wrap_deg
from vessel.config import NavigationSection


@dataclass(frozen=True)
class HelmDemand:
    """What the motor controller should do: thrust −1..1 (+ ahead), rudder −1..1 (+ starboard)."""

    thrust: float
    rudder: float

    def __post_init__(self) -> None:
        if not (-1.0 <= self.thrust <= 1.0 and -1.0 <= self.rudder <= 1.0):
            raise ValueError(f"helm demand out of range: {self}")


NEUTRAL = HelmDemand(0.0, 0.0)


def clamp(x: float, lo: float, hi: float) -> float:
    """x limited to [lo, hi]."""
    return lo if x < lo else hi if x > hi else x


def thrust_for_speed(speed_mps: float, top_speed_mps: float) -> float:
    """Feedforward thrust for a water speed: drag is mostly quadratic, so (v / v_top)²."""
    ratio = clamp(speed_mps / top_speed_mps, -1.0, 1.0)
    return math.copysign(ratio * ratio, ratio)


class Stepped:
    """Something updated at irregular times: hands out the step since the last update.

    Steps are capped at 1 s so a stall (lost fixes, a suspended process) cannot kick an
    integral; `reset()` forgets the integral and the time.
    """

    def __init__(self) -> None:
        self._integral = 0.0
        self._last_t: float | None = None

    def reset(self) -> None:
        """Forget the integral and the time of the last update (on mode changes)."""
        self._integral = 0.0
        self._last_t = None

    def _step_s(self, t_s: float) -> float:
        dt = 0.0 if self._last_t is None else clamp(t_s - self._last_t, 0.0, 1.0)
        self._last_t = t_s
        return dt


class HeadingController(Stepped):
    """PID on heading error with the yaw rate as the derivative term (no derivative kick)."""

    def __init__(self, cfg: NavigationSection) -> None:
        super().__init__()
        self.cfg = cfg

    def update(
        self, t_s: float, heading_deg: float, yaw_rate_dps: float, demand_deg: float
    ) -> float:
        """Rudder −1..1 to bring heading to demand_deg."""
        cfg = self.cfg
        error = wrap_deg(demand_deg - heading_deg)
        dt = self._step_s(t_s)
        if abs(error) < 20.0:  # integrate only near the demand: no wind-up through turns
            self._integral += error * dt
        limit = 0.3 / cfg.heading_ki_per_deg_s if cfg.heading_ki_per_deg_s else 0.0
        self._integral = clamp(self._integral, -limit, limit)
        rudder = (cfg.heading_kp_per_deg * error + cfg.heading_ki_per_deg_s * self._integral
                  - cfg.heading_kd_per_dps * yaw_rate_dps)
        return clamp(rudder, -1.0, 1.0)


class SpeedController(Stepped):
    """Thrust = feedforward for the target speed + PI on the measured speed."""

    def __init__(self, cfg: NavigationSection) -> None:
        super().__init__()
        self.cfg = cfg

    def update(self, t_s: float, speed_mps: float, target_mps: float) -> float:
        """Thrust −1..1 to bring the measured speed to target_mps."""
        cfg = self.cfg
        error = target_mps - speed_mps
        self._integral += error * self._step_s(t_s)
        if cfg.speed_ki_per_mps_s:
            limit = 0.5 / cfg.speed_ki_per_mps_s
            self._integral = clamp(self._integral, -limit, limit)
        thrust = (thrust_for_speed(target_mps, cfg.top_speed_mps) + cfg.speed_kp_per_mps * error
                  + cfg.speed_ki_per_mps_s * self._integral)
        return clamp(thrust, -1.0, 1.0)
