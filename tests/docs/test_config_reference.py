"""The committed configuration reference is the one the config models generate."""

from __future__ import annotations

from edge.config.reference import render_reference
from tests.conftest import REPO


def test_config_reference_is_up_to_date() -> None:
    committed = (REPO / "docs" / "config-reference.md").read_text(encoding="utf-8")
    assert committed == render_reference(), (
        "docs/config-reference.md is stale: run `edge config reference --out docs/config-reference.md`"
    )


def test_reference_names_every_section_of_both_kinds() -> None:
    text = render_reference()
    for heading in ("## `kind: wim`", "## `kind: vessel`", "### `channels`", "### `rules`",
                    "### `geofence`", "### `broker`", "### `outbox`"):
        assert heading in text
    assert "| `tolerance_pct` | float | `5.0` |" in text
