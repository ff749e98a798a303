"""The `warnings` section: templates, escalation order, zones named by rules, the example YAML."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from edge.config.loader import load_config
from edge.errors import ConfigError
from tests.vessel.warnings.scenes import rule
from vessel.config import VesselConfig
from vessel.warnings import WarningsSection

REPO = Path(__file__).resolve().parents[3]


def test_example_vessel_config_has_a_rule_of_every_type() -> None:
    cfg = load_config(REPO / "config" / "vessel.yaml")
    assert isinstance(cfg, VesselConfig)
    assert {r.type for r in cfg.warnings.rules} == {
        "restricted", "speed_limit", "no_stopping", "no_swimming", "approach"}
    assert cfg.screen is not None and cfg.speaker is not None
    restricted = next(r for r in cfg.warnings.rules if r.type == "restricted")
    assert any(s.violation for s in restricted.escalation)


@pytest.mark.parametrize(("override", "needle"), [
    ({"screen": {"template": "{plate} leave"}}, "unknown placeholder"),
    ({"voice": [{"text": "{zone.__class__}"}]}, "plain name"),
    ({"escalation": [{"after_s": 10}, {"after_s": 5}]}, "increasing"),
    ({"kinds": ["submarine"]}, "kinds"),
    ({"active": [{"start": "25:00"}]}, "HH:MM"),
])
def test_bad_rules_are_refused(override: dict, needle: str) -> None:
    with pytest.raises(ValidationError, match=needle):
        WarningsSection.model_validate({"rules": [rule("restricted", **override)]})


def test_approach_rules_take_no_zones_and_names_are_unique() -> None:
    with pytest.raises(ValidationError, match="not in zones"):
        WarningsSection.model_validate({"rules": [rule("approach", zones=["harbour"])]})
    with pytest.raises(ValidationError, match="unique"):
        WarningsSection.model_validate({"rules": [rule("restricted"), rule("restricted")]})


def _with_rules(tmp_path: Path, rules_yaml: str) -> Path:
    text = (REPO / "config" / "vessel.yaml").read_text(encoding="utf-8")
    head = text.split("\nwarnings:")[0]
    path = tmp_path / "vessel.yaml"
    path.write_text(head + "\nwarnings:\n  rules:\n" + rules_yaml, encoding="utf-8")
    return path


def test_a_rule_naming_a_missing_or_mismatched_zone_fails_the_load(tmp_path: Path) -> None:
    missing = _with_rules(tmp_path, "    - {name: r, type: restricted, zones: [Nowhere]}\n")
    with pytest.raises(ConfigError, match="no zone named 'Nowhere'"):
        load_config(missing)
    wrong = _with_rules(tmp_path, "    - {name: r, type: restricted, "
                                  "zones: [Lake centre speed limit]}\n")
    with pytest.raises(ConfigError, match="whose rule is speed_limit"):
        load_config(wrong)
