"""YAML to plain Python values, keeping where every value came from (line and column).

PyYAML's safe loader is close to what a field technician expects, with three exceptions
fixed here: YAML 1.1 turns `yes`, `no`, `on`, `off` into booleans (a lane direction `no`
silently becomes False), duplicate keys silently keep the last value, and its errors are
multi-line. The document is composed into nodes first so that each value's position is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from edge.errors import ConfigError

Loc = tuple[str | int, ...]


class _Yaml12Loader(yaml.SafeLoader):
    """Safe loader whose booleans are only true/false, as in YAML 1.2."""


_Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


@dataclass(frozen=True)
class Position:
    """1-based line and column of a value in its file."""

    line: int
    column: int


@dataclass(frozen=True)
class YamlDocument:
    """A parsed YAML file: its data and the position of every mapping key and value."""

    path: str
    data: Any
    value_positions: dict[Loc, Position]
    key_positions: dict[Loc, Position]

    def position_of(self, loc: Loc, *, key: bool = False) -> Position:
        """The position of the value (or key) at loc, or of its nearest ancestor."""
        table = self.key_positions if key else self.value_positions
        for end in range(len(loc), -1, -1):
            found = table.get(loc[:end]) or self.value_positions.get(loc[:end])
            if found is not None:
                return found
        return Position(1, 1)


def _pos(mark: yaml.Mark | None) -> Position:
    return Position(mark.line + 1, mark.column + 1) if mark is not None else Position(1, 1)


def _fail(path: str, position: Position, message: str) -> ConfigError:
    return ConfigError([f"{path}:{position.line}:{position.column}: {message}"])


def parse_yaml(text: str, path: str) -> YamlDocument:
    """Parse one YAML document, rejecting duplicate keys, with positions kept."""
    loader = _Yaml12Loader(text)
    values: dict[Loc, Position] = {}
    keys: dict[Loc, Position] = {}
    try:
        node = loader.get_single_node()
        if node is None:
            raise _fail(path, Position(1, 1), "the file is empty (expected a mapping of settings)")

        def build(n: yaml.Node, loc: Loc) -> Any:
            values[loc] = _pos(n.start_mark)
            if isinstance(n, yaml.MappingNode):
                loader.flatten_mapping(n)
                out: dict[Any, Any] = {}
                for key_node, value_node in n.value:
                    key = loader.construct_object(key_node, deep=True)
                    if not isinstance(key, str | int):
                        raise _fail(path, _pos(key_node.start_mark),
                                    "a key must be a word or a whole number")
                    if key in out:
                        first = keys[(*loc, key)]
                        raise _fail(
                            path,
                            _pos(key_node.start_mark),
                            f"duplicate key '{key}' (first defined at line {first.line})",
                        )
                    keys[(*loc, key)] = _pos(key_node.start_mark)
                    out[key] = build(value_node, (*loc, key))
                return out
            if isinstance(n, yaml.SequenceNode):
                return [build(item, (*loc, i)) for i, item in enumerate(n.value)]
            return loader.construct_object(n, deep=True)

        data = build(node, ())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        if "\t" in problem or "'\\t'" in problem:
            problem = "a tab character; indent with spaces"
        raise _fail(path, _pos(mark), f"YAML syntax error: {problem}") from exc
    except yaml.YAMLError as exc:
        raise _fail(path, Position(1, 1), f"YAML error: {exc}".splitlines()[0]) from exc
    except RecursionError as exc:
        raise _fail(path, Position(1, 1), "YAML nested too deeply") from exc
    finally:
        loader.dispose()
    return YamlDocument(path, data, values, keys)


def read_yaml_file(path: str | Path) -> YamlDocument:
    """Read and parse a config file; every failure is a one-line ConfigError."""
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError([f"{name}:1:1: cannot read the file ({exc.strerror or exc})"]) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ConfigError(
            [f"{name}:{line}:{column}: not UTF-8 text (byte 0x{raw[exc.start]:02x}); "
             "a config file must be UTF-8 YAML"]
        ) from exc
    bad = re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        column = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
        raise ConfigError(
            [f"{name}:{line}:{column}: control character 0x{ord(bad.group()):02x} "
             "is not allowed in a config file"]
        )
    return parse_yaml(text, name)
