"""The `warnings` section of the vessel config: which rule applies where and when, and what to do.

A rule watches one kind of offence (`type`) in the zones whose `rule` matches (all of them, or
the ones named), for the target kinds listed, within daily time windows. When the offence has
lasted `confirm_s` the target is warned (screen text, voice); the escalation steps follow, each
`after_s` after the first warning while the offence goes on (repeat, louder, publish a
violation with evidence). Once it ends (`clear_s` of compliance, or the track is lost), the
same target is left alone by this rule for `cooldown_s`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from edge.config.base import StrictModel
from edge.display.config import MessageTemplateConfig
from edge.speaker.config import VoiceMessageConfig

RuleType = Literal["restricted", "speed_limit", "no_stopping", "no_swimming", "approach"]
TargetKind = Literal["boat", "person", "unknown"]

TEMPLATE_VALUES = (
    "zone", "rule", "kind", "kind_zh", "track_id", "speed_mps", "speed_kmh", "limit_mps",
    "limit_kmh", "range_m", "bearing_deg", "cpa_m", "tcpa_s", "dwell_s", "step",
)  # fmt: skip
"""Placeholders a screen or voice template may use (values: `vessel.warnings.engine`)."""

VIOLATION_TYPES: dict[str, str] = {
    "restricted": "restricted_area",
    "speed_limit": "speeding",
    "no_stopping": "no_stopping",
    "no_swimming": "no_swimming",
    "approach": "collision_risk",
}
"""The `type` of the violation record each rule publishes (specs/mqtt.md) unless overridden."""

DEFAULT_KINDS: dict[str, tuple[TargetKind, ...]] = {
    # "unknown" is a target too far or too oddly shaped to classify: treat it as a boat
    # where a boat is the offender, never as a swimmer.
    "restricted": ("boat", "unknown"),
    "speed_limit": ("boat", "unknown"),
    "no_stopping": ("boat", "unknown"),
    "no_swimming": ("person",),
    "approach": ("boat", "unknown"),
}

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


class TimeWindow(StrictModel):
    """A daily window in local time, `start` inclusive to `end` exclusive (may cross midnight)."""

    start: str = "00:00"
    end: str = "24:00"

    @field_validator("start", "end")
    @classmethod
    def _is_hhmm(cls, value: str) -> str:
        if not _HHMM.match(value):
            raise ValueError(f"{value!r} is not a time of day HH:MM (00:00..24:00)")
        return value

    def contains(self, minute_of_day: float) -> bool:
        """Whether a local minute of the day (0..1440) falls in the window."""
        start, end = _minutes(self.start), _minutes(self.end)
        if start <= end:
            return start <= minute_of_day < end
        return minute_of_day >= start or minute_of_day < end


class EscalationStep(StrictModel):
    """What to do `after_s` after the first warning if the offence still goes on."""

    after_s: Annotated[float, Field(gt=0, le=3600)]
    repeat: bool = True  # show and say the warning again
    volume: Annotated[float, Field(gt=0, le=4)] | None = None  # louder (gain; None: as configured)
    violation: bool = False  # publish a violation record with evidence (once per incident)


class WarningRule(StrictModel):
    """One rule: what offence, where, for whom, when, and the actions."""

    name: str = Field(min_length=1, max_length=64)
    type: RuleType
    zones: tuple[str, ...] = ()  # zone names; empty: every zone whose rule is `type`
    kinds: tuple[TargetKind, ...] | None = None  # None: DEFAULT_KINDS[type]
    active: tuple[TimeWindow, ...] = ()  # empty: always
    # The offence must last this long before the first warning: one mis-placed frame at a
    # polygon edge must not warn anyone, so anything > 0 takes two frames in a row at least
    # (glint and waves are already filtered by the vision's persistence: 3 hits in 5
    # frames). The brief asks for screen and voice within 2 s of entry; at the 4-5 frames/s
    # of a 720p camera on this CPU, 0.2 s is the second frame.
    confirm_s: Annotated[float, Field(ge=0, le=3600)] = 0.2
    clear_s: Annotated[float, Field(ge=0, le=600)] = 3.0  # compliance this long ends it
    cooldown_s: Annotated[float, Field(ge=0, le=86400)] = 120.0
    # speed_limit: vision speed from a Kalman track is good to ~0.3 m/s at 100 m
    # (benchmarks/vision.py); the margin keeps measurement error from making offenders.
    speed_margin_mps: Annotated[float, Field(ge=0, le=10)] = 0.5
    # no_stopping: slower than this is "stopped" (a drifting boat moves with the current).
    stop_speed_mps: Annotated[float, Field(ge=0, le=5)] = 0.3
    # speed_limit / no_stopping: the speed judged is the median of the track's speeds over
    # this window, and a track younger than it is not judged: a new Kalman track's velocity
    # has not converged (it starts at 0 and overshoots while the filter settles).
    speed_window_s: Annotated[float, Field(ge=0, le=120)] = 3.0
    # approach: closest point of approach closer than cpa_m within tcpa_s, or nearer than
    # min_range_m now (COLREG Rule 7 risk of collision; numbers for a 2–5 m patrol boat).
    cpa_m: Annotated[float, Field(gt=0, le=1000)] = 15.0
    tcpa_s: Annotated[float, Field(gt=0, le=600)] = 60.0
    min_range_m: Annotated[float, Field(ge=0, le=500)] = 10.0
    screen: MessageTemplateConfig | None = None
    voice: tuple[VoiceMessageConfig, ...] = ()  # said in order (e.g. Chinese, then English)
    escalation: tuple[EscalationStep, ...] = ()
    violation_type: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]{0,63}$")

    @model_validator(mode="after")
    def _consistent(self) -> WarningRule:
        if self.screen is not None:
            self.screen.check_names(TEMPLATE_VALUES)
        for voice in self.voice:
            voice.check_names(TEMPLATE_VALUES)
        steps = [s.after_s for s in self.escalation]
        if steps != sorted(set(steps)):
            raise ValueError("escalation steps must have increasing after_s")
        if self.type == "approach" and self.zones:
            raise ValueError("an approach rule applies around the patrol boat, not in zones")
        return self

    @property
    def target_kinds(self) -> tuple[TargetKind, ...]:
        """The kinds of target this rule applies to."""
        return self.kinds if self.kinds is not None else DEFAULT_KINDS[self.type]

    @property
    def record_type(self) -> str:
        """The violation record `type`."""
        return self.violation_type or VIOLATION_TYPES[self.type]


class WarningsSection(StrictModel):
    """Warning rules for other users of the water."""

    # Local time for the rules' windows. China keeps UTC+8 all year (no DST).
    utc_offset_h: Annotated[float, Field(ge=-12, le=14)] = 8.0
    # A track not seen for this long is gone: its incident ends (vision coasts 2.5 s).
    target_lost_s: Annotated[float, Field(gt=0, le=600)] = 5.0
    # A moving target is placed by its hull along its course (a boat is in a zone bow
    # first); a detection wider than this is not one hull (two merged, a piece of shore) and
    # is placed by its centre alone. Inland lake craft are under ~20 m (tour boats).
    max_target_width_m: Annotated[float, Field(gt=0, le=500)] = 25.0
    # A track slower than this has no course worth orienting a hull by (the vision's track
    # speed is good to ~0.3 m/s at 100 m, benchmarks/vision.py): placed by its centre.
    course_min_speed_mps: Annotated[float, Field(ge=0, le=20)] = 0.8
    # Track points kept per target for evidence.
    track_history_s: Annotated[float, Field(gt=0, le=3600)] = 300.0
    rules: tuple[WarningRule, ...] = ()

    @model_validator(mode="after")
    def _unique_names(self) -> WarningsSection:
        names = [r.name for r in self.rules]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"rule names must be unique: {', '.join(duplicates)}")
        return self


def check_rule_zones(section: WarningsSection, zones: Iterable[tuple[str, str]]) -> None:
    """Raise ValueError unless every zone a rule names exists and has that rule's type.

    `zones` are (name, rule) pairs from the vessel's `zones` section.
    """
    known = dict(zones)
    for rule in section.rules:
        for zone in rule.zones:
            if zone not in known:
                raise ValueError(f"warnings rule {rule.name!r}: no zone named {zone!r} "
                                 f"(zones: {', '.join(sorted(known)) or 'none'})")
            if known[zone] != rule.type:
                raise ValueError(f"warnings rule {rule.name!r} ({rule.type}) names zone "
                                 f"{zone!r}, whose rule is {known[zone]}")
