"""The GA 36 plate grammar and the grammar-constrained CTC decoder."""

from __future__ import annotations

import numpy as np
import pytest

from wim_station.anpr.decode import decode
from wim_station.anpr.grammar import NEV_SMALL, OCR_ALPHABET, STANDARD, is_valid, layout_of
from wim_station.anpr.model import greedy_decode


@pytest.mark.parametrize(("text", "kind"), [
    ("浙A12345", "standard"), ("浙FAB123", "standard"), ("浙AD12345", "nev-small"),
    ("浙AFB2345", "nev-small"), ("浙A12345D", "nev-large"),
    ("A12345", None), ("浙A1234", None), ("浙A123456789", None), ("浙AI2345", None),
    ("浙1A2345", None), ("浙AX12345", None), ("浙#12345", None), ("", None),
])
def test_layouts(text: str, kind: str | None) -> None:
    assert layout_of(text) == kind


def test_colour_must_fit_the_layout() -> None:
    assert is_valid("浙A12345", "yellow") and is_valid("浙A12345")
    assert not is_valid("浙AD12345", "blue")
    assert not is_valid("浙A12345", "green")
    assert is_valid("浙A12345D", "yellow-green") and not is_valid("浙A12345D", "green")


def _probs(frames: list[tuple[str, float]]) -> np.ndarray:
    """A CTC probability matrix: per timestep the character ('' = blank) and its probability."""
    out = np.full((len(frames), 1 + len(OCR_ALPHABET)), 1e-6)
    for t, (char, p) in enumerate(frames):
        k = 0 if char == "" else 1 + OCR_ALPHABET.index(char)
        out[t, k] = p
        out[t, 0] += 1 - p  # the rest goes to blank
    return out / out.sum(axis=1, keepdims=True)


def test_faint_province_is_recovered_where_greedy_drops_it() -> None:
    frames = [("", 1), ("浙", 0.2), ("", 1), ("A", 0.99), ("", 1)]
    for c in "12345":
        frames += [(c, 0.99), ("", 1)]
    probs = _probs(frames)
    assert greedy_decode(probs, OCR_ALPHABET).text == "A12345"
    read = decode(probs, OCR_ALPHABET, STANDARD)
    assert read is not None and read.text == "浙A12345"
    assert read.char_probs[0] == pytest.approx(0.2, abs=0.01)
    assert read.char_shares[0] > 0.99  # no other province competes


def test_a_segment_cannot_swallow_two_characters() -> None:
    # "浙A D B 8 9 7 6" with no blank between D and B: still eight characters
    frames = [("浙", 0.99), ("A", 0.99), ("", 1), ("D", 0.99), ("B", 0.99), ("", 1)]
    frames += [(c, 0.99) for c in "8976"]
    probs = _probs(frames)
    small = decode(probs, OCR_ALPHABET, NEV_SMALL)
    standard = decode(probs, OCR_ALPHABET, STANDARD)
    assert small is not None and small.text == "浙ADB8976"
    assert standard is None or standard.log_score < small.log_score - 3


def test_too_few_timesteps_give_no_path() -> None:
    assert decode(_probs([("浙", 0.9), ("A", 0.9)]), OCR_ALPHABET, STANDARD) is None
