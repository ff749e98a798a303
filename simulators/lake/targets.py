"""Other users of the water: boats running their own loops and swimmers drifting about.

Targets are ground truth for the vision issue: `LakeTarget.to_dict()` uses the field names
of `simulators.lake_camera.world.Target`, so the camera renderer can take them as they are.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace
from typing import Any, Literal

from edge.geo import LocalFrame

TargetKind = Literal["boat", "person"]


@dataclass(frozen=True)
class LakeTarget:
    """One target at one instant (WGS-84, heading degrees true)."""

    target_id: int
    kind: TargetKind
    lat_deg: float
    lon_deg: float
    heading_deg: float
    speed_mps: float
    length_m: float  # boat length, or a swimmer's shoulder width
    beam_m: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; keys match `simulators.lake_camera.world.Target`."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class _Mover:
    target_id: int
    kind: TargetKind
    east_m: float
    north_m: float
    heading_deg: float
    speed_mps: float
    length_m: float
    beam_m: float
    route: tuple[tuple[float, float], ...] = ()  # boats: loop of (east, north)
    next_wp: int = 0


class TargetFleet:
    """Moves boats along their loops and swimmers on a random walk, with the current."""

    def __init__(self, frame: LocalFrame, area: list[tuple[float, float]], boats: int,
                 swimmers: int, seed: int = 0) -> None:
        self.frame = frame
        self._rng = random.Random(seed + 7919)
        rng = self._rng
        xs, ys = [p[0] for p in area], [p[1] for p in area]
        box = (min(xs) + 40, max(xs) - 40, min(ys) + 40, max(ys) - 40)

        def spot() -> tuple[float, float]:
            return rng.uniform(box[0], box[1]), rng.uniform(box[2], box[3])

        movers: list[_Mover] = []
        for i in range(boats):
            route = tuple(spot() for _ in range(4))
            movers.append(_Mover(i + 1, "boat", *route[0], 0.0, rng.uniform(1.5, 5.0),
                                 rng.uniform(4.0, 9.0), rng.uniform(1.6, 2.8), route, 1))
        for j in range(swimmers):
            movers.append(_Mover(boats + j + 1, "person", *spot(), rng.uniform(0, 360),
                                 0.4, 0.5, 0.3))
        self._movers = movers

    def step(self, dt: float, current: tuple[float, float]) -> None:
        """Advance every target by dt."""
        self._movers = [self._step_one(m, dt, current) for m in self._movers]

    def _step_one(self, m: _Mover, dt: float, current: tuple[float, float]) -> _Mover:
        if m.kind == "boat" and m.route:
            tx, ty = m.route[m.next_wp]
            if math.hypot(tx - m.east_m, ty - m.north_m) < 10.0:
                m = replace(m, next_wp=(m.next_wp + 1) % len(m.route))
                tx, ty = m.route[m.next_wp]
            heading = math.degrees(math.atan2(tx - m.east_m, ty - m.north_m)) % 360.0
        else:
            heading = (m.heading_deg + self._rng.gauss(0.0, 5.0) * math.sqrt(dt)) % 360.0
        h = math.radians(heading)
        return replace(
            m, heading_deg=heading,
            east_m=m.east_m + (m.speed_mps * math.sin(h) + current[0]) * dt,
            north_m=m.north_m + (m.speed_mps * math.cos(h) + current[1]) * dt,
        )

    def snapshot(self) -> tuple[LakeTarget, ...]:
        """Every target now."""
        out = []
        for m in self._movers:
            lat, lon = self.frame.to_geodetic(m.east_m, m.north_m)
            out.append(LakeTarget(m.target_id, m.kind, lat, lon, m.heading_deg, m.speed_mps,
                                  m.length_m, m.beam_m))
        return tuple(out)
