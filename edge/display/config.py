"""Config sections for a text display, for agents to embed in their schemas."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Annotated

from pydantic import Field, field_validator

from edge.config.base import StrictModel
from edge.display.message import Colour, DisplayMessage, Effect
from edge.display.template import render_template, template_names, validate_template


class MessageTemplateConfig(StrictModel):
    """A message as written in a site/vessel YAML; `template` may hold `{name}` placeholders."""

    template: str = Field(min_length=1)
    colour: Colour = "amber"
    effect: Effect = "static"
    priority: int = 10
    hold_s: Annotated[float, Field(ge=0, le=6553.5)] = 10.0
    speed: Annotated[int, Field(ge=1, le=9)] = 5

    @field_validator("template")
    @classmethod
    def _well_formed(cls, value: str) -> str:
        template_names(value)
        return value

    def check_names(self, allowed_names: Iterable[str]) -> MessageTemplateConfig:
        """Raise TemplateError unless every placeholder is allowed; call from a validator."""
        validate_template(self.template, allowed_names)
        return self

    def render(self, values: Mapping[str, object]) -> DisplayMessage:
        """The message to show, placeholders filled from `values`."""
        text = render_template(self.template, values)
        return DisplayMessage(
            text, self.colour, self.effect, self.priority, self.hold_s, self.speed
        )


class TextDisplayConfig(StrictModel):
    """Where the sign/screen controller is and how to talk to it."""

    url: str = Field(
        default="socket://127.0.0.1:7010",
        description="/dev/ttyS0, socket://host:port, rfc2217://host:port, or memory://",
    )
    address: Annotated[int, Field(ge=0, le=255)] = 1
    baudrate: int = 9600
    reply_timeout_s: Annotated[float, Field(gt=0, le=10)] = 0.5
    retries: Annotated[int, Field(ge=0, le=10)] = 2
    retry_s: Annotated[float, Field(gt=0, le=600)] = Field(
        default=5.0, description="how often a failed update is tried again"
    )
    max_wait_s: Annotated[float, Field(gt=0)] = Field(
        default=60.0, description="a lower-priority message waiting longer is dropped"
    )
    default: MessageTemplateConfig | None = Field(
        default=None, description="shown when idle (no placeholders); none blanks the sign"
    )

    @field_validator("default")
    @classmethod
    def _default_is_literal(
        cls, value: MessageTemplateConfig | None
    ) -> MessageTemplateConfig | None:
        if value is not None:
            value.check_names(())
        return value
