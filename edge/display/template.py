"""Message templates from config: `{plate} 超限{excess_pct:.0f}% 请驶入检测站`.

Placeholders are checked once, at config load (`validate_template`), so a typo in a site
YAML fails the start-up with a clear message instead of blanking the sign at the first
offender.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping

from edge.display.errors import TemplateError

_FORMATTER = string.Formatter()


def template_names(template: str) -> tuple[str, ...]:
    """The placeholder names used by `template`, in order of first use."""
    names: list[str] = []
    try:
        parsed = list(_FORMATTER.parse(template))
    except ValueError as exc:
        raise TemplateError(f"template {template!r} is malformed: {exc}") from exc
    for _, field, spec, _ in parsed:
        if field is None:
            continue
        if not field.isidentifier():
            # No positional `{}`, attribute or index access: config text must not reach objects.
            raise TemplateError(
                f"template {template!r}: placeholder {{{field}}} must be a plain name"
            )
        if spec and "{" in spec:
            raise TemplateError(f"template {template!r}: nested placeholders are not allowed")
        if field not in names:
            names.append(field)
    return tuple(names)


def validate_template(template: str, allowed_names: Iterable[str]) -> str:
    """Return `template` if every placeholder is in `allowed_names`, else raise TemplateError."""
    allowed = sorted(set(allowed_names))
    unknown = [name for name in template_names(template) if name not in allowed]
    if unknown:
        raise TemplateError(
            f"template {template!r} uses unknown placeholder(s) "
            f"{', '.join('{' + n + '}' for n in unknown)}; allowed: {', '.join(allowed)}"
        )
    return template


def render_template(template: str, values: Mapping[str, object]) -> str:
    """Fill a validated template; a missing value or a bad format spec raises TemplateError."""
    try:
        return template.format_map(dict(values))
    except (KeyError, ValueError, TypeError) as exc:
        raise TemplateError(f"cannot render {template!r}: {exc!r}") from exc
