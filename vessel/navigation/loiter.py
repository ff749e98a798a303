"""Station keeping: hold a point against current and wind by steering and thrusting into them.

Desired ground velocity v_d = −kp·offset (limited); the drift ĉ (current + leeway) is learnt
by integrating the offset (ĉ̇ = ki·offset) and starts from the estimator's drift. The water
velocity to make good is w = v_d − ĉ: the bow turns towards w and the thrust makes good its
component along the bow (astern when w is behind), so the boat never just stops and drifts.
"""

from __future__ import annotations

import math

from vessel.config import NavigationSection
from vessel.navigation.control import HeadingController, HelmDemand, clamp, thrust_for_speed
from vessel.navigation.estimator import OwnState
from vessel.navigation.planar import Point

_MIN_WATER_SPEED_MPS = 0.05  # below this the direction of w is noise: keep the heading


class Loiter:
    """Hold `point` (east, north metres)."""

    def __init__(self, cfg: NavigationSection, heading: HeadingController) -> None:
        self.cfg = cfg
        self.heading = heading
        self.point: Point = (0.0, 0.0)
        self._drift: Point = (0.0, 0.0)
        self._last_t: float | None = None
        self._heading_demand: float | None = None

    def start(self, point: Point, drift: Point) -> None:
        """Begin holding `point`, with a first guess of the drift."""
        self.point = point
        limit = self.cfg.loiter_max_drift_mps
        scale = min(1.0, limit / (math.hypot(*drift) or 1.0))
        self._drift = (drift[0] * scale, drift[1] * scale)
        self._last_t = None
        self._heading_demand = None
        self.heading.reset()

    def offset_m(self, state: OwnState) -> float:
        """Distance from the held point."""
        return math.dist(state.position, self.point)

    def update(self, state: OwnState) -> HelmDemand:
        """The helm demand that holds the point from this state."""
        cfg = self.cfg
        ox, oy = state.position[0] - self.point[0], state.position[1] - self.point[1]
        dt = 0.0 if self._last_t is None else clamp(state.t_s - self._last_t, 0.0, 1.0)
        self._last_t = state.t_s
        ki_dt = cfg.loiter_ki_per_s2 * dt
        dx, dy = self._drift[0] + ki_dt * ox, self._drift[1] + ki_dt * oy
        scale = min(1.0, cfg.loiter_max_drift_mps / (math.hypot(dx, dy) or 1.0))
        self._drift = (dx * scale, dy * scale)
        vx, vy = -cfg.loiter_kp_per_s * ox, -cfg.loiter_kp_per_s * oy
        speed = math.hypot(vx, vy)
        if speed > cfg.loiter_max_speed_mps:
            vx, vy = vx * cfg.loiter_max_speed_mps / speed, vy * cfg.loiter_max_speed_mps / speed
        wx, wy = vx - self._drift[0], vy - self._drift[1]
        w = math.hypot(wx, wy)
        if w >= _MIN_WATER_SPEED_MPS or self._heading_demand is None:
            self._heading_demand = (math.degrees(math.atan2(wx, wy)) % 360.0 if w
                                    else state.heading_deg)
        h = math.radians(state.heading_deg)
        along = wx * math.sin(h) + wy * math.cos(h)
        rudder = self.heading.update(state.t_s, state.heading_deg, state.yaw_rate_dps,
                                     self._heading_demand)
        return HelmDemand(clamp(thrust_for_speed(along, cfg.top_speed_mps), -1.0, 1.0), rudder)

    @property
    def drift(self) -> Point:
        """The drift the loiter has learnt (east, north m/s)."""
        return self._drift
