"""Small worlds for the warning-rule tests: a square zone, a patrol boat, targets on lines."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from edge.geo import LocalFrame
from vessel.warnings import OwnState, TargetObservation, WarningEngine, WarningsSection

ORIGIN = (30.7500, 120.7600)
FRAME = LocalFrame(*ORIGIN)
T0 = 1_780_000_000.0  # 2026-05-28T20:26:40Z = 04:26:40 in UTC+8


def square(east0: float, north0: float, size: float) -> tuple[tuple[float, float], ...]:
    """A square zone (lat, lon) with its south-west corner at (east0, north0) metres."""
    corners = [(east0, north0), (east0 + size, north0), (east0 + size, north0 + size),
               (east0, north0 + size)]
    return tuple(FRAME.to_geodetic(e, n) for e, n in corners)


@dataclass(frozen=True)
class ZoneSpec:
    name: str
    rule: str
    polygon: tuple[tuple[float, float], ...]
    speed_limit_mps: float | None = None


ZONES = (
    ZoneSpec("harbour", "restricted", square(100, 100, 100)),
    ZoneSpec("lake", "speed_limit", square(-500, -500, 1000), 3.0),
    ZoneSpec("pier", "no_stopping", square(-300, 100, 50)),
    ZoneSpec("beach", "no_swimming", square(300, 100, 100)),
)


def rule(type_: str, **kw: Any) -> dict[str, Any]:
    """A rule dict with a screen and a voice message and the given overrides."""
    base: dict[str, Any] = {
        "name": f"{type_}-rule", "type": type_, "confirm_s": 0.5, "clear_s": 2.0,
        "cooldown_s": 30.0,
        "screen": {"template": "{kind_zh} {zone} 请离开 {speed_kmh:.0f}", "priority": 30},
        "voice": [{"text": "请立即离开{zone}"}, {"text": "Leave {zone} now"}],
    }
    base.update(kw)
    return base


def engine(*rules: dict[str, Any], **section: Any) -> WarningEngine:
    """An engine over ZONES with these rules."""
    cfg = WarningsSection.model_validate({"rules": list(rules), **section})
    return WarningEngine(cfg, ZONES, ORIGIN)


def own(t_s: float, east: float = 0.0, north: float = 0.0, heading: float = 0.0,
        sog: float = 0.0) -> OwnState:
    lat, lon = FRAME.to_geodetic(east, north)
    return OwnState(t_s, lat, lon, heading, sog, heading)


def target(t_s: float, east: float, north: float, *, track_id: int = 1, kind: str = "boat",
           speed: float | None = 2.0, course: float | None = 0.0, bearing: float = 45.0,
           width_m: float | None = None) -> TargetObservation:
    lat, lon = FRAME.to_geodetic(east, north)
    return TargetObservation(t_s, track_id, kind, lat, lon, speed, course,  # type: ignore[arg-type]
                             bearing, bearing, 100.0, (100, 200, 40, 20), 0.9, width_m)


def run_line(eng: WarningEngine, start: tuple[float, float], velocity: tuple[float, float],
             duration_s: float, dt_s: float = 0.1, speed: float | None = None,
             t0: float = T0, **kw: Any) -> list[tuple[float, Any]]:
    """Move one target along a straight line from `t0`; every action with its time since t0.

    `speed` overrides the reported speed (default: the true one)."""
    out = []
    if speed is None:
        speed = math.hypot(*velocity)
    course = math.degrees(math.atan2(velocity[0], velocity[1])) % 360
    steps = round(duration_s / dt_s)
    for k in range(steps + 1):
        t = k * dt_s
        obs = target(t0 + t, start[0] + velocity[0] * t, start[1] + velocity[1] * t,
                     speed=speed, course=course, **kw)
        for action in eng.update(t0 + t, own(t0 + t), [obs]):
            out.append((round(t, 3), action))
    return out
