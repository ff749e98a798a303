"""The `.wimrec` header and DAQ channel table (`wim-daq.md` §3)."""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from wim_station.errors import FrameError


class HeaderError(FrameError):
    """A recording header or channel table is missing, malformed or inconsistent."""


class _HeaderPart(BaseModel):
    # Unknown keys are ignored (a DAQ may add its own, §3); known ones are validated.
    model_config = ConfigDict(extra="ignore", frozen=True)


class LaneInfo(_HeaderPart):
    lane: int = Field(ge=1)
    direction: str | None = None


class ChannelInfo(_HeaderPart):
    """One sensor channel: where it sits and how its counts become newtons."""

    index: int = Field(ge=0, le=63)
    lane: int = Field(ge=1)
    row: int = Field(ge=0)
    position_m: float = Field(ge=0.0)
    side: Literal["left", "right", "full"]
    type: Literal["strip", "plate"]
    length_m: float = Field(gt=0.0)
    zero_counts: float
    gain_n_per_count: float

    def force_n(self, counts: Any) -> Any:
        """Counts (scalar or array) to newtons, per §1."""
        return (counts - self.zero_counts) * self.gain_n_per_count


class RecordingHeader(_HeaderPart):
    """Everything needed to interpret a recording without the site's configuration."""

    site_id: str
    recorded_at: str
    sample_rate_hz: int = Field(gt=0)
    lanes: list[LaneInfo] = Field(min_length=1)
    channels: list[ChannelInfo] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> RecordingHeader:
        indexes = sorted(c.index for c in self.channels)
        if indexes != list(range(len(indexes))):
            raise ValueError(f"channel indexes must be 0..{len(indexes) - 1}, got {indexes}")
        lanes = {lane.lane for lane in self.lanes}
        unknown = sorted({c.lane for c in self.channels} - lanes)
        if unknown:
            raise ValueError(f"channels refer to lanes {unknown} not in 'lanes'")
        return self

    @property
    def n_channels(self) -> int:
        return len(self.channels)

    def channel(self, index: int) -> ChannelInfo:
        """The channel at sample-block position `index`."""
        return next(c for c in self.channels if c.index == index)

    def to_json(self) -> str:
        """The header as one JSON line (no newline)."""
        return json.dumps(self.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_mapping(cls, data: object, source: str = "header") -> RecordingHeader:
        """Validate a decoded JSON object; raise `HeaderError` with one line per problem."""
        if not isinstance(data, dict):
            raise HeaderError(f"{source}: header must be a JSON object, got {type(data).__name__}")
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise HeaderError(f"{source}: {_one_line(exc)}") from exc


def _one_line(exc: ValidationError) -> str:
    problems = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "header"
        if err["type"] == "missing":
            problems.append(f"{where}: missing")
        else:
            problems.append(f"{where}: {err['msg']}")
    more = f" (+{len(problems) - 3} more)" if len(problems) > 3 else ""
    return "; ".join(problems[:3]) + more
