"""The GA 36 plate grammar: corrections by position, layouts by colour."""

from __future__ import annotations

import pytest

from wim_station.anpr.grammar import check


@pytest.mark.parametrize(("raw", "color", "text", "corrections"), [
    ("浙A12345", "blue", "浙A12345", 0),
    ("浙AI2O45", "blue", "浙A12045", 2),      # I and O are never issued: 1 and 0
    ("浙812345", "yellow", "浙B12345", 1),     # the issuing letter is a letter
    ("x浙A12345", None, "浙A12345", 1),       # junk before the province costs
    ("浙AD1234S", "green", "浙AD12345", 1),    # small NEV: last four are digits
    ("浙A1234SD", "yellow-green", "浙A12345D", 1),
])
def test_valid_reads_are_corrected(raw: str, color: str | None, text: str,
                                   corrections: int) -> None:
    result = check(raw, color)
    assert result.valid
    assert (result.text, result.corrections) == (text, corrections)


@pytest.mark.parametrize(("raw", "color"), [
    ("A12345", None),          # no province
    ("浙A1234", "blue"),       # too short
    ("浙A123456789", None),    # too long
    ("浙AD12345", "blue"),     # eight characters on a blue plate
    ("浙A12345", "green"),     # seven on a new-energy plate
    ("浙A12345D", "green"),    # large-NEV layout on a small-NEV plate
    ("浙AX12345", None),       # eight characters without D/F: no layout fits
    ("浙#12345", None),
])
def test_invalid_reads_are_rejected(raw: str, color: str | None) -> None:
    assert not check(raw, color).valid
