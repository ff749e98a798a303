"""Own-ship state from GNSS epochs, with dead reckoning when the fix is lost or degraded.

Heading comes from HDT/THS; without it, from the course over ground while moving. The drift
(current + leeway) is learnt while the fix is good as ground velocity minus the modelled
water velocity along the heading; dead reckoning then moves the boat by the modelled water
velocity plus that drift, and turns it with a first-order Nomoto model of the rudder.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from edge.geo import LocalFrame, wrap_deg
from vessel.config import GnssSection, NavigationSection
from vessel.gnss.fix import Fix
from vessel.navigation.control import HelmDemand
from vessel.navigation.planar import Point

_MIN_SOG_FOR_COURSE_MPS = 0.5  # below this the COG of a single antenna is noise
_DRIFT_FILTER_S = 30.0


@dataclass(frozen=True)
class OwnState:
    """Best estimate of the boat at t_s; `source` says where it came from."""

    t_s: float
    position: Point  # east, north metres in the navigation frame
    heading_deg: float
    yaw_rate_dps: float
    velocity: Point  # ground velocity east, north m/s
    drift: Point  # estimated current + leeway, east, north m/s
    source: str  # "gnss" or "dr"
    fix_t_s: float  # when the last good fix was taken

    @property
    def sog_mps(self) -> float:
        """Speed over ground."""
        return math.hypot(*self.velocity)

    @property
    def cog_deg(self) -> float:
        """Course over ground, degrees true."""
        return math.degrees(math.atan2(*self.velocity)) % 360.0


def fix_problem(fix: Fix, gnss: GnssSection) -> str | None:
    """Why a fix must not be trusted for navigation, or None when it is good."""
    if not fix.has_position:
        return "no_fix"
    if fix.hdop is not None and fix.hdop > gnss.max_hdop:
        return "hdop"
    return None


class Estimator:
    """Feed good fixes and the helm demand; ask for the state at any later time."""

    def __init__(self, frame: LocalFrame, nav: NavigationSection) -> None:
        self.frame = frame
        self.nav = nav
        self._state: OwnState | None = None
        self._water_speed = 0.0  # modelled speed through the water
        self._demand = HelmDemand(0.0, 0.0)

    @property
    def state(self) -> OwnState | None:
        """The latest estimate (None before the first good fix)."""
        return self._state

    def set_demand(self, demand: HelmDemand) -> None:
        """The helm demand now in force (drives the water-speed and yaw models)."""
        self._demand = demand

    def feed_fix(self, t_s: float, fix: Fix) -> OwnState:
        """A good fix (checked by `fix_problem`) at time t_s."""
        assert fix.lat is not None and fix.lon is not None
        prev = self._state
        self._advance_water_speed(t_s)
        position = self.frame.to_enu(fix.lat, fix.lon)
        if fix.sog_mps is not None and fix.cog_deg is not None:
            c = math.radians(fix.cog_deg)
            velocity = (fix.sog_mps * math.sin(c), fix.sog_mps * math.cos(c))
        elif prev is not None and t_s > prev.t_s:
            dt = t_s - prev.t_s
            velocity = ((position[0] - prev.position[0]) / dt,
                        (position[1] - prev.position[1]) / dt)
        else:
            velocity = (0.0, 0.0)
        heading = self._heading(fix, velocity, prev)
        yaw_rate = 0.0
        drift = (0.0, 0.0) if prev is None else prev.drift
        if prev is not None and t_s > prev.t_s:
            dt = t_s - prev.t_s
            raw_rate = wrap_deg(heading - prev.heading_deg) / dt
            a = min(1.0, dt / self.nav.yaw_rate_filter_s)
            yaw_rate = prev.yaw_rate_dps + a * (raw_rate - prev.yaw_rate_dps)
            h = math.radians(heading)
            obs = (velocity[0] - self._water_speed * math.sin(h),
                   velocity[1] - self._water_speed * math.cos(h))
            b = min(1.0, dt / _DRIFT_FILTER_S)
            drift = (drift[0] + b * (obs[0] - drift[0]), drift[1] + b * (obs[1] - drift[1]))
        self._state = OwnState(t_s, position, heading, yaw_rate, velocity, drift, "gnss", t_s)
        return self._state

    def _heading(self, fix: Fix, velocity: Point, prev: OwnState | None) -> float:
        if fix.heading_deg is not None:
            return fix.heading_deg % 360.0
        if math.hypot(*velocity) >= _MIN_SOG_FOR_COURSE_MPS:
            return math.degrees(math.atan2(*velocity)) % 360.0
        return prev.heading_deg if prev is not None else 0.0

    def _advance_water_speed(self, t_s: float) -> None:
        prev = self._state
        if prev is None:
            return
        dt = max(0.0, t_s - prev.t_s)
        thrust = self._demand.thrust
        target = math.copysign(math.sqrt(abs(thrust)), thrust) * self.nav.top_speed_mps
        a = min(1.0, dt / self.nav.dr_surge_time_constant_s)
        self._water_speed += a * (target - self._water_speed)

    def dead_reckon(self, t_s: float) -> OwnState | None:
        """Move the estimate on to t_s with the models (no fix since); None before any fix."""
        prev = self._state
        if prev is None or t_s <= prev.t_s:
            return prev
        dt = t_s - prev.t_s
        self._advance_water_speed(t_s)
        nav = self.nav
        target_rate = math.degrees(nav.dr_yaw_gain_per_s * self._demand.rudder
                                   * min(1.0, abs(self._water_speed) / nav.top_speed_mps + 0.3))
        a = min(1.0, dt / nav.dr_yaw_time_constant_s)
        rate = prev.yaw_rate_dps + a * (target_rate - prev.yaw_rate_dps)
        heading = (prev.heading_deg + rate * dt) % 360.0
        h = math.radians(heading)
        velocity = (self._water_speed * math.sin(h) + prev.drift[0],
                    self._water_speed * math.cos(h) + prev.drift[1])
        position = (prev.position[0] + velocity[0] * dt, prev.position[1] + velocity[1] * dt)
        self._state = OwnState(t_s, position, heading, rate, velocity, prev.drift, "dr",
                               prev.fix_t_s)
        return self._state
