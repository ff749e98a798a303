"""Own-boat dynamics: first-order Nomoto yaw, surge with linear + quadratic drag, drift.

    T·ṙ + r = K·δ·g(u, thrust)        (Nomoto 1957; Fossen 2011 §7.2)
    m·u̇ = F_max·thrust − d1·u − d2·u·|u|

δ is the rudder demand −1..1 (full scale = full helm). g scales the rudder's authority with
the water flowing past it, from the boat's speed or the propeller wash, so a stopped boat
with its motor idling cannot turn but one with thrust on can (outboard steering). The
ground velocity is the water velocity along the heading plus the current and the wind's
leeway. Defaults: a 4.5 m aluminium patrol boat, top speed 3 m/s, T = 2 s.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class BoatParams:
    """Hull, motor and steering; defaults give top speed 3.0 m/s and T = 2 s."""

    length_m: float = 4.5
    beam_m: float = 1.8
    mass_kg: float = 450.0  # incl. added mass in surge
    thrust_max_n: float = 390.0  # = d1·3 + d2·3²: full thrust holds 3 m/s
    reverse_efficiency: float = 0.5  # a propeller pushes about half as well astern
    drag_linear_n_per_mps: float = 40.0
    drag_quadratic_n_per_mps2: float = 30.0
    nomoto_gain_per_s: float = 0.35  # yaw rate (rad/s) at full rudder and full flow
    nomoto_time_constant_s: float = 2.0
    flow_ref_mps: float = 3.0  # rudder authority is full at this flow speed
    # outboard steering vectors the propeller's thrust: its wash steers even when stopped
    wash_mps_at_full_thrust: float = 3.0
    # leeway speed / wind speed: small open boats ≈ 3 % (Allen 2005, USCG leeway taxonomy)
    leeway_coefficient: float = 0.03
    weathervane_rad_per_s: float = 0.02  # yaw rate bow-to-wind at 10 m/s wind, stopped


@dataclass(frozen=True)
class BoatState:
    """Ground truth of the own boat in the lake's local plane."""

    east_m: float
    north_m: float
    heading_deg: float
    yaw_rate_dps: float = 0.0
    surge_mps: float = 0.0  # speed through the water, + ahead
    ve_mps: float = 0.0  # ground velocity east
    vn_mps: float = 0.0  # ground velocity north

    @property
    def sog_mps(self) -> float:
        """Speed over ground."""
        return math.hypot(self.ve_mps, self.vn_mps)

    @property
    def cog_deg(self) -> float:
        """Course over ground, degrees true."""
        return math.degrees(math.atan2(self.ve_mps, self.vn_mps)) % 360.0


def step_boat(
    s: BoatState, p: BoatParams, thrust: float, rudder: float,
    current: tuple[float, float], wind: tuple[float, float], dt: float,
) -> BoatState:
    """Advance by dt seconds (semi-implicit Euler; stable for dt ≤ 0.1 s). Vectors east, north."""
    thrust = max(-1.0, min(1.0, thrust))
    rudder = max(-1.0, min(1.0, rudder))
    force = p.thrust_max_n * thrust * (1.0 if thrust >= 0 else p.reverse_efficiency)
    u = s.surge_mps
    drag = p.drag_linear_n_per_mps * u + p.drag_quadratic_n_per_mps2 * u * abs(u)
    du = (force - drag) / p.mass_kg
    u += du * dt
    flow = abs(u) + p.wash_mps_at_full_thrust * math.sqrt(abs(thrust))
    authority = min(1.0, flow / p.flow_ref_mps) * (1.0 if u >= -0.1 else -1.0)  # astern reverses
    h = math.radians(s.heading_deg)
    wind_speed = math.hypot(*wind)
    r = math.radians(s.yaw_rate_dps)
    r_target = p.nomoto_gain_per_s * rudder * authority
    if wind_speed > 0:
        # windage turns the bow towards where the wind comes from (weathervane), less when under way
        wind_from = math.atan2(-wind[0], -wind[1])
        r_target += p.weathervane_rad_per_s * (wind_speed / 10.0) ** 2 * math.sin(wind_from - h) \
            / (1.0 + abs(u))
    r += (r_target - r) * dt / p.nomoto_time_constant_s
    heading = (s.heading_deg + math.degrees(r) * dt) % 360.0
    h = math.radians(heading)
    ve = u * math.sin(h) + current[0] + p.leeway_coefficient * wind[0]
    vn = u * math.cos(h) + current[1] + p.leeway_coefficient * wind[1]
    return replace(
        s, east_m=s.east_m + ve * dt, north_m=s.north_m + vn * dt, heading_deg=heading,
        yaw_rate_dps=math.degrees(r), surge_mps=u, ve_mps=ve, vn_mps=vn,
    )
