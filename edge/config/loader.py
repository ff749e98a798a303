"""Load an agent config: YAML -> the schema its `kind:` names -> a frozen, validated model.

Every problem becomes one line a field technician can act on:
`config/wim_site.yaml:14:7: lanes[0].rows[1].position_m: -3.0 is not allowed (must be >= 0)`.
"""

from __future__ import annotations

import difflib
import importlib
import re
import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from edge.config.common import AgentConfig
from edge.config.yaml_source import Loc, YamlDocument, read_yaml_file
from edge.errors import ConfigError

# kind -> "module:Class"; imported lazily so that `edge` never depends on an agent package
# that is not being used.
SCHEMAS: dict[str, str] = {
    "wim": "wim_station.config:WimSiteConfig",
    "vessel": "vessel.config:VesselConfig",
}


def schema_for(kind: str) -> type[AgentConfig]:
    """The config model class registered for an agent kind."""
    module_name, _, class_name = SCHEMAS[kind].partition(":")
    model: type[AgentConfig] = getattr(importlib.import_module(module_name), class_name)
    return model


def load_config(path: str | Path) -> AgentConfig:
    """Read, validate and freeze one agent config file; raises ConfigError with every problem."""
    doc = read_yaml_file(path)
    data = doc.data
    if not isinstance(data, dict):
        raise ConfigError([_line(doc, (), "the top level must be a mapping of settings "
                                 f"(found {_describe(data)})")])
    kind = data.get("kind")
    if kind is None:
        raise ConfigError([_line(doc, (), "missing key 'kind' (allowed: "
                                 + ", ".join(sorted(SCHEMAS)) + ")")])
    if kind not in SCHEMAS:
        hint = _did_you_mean(str(kind), SCHEMAS)
        raise ConfigError([_line(doc, ("kind",), f"kind: {kind!r} is not allowed "
                                 f"(must be one of: {', '.join(sorted(SCHEMAS))}){hint}")])
    model = schema_for(kind)
    base_dir = Path(doc.path).resolve().parent
    try:
        return model.model_validate(data, context={"base_dir": base_dir})
    except ValidationError as exc:
        raise ConfigError(_report(doc, model, exc)) from exc


def _report(doc: YamlDocument, model: type[BaseModel], exc: ValidationError) -> list[str]:
    lines: list[str] = []
    errors = [(_data_loc(doc.data, tuple(e["loc"])), e) for e in exc.errors(include_url=False)]
    for loc, err in errors:
        kind = err["type"]
        if any(len(other) > len(loc) and other[: len(loc)] == loc for other, _ in errors):
            continue  # a container's complaint that only echoes a problem inside it
        if kind == "extra_forbidden":
            parent, key = loc[:-1], loc[-1]
            hint = _did_you_mean(str(key), _field_names(model, parent))
            where = f"{_dotted(parent)}: " if parent else ""
            lines.append(_line(doc, loc, f"{where}unknown key '{key}'{hint}", key=True))
        elif kind == "missing":
            parent, key = loc[:-1], loc[-1]
            where = f"{_dotted(parent)}: " if parent else ""
            lines.append(_line(doc, parent, f"{where}missing required key '{key}'"))
        elif kind == "value_error" and isinstance(err.get("input"), dict):
            # A model validator names the offending field at the start of its message.
            message = _allowed(err)
            named = _leading_loc(message)
            where = f"{_dotted(loc)}: " if loc and not named else ""
            lines.append(_line(doc, (*loc, *named), f"{where}{message}"))
        else:
            value = err.get("input")
            lines.append(_line(doc, loc, f"{_dotted(loc)}: {_show(value)} is not allowed "
                               f"({_allowed(err)})"))
    return lines or [_line(doc, (), str(exc).splitlines()[0])]


def _line(doc: YamlDocument, loc: Loc, message: str, *, key: bool = False) -> str:
    pos = doc.position_of(loc, key=key)
    return f"{doc.path}:{pos.line}:{pos.column}: {message}"


def _data_loc(data: Any, loc: Loc) -> Loc:
    """Drop the parts of a pydantic error location that are not keys of the data (union tags)."""
    out: list[str | int] = []
    node = data
    for i, part in enumerate(loc):
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_dict or in_list:
            node = node[part]
            out.append(part)
        elif i == len(loc) - 1 and isinstance(part, str | int) and isinstance(node, dict):
            out.append(part)  # a missing or unknown key names something not (yet) in the data
        elif isinstance(part, str) and not isinstance(node, dict | list):
            break
    return tuple(out)


_PATH = re.compile(r"^[A-Za-z_]\w*(?:\[\d+\]|\.[A-Za-z_]\w*)*")


def _leading_loc(message: str) -> Loc:
    """The location a message starts with, e.g. `channels[7].lane` -> ('channels', 7, 'lane')."""
    match = _PATH.match(message)
    if match is None or ("[" not in match.group() and "." not in match.group()):
        return ()
    return tuple(int(p) if p.isdigit() else p for p in re.findall(r"\w+", match.group()))


def _dotted(loc: Loc) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _show(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else _describe_value(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _describe_value(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "an empty value"
    return str(value)


def _describe(value: Any) -> str:
    return _describe_value(value) if isinstance(value, dict | list) or value is None else (
        f"{type(value).__name__} {value!r}")


def _allowed(err: Any) -> str:
    ctx = err.get("ctx") or {}
    kind = err["type"]
    bounds = {"greater_than_equal": ">= {ge}", "greater_than": "> {gt}",
              "less_than_equal": "<= {le}", "less_than": "< {lt}"}
    if kind in bounds:
        return "must be " + bounds[kind].format(**ctx)
    if kind == "literal_error":
        return f"must be one of: {ctx.get('expected', '')}"
    if kind == "string_pattern_mismatch":
        return f"must match {ctx.get('pattern', '')}"
    if kind == "enum":
        return f"must be one of: {ctx.get('expected', '')}"
    msg: str = err.get("msg", "invalid")
    msg = msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return msg[:1].lower() + msg[1:]


def _did_you_mean(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(word, [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else (
        f" (allowed: {', '.join(sorted(str(c) for c in choices))})" if choices else "")


def _field_names(model: type[BaseModel], loc: Loc) -> list[str]:
    """The keys the schema allows at a location, for 'did you mean' hints."""
    annotation: Any = model
    for part in loc:
        annotation = _step(annotation, part)
        if annotation is None:
            return []
    found = model_in(annotation)
    return list(found.model_fields) if found is not None else []


def _step(annotation: Any, part: str | int) -> Any:
    if isinstance(part, int):
        for arg in typing.get_args(_unwrap(annotation)):
            return arg
        return None
    found = model_in(annotation)
    if found is None:
        args = typing.get_args(_unwrap(annotation))
        return args[1] if len(args) == 2 else None  # dict[str, X]
    field = found.model_fields.get(part)
    return field.annotation if field is not None else None


def _unwrap(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _unwrap(args[0]) if len(args) == 1 else annotation
    return annotation


def model_in(annotation: Any) -> type[BaseModel] | None:
    """The config model inside a field's type (through Optional, Annotated, tuples), if any."""
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = model_in(arg)
        if found is not None:
            return found
    return None
