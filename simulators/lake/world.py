"""The lake world: own boat, environment, other targets, battery; stepped in simulation time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from edge.geo import LocalFrame
from simulators.lake.dynamics import BoatParams, BoatState, step_boat
from simulators.lake.environment import Environment, EnvironmentSpec
from simulators.lake.targets import LakeTarget, TargetFleet

DEFAULT_START_UTC = dt.datetime(2026, 6, 1, 2, 0, 0, tzinfo=dt.UTC)


@dataclass(frozen=True)
class OwnTruth:
    """The own boat's ground truth (WGS-84)."""

    lat_deg: float
    lon_deg: float
    heading_deg: float
    sog_mps: float
    cog_deg: float
    surge_mps: float
    yaw_rate_dps: float
    thrust: float
    rudder: float


@dataclass(frozen=True)
class WorldState:
    """Ground truth of the whole lake at t_s (one line of the truth stream)."""

    t_s: float
    utc: dt.datetime
    own: OwnTruth
    targets: tuple[LakeTarget, ...]
    current_mps: tuple[float, float]  # east, north
    wind_mps: tuple[float, float]
    battery_pct: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "t_s": self.t_s, "utc": self.utc.isoformat().replace("+00:00", "Z"),
            "own": dict(self.own.__dict__), "targets": [t.to_dict() for t in self.targets],
            "current_mps": list(self.current_mps), "wind_mps": list(self.wind_mps),
            "battery_pct": self.battery_pct,
        }


@dataclass(frozen=True)
class LakeSpec:
    """Everything that defines a run."""

    origin_lat: float
    origin_lon: float
    start_lat: float
    start_lon: float
    start_heading_deg: float = 90.0
    environment: EnvironmentSpec = field(default_factory=EnvironmentSpec)
    boat: BoatParams = field(default_factory=BoatParams)
    area: tuple[tuple[float, float], ...] = ()  # lat, lon polygon where targets roam
    boats: int = 0
    swimmers: int = 0
    battery_pct: float = 100.0
    battery_hours_at_full_thrust: float = 3.0
    seed: int = 0
    start_utc: dt.datetime = DEFAULT_START_UTC


class LakeWorld:
    """Step with the helm demand in force; read the truth."""

    def __init__(self, spec: LakeSpec) -> None:
        self.spec = spec
        self.frame = LocalFrame(spec.origin_lat, spec.origin_lon)
        east, north = self.frame.to_enu(spec.start_lat, spec.start_lon)
        self.boat = BoatState(east, north, spec.start_heading_deg)
        self.env = Environment(spec.environment, spec.seed)
        area = [self.frame.to_enu(lat, lon) for lat, lon in spec.area]
        self.fleet = (TargetFleet(self.frame, area, spec.boats, spec.swimmers, spec.seed)
                      if area else None)
        self.t_s = 0.0
        self.battery_pct = spec.battery_pct
        self._demand = (0.0, 0.0)

    def step(self, dt_s: float, thrust: float, rudder: float) -> None:
        """Advance by dt_s with this helm demand."""
        self._demand = (thrust, rudder)
        self.env.step(dt_s)
        self.boat = step_boat(self.boat, self.spec.boat, thrust, rudder, self.env.current,
                              self.env.wind, dt_s)
        if self.fleet is not None:
            self.fleet.step(dt_s, self.env.current)
        drain = abs(thrust) ** 1.5 * dt_s / (self.spec.battery_hours_at_full_thrust * 36.0)
        self.battery_pct = max(0.0, self.battery_pct - drain)
        self.t_s += dt_s

    @property
    def utc(self) -> dt.datetime:
        """Simulated UTC now."""
        return self.spec.start_utc + dt.timedelta(seconds=self.t_s)

    def state(self) -> WorldState:
        """Ground truth now."""
        b = self.boat
        lat, lon = self.frame.to_geodetic(b.east_m, b.north_m)
        own = OwnTruth(lat, lon, b.heading_deg, b.sog_mps, b.cog_deg, b.surge_mps, b.yaw_rate_dps,
                       *self._demand)
        targets = self.fleet.snapshot() if self.fleet is not None else ()
        return WorldState(self.t_s, self.utc, own, targets, self.env.current, self.env.wind,
                          self.battery_pct)
