"""Passages for agent tests: a 6-axle tractor-semitrailer, loaded as asked."""

from __future__ import annotations

from wim_station.core import Axle, Passage

T0_US = 1_796_000_000_000_000
SPACINGS_M = (None, 3.2, 1.35, 6.0, 1.3, 1.3)


def six_axle(gvw_kg: float, lane: int = 1, flags: tuple[str, ...] = (),
             speed_mps: float = 16.0) -> Passage:
    """A '157' combination of `gvw_kg`, steer axle lighter, first axle at `T0_US`."""
    shares = (0.1,) + (0.18,) * 5
    axles, x = [], 0.0
    for spacing, share in zip(SPACINGS_M, shares, strict=True):
        x += spacing or 0.0
        load = gvw_kg * share
        axles.append(Axle(load, spacing, T0_US + x / speed_mps * 1e6, speed_mps, 0,
                          load / 2, load / 2, (load * 1.01, load * 0.99)))
    return Passage(lane, T0_US, speed_mps, 0.0, tuple(axles), gvw_kg, "157", "combination",
                   flags, 3.0, 21.5, "cal-7")
