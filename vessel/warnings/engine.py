"""The warning core: observed targets in, warnings, violations and closed incidents out.

Pure: time comes with the data (`update(t_s, ...)`), nothing is read or written. Feed it
every processed camera frame (even with no targets: time must advance for tracks to be
lost and incidents to clear), in time order.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from edge.display.message import DisplayMessage
from edge.geo import LocalFrame
from edge.speaker.message import VoiceMessage
from vessel.warnings.config import WarningRule, WarningsSection
from vessel.warnings.geometry import Zone, cpa_tcpa, footprint_en, velocity_en
from vessel.warnings.model import (
    Incident,
    IncidentClosed,
    OwnState,
    TargetObservation,
    ViolationDue,
    WarningAction,
    WarningIssued,
    WarningLog,
)

KIND_ZH = {"boat": "船只", "person": "游泳人员", "unknown": "目标"}
_MAX_TRACK_POINTS = 3000  # per target, whatever the frame rate: bounded memory
_WIDTH_POINTS = 5  # a target's width is the median of its last few (an odd number)


class ZoneLike(Protocol):
    """What the engine needs of a configured zone (`vessel.config.ZoneSection`)."""

    @property
    def name(self) -> str: ...
    @property
    def rule(self) -> str: ...
    @property
    def polygon(self) -> Sequence[tuple[float, float]]: ...
    @property
    def speed_limit_mps(self) -> float | None: ...


@dataclass
class _Case:
    """One (rule, zone, target) offence being confirmed or warned about."""

    incident_id: str
    rule: WarningRule
    zone: Zone | None
    track_id: int
    t_start_s: float
    t_true_s: float  # last update the offence was seen
    t_warned_s: float | None = None
    steps_done: int = 0
    violated: bool = False
    warnings: list[WarningLog] = field(default_factory=list)
    cpa: tuple[float, float] | None = None


@dataclass(frozen=True)
class _Place:
    """A target in the local plane: centre, stern and bow (metres)."""

    centre: tuple[float, float]
    end_a: tuple[float, float]
    end_b: tuple[float, float]


@dataclass
class _TrackHistory:
    first_seen_s: float
    last_seen_s: float
    points: deque[TargetObservation]
    own: OwnState | None = None


class WarningEngine:
    """Applies the configured rules to the targets of each frame."""

    def __init__(self, section: WarningsSection, zones: Iterable[ZoneLike],
                 origin: tuple[float, float]) -> None:
        self.section = section
        self.frame = LocalFrame(*origin)
        self.zones = tuple(Zone.from_latlon(self.frame, z.name, z.rule, z.polygon,
                                            z.speed_limit_mps) for z in zones)
        self._rule_zones: dict[str, tuple[Zone, ...]] = {
            rule.name: tuple(z for z in self.zones if z.rule == rule.type
                             and (not rule.zones or z.name in rule.zones))
            for rule in section.rules
        }
        self._cases: dict[tuple[str, str, int], _Case] = {}
        self._cooldown_until: dict[tuple[str, int], float] = {}
        self._tracks: dict[int, _TrackHistory] = {}
        self._t_s = -math.inf
        self.counters = {"updates": 0, "out_of_order": 0, "warnings": 0, "violations": 0,
                         "cleared": 0, "lost": 0, "cooled_down": 0}

    def update(self, t_s: float, own: OwnState | None,
               targets: Sequence[TargetObservation]) -> list[WarningAction]:
        """Apply the rules to the targets seen at `t_s`; the actions due now, in order."""
        if t_s < self._t_s:
            self.counters["out_of_order"] += 1
            return []
        self._t_s = t_s
        self.counters["updates"] += 1
        for obs in targets:
            self._remember(obs, own)
        seen = {obs.track_id: obs for obs in targets}
        places = [self._footprint(obs) for obs in targets]
        own_en = None if own is None else self.frame.to_enu(own.lat_deg, own.lon_deg)
        offending: set[tuple[str, str, int]] = set()
        actions: list[WarningAction] = []
        for rule in self.section.rules:
            if not self._active(rule, t_s):
                continue
            for obs, place in zip(targets, places, strict=True):
                if obs.kind not in rule.target_kinds:
                    continue
                for zone, cpa in self._offences(rule, obs, place, own, own_en):
                    key = (rule.name, zone.name if zone else "", obs.track_id)
                    case = self._cases.get(key)
                    if case is None:
                        if t_s < self._cooldown_until.get((rule.name, obs.track_id), -math.inf):
                            self.counters["cooled_down"] += 1
                            continue
                        case = _Case(f"{rule.name}:{key[1]}:{obs.track_id}:{t_s:.3f}", rule,
                                     zone, obs.track_id, t_s, t_s)
                        self._cases[key] = case
                    case.t_true_s, case.cpa = t_s, cpa
                    offending.add(key)
        for key, case in list(self._cases.items()):
            if key in offending:
                actions.extend(self._progress(case, t_s))
                continue
            track = self._tracks.get(case.track_id)
            lost = case.track_id not in seen and (
                track is None or t_s - track.last_seen_s > self.section.target_lost_s)
            if case.t_warned_s is None:
                if lost or case.track_id in seen:
                    del self._cases[key]  # not confirmed: forget quietly
                continue
            if lost or (case.track_id in seen and t_s - case.t_true_s >= case.rule.clear_s):
                reason = "lost" if lost else "cleared"
                del self._cases[key]
                self._cooldown_until[(case.rule.name, case.track_id)] = t_s + case.rule.cooldown_s
                self.counters[reason] += 1
                actions.append(IncidentClosed(self._snapshot(case, t_s), reason))
        self._forget(t_s)
        return actions

    def incidents(self) -> list[Incident]:
        """Every incident open now (being confirmed or warned about)."""
        return [self._snapshot(c, self._t_s) for c in self._cases.values()]

    # -- rules -----------------------------------------------------------------------------

    def _active(self, rule: WarningRule, t_s: float) -> bool:
        if not rule.active:
            return True
        minute = ((t_s + self.section.utc_offset_h * 3600.0) % 86400.0) / 60.0
        return any(w.contains(minute) for w in rule.active)

    def _footprint(self, obs: TargetObservation) -> _Place:
        """Where `obs` is in the local plane: its centre, and its hull along its course.

        Half the visible width is taken for half the hull: exact for a hull crossing the
        view, short of it (half the beam) for one coming or going, and never longer than
        half its diagonal (a hull L by B seen obliquely shows at most sqrt(L^2 + B^2)).
        """
        centre = self.frame.to_enu(obs.lat_deg, obs.lon_deg)
        # The track's recent widths, not this frame's alone: a wake or a wave merged into
        # one box must not stretch the hull into a zone.
        recent = [p.width_m for p in itertools.islice(reversed(self._tracks[obs.track_id].points),
                                                      _WIDTH_POINTS) if p.width_m is not None]
        width = statistics.median(recent) if recent else None
        section = self.section
        moving = obs.speed_mps is not None and obs.speed_mps >= section.course_min_speed_mps
        if width is None or width > section.max_target_width_m or not moving:
            return _Place(centre, centre, centre)  # not one hull, or no course: its centre
        return _Place(centre, *footprint_en(centre, obs.course_deg, 0.5 * width))

    def _offences(self, rule: WarningRule, obs: TargetObservation, place: _Place,
                  own: OwnState | None, own_en: tuple[float, float] | None,
                  ) -> list[tuple[Zone | None, tuple[float, float] | None]]:
        """The zones (or None for `approach`) in which `obs` (at `place`) offends now.

        A target is in a zone as soon as any part of its hull is: a boat crossing the view
        enters bow first, half a hull length before its centre does.
        """
        if rule.type == "approach":
            risk = (None if own is None or own_en is None
                    else self._collision_risk(rule, obs, place.centre, own, own_en))
            return [(None, risk)] if risk is not None else []
        out: list[tuple[Zone | None, tuple[float, float] | None]] = []
        for zone in self._rule_zones[rule.name]:
            if not zone.touches_segment(place.end_a, place.end_b):
                continue
            if rule.type == "speed_limit":
                limit = zone.speed_limit_mps
                speed = self._steady_speed(obs, rule.speed_window_s)
                if limit is None or speed is None or speed <= limit + rule.speed_margin_mps:
                    continue
            elif rule.type == "no_stopping":
                speed = self._steady_speed(obs, rule.speed_window_s)
                if speed is None or speed >= rule.stop_speed_mps:
                    continue
            out.append((zone, None))
        return out

    def _steady_speed(self, obs: TargetObservation, window_s: float) -> float | None:
        """Median track speed over the last `window_s`; None for a younger track."""
        history = self._tracks[obs.track_id]
        if obs.t_s - history.first_seen_s < window_s:
            return None
        speeds = [p.speed_mps for p in history.points
                  if p.t_s >= obs.t_s - window_s and p.speed_mps is not None]
        return statistics.median(speeds) if speeds else None

    @staticmethod
    def _collision_risk(rule: WarningRule, obs: TargetObservation, enu: tuple[float, float],
                        own: OwnState, own_en: tuple[float, float]) -> tuple[float, float] | None:
        """(cpa_m, tcpa_s) when the target is a collision risk, else None."""
        (ox, oy), (tx, ty) = own_en, enu
        own_v = velocity_en(own.sog_mps, own.cog_deg if own.cog_deg is not None
                            else own.heading_deg)
        tgt_v = (velocity_en(obs.speed_mps, obs.course_deg)
                 if obs.speed_mps is not None and obs.course_deg is not None else (0.0, 0.0))
        cpa, tcpa = cpa_tcpa((tx - ox, ty - oy), (tgt_v[0] - own_v[0], tgt_v[1] - own_v[1]))
        now_m = math.hypot(tx - ox, ty - oy)
        if now_m <= rule.min_range_m or (0.0 < tcpa <= rule.tcpa_s and cpa <= rule.cpa_m):
            return cpa, tcpa
        return None

    # -- actions ---------------------------------------------------------------------------

    def _progress(self, case: _Case, t_s: float) -> list[WarningAction]:
        rule = case.rule
        if case.t_warned_s is None:
            if t_s - case.t_start_s < rule.confirm_s:
                return []
            case.t_warned_s = t_s
            return [self._warn(case, t_s, 0, None)]
        actions: list[WarningAction] = []
        while case.steps_done < len(rule.escalation):
            step = rule.escalation[case.steps_done]
            if t_s - case.t_warned_s < step.after_s:
                break
            case.steps_done += 1
            if step.repeat:
                actions.append(self._warn(case, t_s, case.steps_done, step.volume))
            if step.violation and not case.violated:
                case.violated = True
                self.counters["violations"] += 1
                actions.append(ViolationDue(self._snapshot(case, t_s), case.steps_done))
        return actions

    def _warn(self, case: _Case, t_s: float, step: int, volume: float | None) -> WarningIssued:
        rule = case.rule
        values = self._values(case, t_s, step)
        screen: DisplayMessage | None = rule.screen.render(values) if rule.screen else None
        voices: tuple[VoiceMessage, ...] = tuple(
            v.render(values, volume=volume, key=f"{case.incident_id}:{step}:{i}")
            for i, v in enumerate(rule.voice))
        case.warnings.append(WarningLog(t_s, step, screen.text if screen else None,
                                        tuple(v.text or str(v.clip) for v in voices), volume))
        self.counters["warnings"] += 1
        return WarningIssued(self._snapshot(case, t_s), step, screen, voices)

    def _values(self, case: _Case, t_s: float, step: int) -> dict[str, Any]:
        obs = self._tracks[case.track_id].points[-1]
        limit = case.zone.speed_limit_mps if case.zone else None
        nan = math.nan  # unknown numbers render as "nan" rather than as an invented value
        return {
            "zone": case.zone.name if case.zone else "",
            "rule": case.rule.name,
            "kind": obs.kind,
            "kind_zh": KIND_ZH[obs.kind],
            "track_id": case.track_id,
            "speed_mps": _num(obs.speed_mps, 1),
            "speed_kmh": _num(None if obs.speed_mps is None else obs.speed_mps * 3.6, 0),
            "limit_mps": _num(limit, 1),
            "limit_kmh": _num(None if limit is None else limit * 3.6, 0),
            "range_m": _num(obs.range_m, 0),
            "bearing_deg": _num(obs.bearing_deg, 0),
            "cpa_m": round(case.cpa[0], 0) if case.cpa else nan,
            "tcpa_s": round(case.cpa[1], 0) if case.cpa else nan,
            "dwell_s": round(t_s - case.t_start_s, 0),
            "step": step,
        }

    def _snapshot(self, case: _Case, t_s: float) -> Incident:
        history = self._tracks[case.track_id]
        last = history.points[-1]
        zone = case.zone
        return Incident(
            incident_id=case.incident_id, rule=case.rule.name, rule_type=case.rule.type,
            record_type=case.rule.record_type, zone=zone.name if zone else None,
            zone_polygon=zone.polygon_deg if zone else (),
            speed_limit_mps=zone.speed_limit_mps if zone else None, track_id=case.track_id,
            kind=last.kind, t_start_s=case.t_start_s, t_warned_s=case.t_warned_s, t_s=t_s,
            last=last, own=history.own, values=self._values(case, t_s, case.steps_done),
            warnings=tuple(case.warnings), track=tuple(history.points),
            cpa_m=case.cpa[0] if case.cpa else None, tcpa_s=case.cpa[1] if case.cpa else None,
        )

    # -- track memory ----------------------------------------------------------------------

    def _remember(self, obs: TargetObservation, own: OwnState | None) -> None:
        history = self._tracks.get(obs.track_id)
        if history is None:
            history = _TrackHistory(obs.t_s, obs.t_s, deque(maxlen=_MAX_TRACK_POINTS))
            self._tracks[obs.track_id] = history
        history.points.append(obs)
        history.last_seen_s, history.own = obs.t_s, own
        horizon = obs.t_s - self.section.track_history_s
        while history.points and history.points[0].t_s < horizon:
            history.points.popleft()

    def _forget(self, t_s: float) -> None:
        in_use = {c.track_id for c in self._cases.values()}
        for track_id, history in list(self._tracks.items()):
            if track_id not in in_use and t_s - history.last_seen_s > self.section.target_lost_s:
                del self._tracks[track_id]
        for key, until in list(self._cooldown_until.items()):
            if until <= t_s:
                del self._cooldown_until[key]


def _num(value: float | None, digits: int) -> float:
    return math.nan if value is None else round(value, digits)
