"""Config files: every example validates; every broken one gives one clear line per problem."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from edge.config.loader import load_config
from edge.errors import ConfigError
from tests.conftest import REPO

EXAMPLES = sorted((REPO / "config").glob("*.yaml"))
WIM_OK = (REPO / "config" / "wim_site.yaml").read_text(encoding="utf-8")
VESSEL_OK = (REPO / "config" / "vessel.yaml").read_text(encoding="utf-8")
LINE = re.compile(r"^(?P<file>[^:]+\.yaml):(?P<line>\d+):(?P<col>\d+): (?P<msg>.+)$")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_config_is_valid(path: Path) -> None:
    cfg = load_config(path)
    assert cfg.kind in ("wim", "vessel")
    assert cfg.device.id


def _errors(tmp_path: Path, content: str | bytes) -> list[str]:
    path = tmp_path / "site.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    for line in info.value.lines:
        assert LINE.match(line), f"not a file:line:col line: {line!r}"
        assert "Traceback" not in line and "\n" not in line
    return info.value.lines


BROKEN: dict[str, tuple[str | bytes, int, str]] = {
    # name: (content, expected line, expected text in the message)
    "unknown key with suggestion": ("kind: vessel\nbrokr: {}\n", 2, "unknown key 'brokr' (did you mean 'broker'?)"),
    "negative position": (WIM_OK.replace("row: 1, position_m: 3.0", "row: 1, position_m: -3.0", 1), 33, "channels[2].position_m: -3.0 is not allowed (must be >= 0"),
    "tab indentation": ("kind: vessel\n\tdevice: 1\n", 2, "tab"),
    "duplicate key": ("kind: wim\nkind: vessel\n", 2, "duplicate key 'kind' (first defined at line 1)"),
    "empty file": ("", 1, "empty"),
    "only a comment": ("# nothing here\n", 1, "empty"),
    "binary garbage": (bytes(range(128, 256)) * 3, 1, "not UTF-8"),
    "NUL byte": ("kind: wim\x00\n", 1, "control character 0x00"),
    "unclosed flow mapping": ("kind: wim\ndevice: {id: x\n", 3, "YAML syntax error"),
    "top level is a list": ("- a\n- b\n", 1, "top level must be a mapping"),
    "top level is a scalar": ("hello\n", 1, "top level must be a mapping"),
    "missing kind": ("device: {id: a}\n", 1, "missing key 'kind'"),
    "unknown kind": ("kind: wimm\n", 1, "did you mean 'wim'"),
    "missing required section": (VESSEL_OK.replace("helm:\n  url: socket://127.0.0.1:7102\n  steering: rudder\n", ""), 3, "missing required key 'helm'"),
    "wrong type int": (WIM_OK.replace("sample_rate_hz: 4000", "sample_rate_hz: fast"), 25, "daq.sample_rate_hz: 'fast' is not allowed"),
    "bad enum": (WIM_OK.replace("side: left, ", "side: middle,", 1), 31, "must be one of: 'left', 'right' or 'full'"),
    "bad device id": (VESSEL_OK.replace("id: nanhu-patrol-1", "id: Nanhu Patrol"), 6, "device.id: 'Nanhu Patrol' is not allowed"),
    "bad broker url": (VESSEL_OK.replace("url: mqtt://127.0.0.1:1883", "url: http://x"), 9, "broker.url"),
    "latitude out of range": (VESSEL_OK.replace("home: {lat: 30.75190", "home: {lat: 130.75190"), 16, "home.lat: 130.7519 is not allowed (must be <= 90"),
    "polygon too short": (VESSEL_OK.replace("    - [30.74980, 120.75800]\n    - [30.74980, 120.76700]\n", "", 1), 42, "geofence.operating_area"),
    "not a boolean": (VESSEL_OK.replace("require_checksum: true", "require_checksum: maybe"), 19, "gnss.require_checksum: 'maybe' is not allowed"),
    "unknown nested key": (VESSEL_OK.replace("steering: rudder", "steerin: rudder"), 23, "helm: unknown key 'steerin' (did you mean 'steering'?)"),
    "channel on unknown lane": (WIM_OK.replace("{index: 7, lane: 2,", "{index: 7, lane: 9,"), 38, "channels[7].lane 9 is not one of the lanes"),
    "duplicate channel index": (WIM_OK.replace("{index: 7,", "{index: 6,"), 38, "index 6 is used twice"),
    "list where mapping expected": (VESSEL_OK.replace("home: {lat: 30.75190, lon: 120.76020}", "home: [1, 2]"), 16, "home: a list is not allowed"),
    "bad protocol": (VESSEL_OK.replace("protocol: 5", "protocol: 4"), 10, "broker.protocol: '4' is not allowed (must be one of: '5' or '3.1.1')"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_config_gives_one_clear_line(tmp_path: Path, name: str) -> None:
    content, line, text = BROKEN[name]
    lines = _errors(tmp_path, content)
    match = next((m for m in map(LINE.match, lines) if m and text in m["msg"]), None)
    assert match is not None, f"{text!r} not in {lines}"
    assert int(match["line"]) == line, lines


def test_no_is_kept_as_a_string(tmp_path: Path) -> None:
    path = tmp_path / "wim.yaml"
    path.write_text(WIM_OK.replace("direction: eastbound", "direction: no"), encoding="utf-8")
    cfg = load_config(path)
    assert cfg.lanes[0].direction == "no"  # type: ignore[attr-defined]


def test_relative_paths_are_taken_from_the_config_folder(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "vessel.yaml"
    path.parent.mkdir()
    path.write_text(VESSEL_OK, encoding="utf-8")
    cfg = load_config(path)
    assert cfg.outbox.path == (tmp_path / "sub" / "../var/vessel/outbox.sqlite")


def test_config_check_command(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: vessel\nbrokr: {}\n", encoding="utf-8")
    ok = subprocess.run([sys.executable, "-m", "edge.cli", "config", "check", *map(str, EXAMPLES)],
                        capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.count(": ok") == len(EXAMPLES)
    failed = subprocess.run([sys.executable, "-m", "edge.cli", "config", "check", str(bad)],
                            capture_output=True, text=True, timeout=60)
    assert failed.returncode == 2
    assert "Traceback" not in failed.stderr
    assert f"{bad}:2:1: unknown key 'brokr'" in failed.stderr
    missing = subprocess.run([sys.executable, "-m", "edge.cli", "config", "check",
                              str(tmp_path / "nope.yaml")], capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2 and "cannot read the file" in missing.stderr
