"""Config sections for the loudspeaker, for agents to embed in their schemas."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated

from pydantic import Field, model_validator

from edge.config.base import StrictModel
from edge.display.template import render_template, template_names, validate_template
from edge.speaker.message import VoiceMessage


class SpeakerConfig(StrictModel):
    """Which audio output, which voice, and the cool-down for repeats."""

    url: str = Field(
        default="alsa://default", description="alsa://DEVICE (aplay -D) or wav:///dir (WAV sink)"
    )
    voice: str = Field(default="cmn", description="espeak-ng voice (cmn = Mandarin)")
    speed_wpm: Annotated[int, Field(ge=80, le=450)] = 150
    cooldown_s: Annotated[float, Field(ge=0)] = Field(
        default=10.0, description="the same message again within this time is not repeated"
    )
    max_queue: Annotated[int, Field(ge=1, le=1000)] = 16


class VoiceMessageConfig(StrictModel):
    """A voice message in YAML: `text` (may hold `{name}` placeholders) or a WAV `clip`."""

    text: str | None = None
    clip: Path | None = None
    priority: int = 10
    volume: Annotated[float, Field(gt=0, le=4)] = 1.0

    @model_validator(mode="after")
    def _one_source(self) -> VoiceMessageConfig:
        if (self.text is None) == (self.clip is None):
            raise ValueError("give exactly one of text or clip")
        if self.text is not None:
            template_names(self.text)
        elif self.clip is not None and not self.clip.is_file():
            raise ValueError(f"clip {self.clip} does not exist")
        return self

    def check_names(self, allowed_names: Iterable[str]) -> VoiceMessageConfig:
        """Raise TemplateError unless every placeholder is allowed; call from a validator."""
        if self.text is not None:
            validate_template(self.text, allowed_names)
        return self

    def render(
        self, values: Mapping[str, object], *, volume: float | None = None, key: str | None = None
    ) -> VoiceMessage:
        """The message to say, placeholders filled; `volume` overrides (escalation)."""
        text = render_template(self.text, values) if self.text is not None else None
        return VoiceMessage(text, self.clip, self.priority, volume or self.volume, key)
