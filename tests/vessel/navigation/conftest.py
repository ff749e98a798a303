"""A vessel config for navigation tests: the reference South Lake config, loaded once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from edge.config.loader import load_config
from vessel.config import VesselConfig

REPO = Path(__file__).resolve().parents[3]


def south_lake() -> VesselConfig:
    """config/vessel.yaml as shipped."""
    cfg = load_config(REPO / "config" / "vessel.yaml")
    assert isinstance(cfg, VesselConfig)
    return cfg


def with_section(cfg: VesselConfig, section: str, **changes: Any) -> VesselConfig:
    """A copy of cfg with some fields of one section changed (validated again)."""
    data = cfg.model_dump()
    data[section] = {**data[section], **changes}
    return VesselConfig.model_validate(data)


@pytest.fixture(scope="session")
def cfg() -> VesselConfig:
    return south_lake()
