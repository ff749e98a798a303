"""What the warning core takes in (own state, observed targets) and gives out (actions)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from edge.display.message import DisplayMessage
from edge.speaker.message import VoiceMessage
from vessel.warnings.config import TargetKind


@dataclass(frozen=True)
class OwnState:
    """The patrol boat at `t_s`: position (WGS-84), true heading, speed and course over ground."""

    t_s: float
    lat_deg: float
    lon_deg: float
    heading_deg: float
    sog_mps: float = 0.0
    cog_deg: float | None = None  # None: take the heading


@dataclass(frozen=True)
class TargetObservation:
    """One tracked target in one camera frame, in geographic terms.

    `bearing_deg` is true (from the patrol boat), `rel_bearing_deg` relative to its bow
    (positive to starboard); `course_deg` is true. `box` is x, y, w, h in the frame taken
    at `t_s`. The position is the centre; `width_m` the visible extent across the line of
    sight.
    """

    t_s: float
    track_id: int
    kind: TargetKind
    lat_deg: float
    lon_deg: float
    speed_mps: float | None
    course_deg: float | None
    bearing_deg: float | None
    rel_bearing_deg: float | None
    range_m: float | None
    box: tuple[int, int, int, int]
    score: float = 1.0
    width_m: float | None = None  # a crossing hull shows its length

    def to_json(self) -> dict[str, Any]:
        """JSON-ready, rounded to what the measurement supports."""
        return {
            "t_s": round(self.t_s, 3),
            "track_id": self.track_id,
            "kind": self.kind,
            "lat": round(self.lat_deg, 7),
            "lon": round(self.lon_deg, 7),
            "speed_mps": _round(self.speed_mps, 2),
            "course_deg": _round(self.course_deg, 1),
            "bearing_deg": _round(self.bearing_deg, 1),
            "rel_bearing_deg": _round(self.rel_bearing_deg, 1),
            "range_m": _round(self.range_m, 1),
            "box": list(self.box),
            "score": round(self.score, 3),
            "width_m": _round(self.width_m, 1),
        }


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


@dataclass(frozen=True)
class WarningLog:
    """A warning given: when, which step (0 = first), what was shown and said, how loud."""

    t_s: float
    step: int
    screen_text: str | None
    voice_texts: tuple[str, ...]
    volume: float | None

    def to_json(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"t_s": round(self.t_s, 3), "step": self.step, "screen": self.screen_text,
                "voice": list(self.voice_texts), "volume": self.volume}


@dataclass(frozen=True)
class Incident:
    """One target offending against one rule, as known at `t_s` (a snapshot).

    `t_start_s`: first observation of the offence; `t_warned_s`: first warning (None while
    it is being confirmed). `track` holds the target's recent observations, oldest first;
    `own` the patrol boat at the last observation.
    """

    incident_id: str
    rule: str
    rule_type: str
    record_type: str
    zone: str | None
    zone_polygon: tuple[tuple[float, float], ...]
    speed_limit_mps: float | None
    track_id: int
    kind: TargetKind
    t_start_s: float
    t_warned_s: float | None
    t_s: float
    last: TargetObservation
    own: OwnState | None
    values: dict[str, Any]  # the template values at `t_s`
    warnings: tuple[WarningLog, ...]
    track: tuple[TargetObservation, ...]
    cpa_m: float | None = None
    tcpa_s: float | None = None

    @property
    def first_warning_observation(self) -> TargetObservation | None:
        """The observation the first warning was given on."""
        if self.t_warned_s is None:
            return None
        for obs in self.track:
            if obs.t_s == self.t_warned_s:
                return obs
        return None


@dataclass(frozen=True)
class WarningIssued:
    """Show and say this now."""

    incident: Incident
    step: int
    screen: DisplayMessage | None
    voices: tuple[VoiceMessage, ...]


@dataclass(frozen=True)
class ViolationDue:
    """The offence went on through the escalation: publish a violation with evidence."""

    incident: Incident
    step: int


@dataclass(frozen=True)
class IncidentClosed:
    """The target complied (`cleared`) or was lost from sight (`lost`)."""

    incident: Incident
    reason: str


WarningAction = WarningIssued | ViolationDue | IncidentClosed
