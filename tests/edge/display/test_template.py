"""Templates are checked at config load and rendered at run time."""

from __future__ import annotations

import pytest
from pydantic import ValidationError, field_validator

from edge.config.base import StrictModel
from edge.display import MessageTemplateConfig, TemplateError, render_template, validate_template

ALLOWED = ("plate", "excess_pct", "lane")


def test_valid_template_passes_and_renders() -> None:
    template = "{plate} 超限{excess_pct:.0f}% 请驶入检测站"
    assert validate_template(template, ALLOWED) == template
    assert render_template(template, {"plate": "浙F12345", "excess_pct": 12.4}) == (
        "浙F12345 超限12% 请驶入检测站"
    )


@pytest.mark.parametrize(
    ("template", "fragment"),
    [
        ("{plat} 超限", "{plat}"),
        ("{} 超限", "plain name"),
        ("{plate.__class__}", "plain name"),
        ("{plate[0]}", "plain name"),
        ("{plate", "malformed"),
        ("{excess_pct:{lane}}", "nested"),
    ],
)
def test_bad_templates_are_refused_with_the_reason(template: str, fragment: str) -> None:
    with pytest.raises(TemplateError, match=fragment.replace("{", r"\{").replace("}", r"\}")):
        validate_template(template, ALLOWED)


def test_missing_value_at_render_is_a_template_error() -> None:
    with pytest.raises(TemplateError):
        render_template("{plate}", {})


class _Site(StrictModel):
    overload: MessageTemplateConfig

    @field_validator("overload")
    @classmethod
    def _names(cls, value: MessageTemplateConfig) -> MessageTemplateConfig:
        return value.check_names(ALLOWED)


def test_unknown_placeholder_fails_config_validation() -> None:
    with pytest.raises(ValidationError, match="unknown placeholder"):
        _Site.model_validate({"overload": {"template": "{plat} 超限"}})
    site = _Site.model_validate({"overload": {"template": "{plate}", "colour": "red", "hold_s": 8}})
    message = site.overload.render({"plate": "苏E00001"})
    assert (message.text, message.colour, message.hold_s) == ("苏E00001", "red", 8.0)
