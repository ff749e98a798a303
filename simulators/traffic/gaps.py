"""Gap acceptance between lanes: may a vehicle use the neighbouring lane's space on the site?

A driver changes lane, or drifts over the lane line, only into a gap of the traffic in the
lane it moves into: both the lead gap (to the vehicle ahead there) and the lag gap (to the
one behind) must be at least a minimum accepted gap. This is the gap-acceptance rule of
lane-changing models (Gipps 1986, "A model for the structure of lane-changing decisions",
Transp. Res. B 20(5); Ahmed, Ben-Akiva et al. 1996, "Models of freeway lane changing and
gap acceptance behavior"); the figure is `TrafficParams.min_accepted_gap_s`.

A gap here is a time at a point of the road, from the rear bumper of one vehicle leaving it
to the front bumper of the next reaching it, and it must hold at every point of the site for
as long as the vehicle is there. A vehicle "uses" every lane its body reaches over while on
the site (its wheel sets' outer edges: ~2.5 m wide for a truck, the GB 1589 limit is 2.55 m).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from simulators.traffic.world import Vehicle

# Points of the site where gaps are checked; far closer than any vehicle moves in a second.
_STEP_M = 0.25


def half_width_m(v: Vehicle) -> float:
    """Half the vehicle's width, taken at the outer edge of its (dual) wheels."""
    return v.track_m / 2 + v.tyre_width_m


def site_taus(v: Vehicle, site_length_m: float) -> tuple[float, float]:
    """Seconds after t_first_s when the front bumper reaches row 0 / the rear leaves the site."""
    enter, leave = v.tau_at_distance(
        np.array([-v.front_overhang_m, site_length_m + v.wheelbase_m + v.rear_overhang_m])
    )
    return float(enter), float(leave)


def lanes_used(v: Vehicle, lanes: int, lane_width_m: float, site_length_m: float) -> frozenset[int]:
    """Lanes (1..`lanes`) whose space the vehicle's body reaches into while it is on the site."""
    centre = (v.lane - 1) * lane_width_m
    laterals = [v.lateral_at(tau) for tau in site_taus(v, site_length_m)]  # linear in time
    lo = centre + min(laterals) - half_width_m(v)
    hi = centre + max(laterals) + half_width_m(v)
    first = math.floor(lo / lane_width_m + 0.5) + 1
    last = math.ceil(hi / lane_width_m + 0.5)  # lane k spans (k - 1.5, k - 0.5) lane widths
    return frozenset(range(max(first, 1), min(last, lanes) + 1))


def point_times_s(v: Vehicle, positions_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """When the front bumper reaches / the rear bumper leaves each position (s)."""
    front = v.t_first_s + v.tau_at_distance(positions_m - v.front_overhang_m)
    rear = v.t_first_s + v.tau_at_distance(positions_m + v.wheelbase_m + v.rear_overhang_m)
    return front, rear


def gap_accepted(a: Vehicle, b: Vehicle, min_gap_s: float, site_length_m: float) -> bool:
    """True when one of the two passes every point of the site `min_gap_s` before the other."""
    xs = np.linspace(0.0, site_length_m, max(2, math.ceil(site_length_m / _STEP_M) + 1))
    front_a, rear_a = point_times_s(a, xs)
    front_b, rear_b = point_times_s(b, xs)
    return bool(np.all(front_b - rear_a >= min_gap_s) or np.all(front_a - rear_b >= min_gap_s))
