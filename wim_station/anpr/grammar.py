"""The GA 36-2018 plate grammar: validate a raw OCR read, fix look-alike characters, score it.

A plate is a province abbreviation, the issuing-authority letter, then 5 characters (6 on
new-energy plates). Letters I and O are never issued, so a read I/O in a character position
is a 1/0; in the letter position digits that look like letters are letters.
"""

from __future__ import annotations

from dataclasses import dataclass

from wim_station.anpr.decode import Template

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
DIGITS = "0123456789"
TAIL_CHARS = LETTERS + DIGITS
# Every character the recogniser may emit; I and O are kept so they can be corrected, not lost.
OCR_ALPHABET = PROVINCES + LETTERS + DIGITS + "IO"

_TO_TAIL = {"I": "1", "O": "0"}
_TO_LETTER = {"0": "D", "1": "T", "2": "Z", "5": "S", "6": "G", "8": "B", "I": "T", "O": "D"}
_TO_DIGIT = {"B": "8", "D": "0", "Q": "0", "S": "5", "Z": "2", "G": "6", "T": "1", "I": "1",
             "O": "0", "U": "0", "L": "4", "A": "4"}


@dataclass(frozen=True)
class GrammarResult:
    """A read checked against the grammar: the corrected text and what was needed."""

    text: str
    valid: bool
    corrections: int
    kind: str  # "standard" (5 tail chars), "nev-small", "nev-large", or "invalid"


def check(raw: str, color: str | None = None) -> GrammarResult:
    """Correct and classify `raw`; `color` (when known) pins the expected layout."""
    text = raw
    start = next((i for i, c in enumerate(text) if c in PROVINCES), None)
    if start is None:
        return GrammarResult(raw, False, 0, "invalid")
    corrections = start  # characters dropped before the province
    text = text[start:]
    if len(text) not in (7, 8):
        return GrammarResult(text, False, corrections, "invalid")
    chars = list(text)
    if chars[1] not in LETTERS:
        if chars[1] not in _TO_LETTER:
            return GrammarResult(text, False, corrections, "invalid")
        chars[1] = _TO_LETTER[chars[1]]
        corrections += 1
    for i in range(2, len(chars)):
        if chars[i] in _TO_TAIL:
            chars[i] = _TO_TAIL[chars[i]]
            corrections += 1
        if chars[i] not in TAIL_CHARS:
            return GrammarResult("".join(chars), False, corrections, "invalid")
    kind = "standard"
    if len(chars) == 8:
        kind, fixes = _new_energy(chars)
        corrections += fixes
        if kind == "invalid":
            return GrammarResult("".join(chars), False, corrections, kind)
    expected = {"green": "nev-small", "yellow-green": "nev-large"}.get(color or "")
    valid = expected == kind if expected else (kind == "standard" or color is None)
    if color in ("blue", "yellow", "white", "black") and kind != "standard":
        valid = False
    return GrammarResult("".join(chars), valid, corrections, kind)


def _new_energy(chars: list[str]) -> tuple[str, int]:
    """Small NEV: D/F then a letter or digit then 4 digits; large NEV: 5 digits then D/F."""
    tail = chars[2:]
    if tail[0] in "DF" and all(c in DIGITS or c in _TO_DIGIT for c in tail[2:]):
        fixes = _digits_in_place(chars, range(4, 8))
        return "nev-small", fixes
    if tail[-1] in "DF" and all(c in DIGITS or c in _TO_DIGIT for c in tail[:-1]):
        fixes = _digits_in_place(chars, range(2, 7))
        return "nev-large", fixes
    return "invalid", 0


def _digits_in_place(chars: list[str], positions: range) -> int:
    fixes = 0
    for i in positions:
        if chars[i] not in DIGITS:
            chars[i] = _TO_DIGIT[chars[i]]
            fixes += 1
    return fixes


# Layouts for constrained decoding (decode.Template), one class of characters per position.
STANDARD = Template("standard", (PROVINCES, LETTERS, *[TAIL_CHARS] * 5))
NEV_SMALL = Template("nev-small", (PROVINCES, LETTERS, "DF", TAIL_CHARS, *[DIGITS] * 4))
NEV_LARGE = Template("nev-large", (PROVINCES, LETTERS, *[DIGITS] * 5, "DF"))
SINGLE_ROW = (STANDARD, NEV_SMALL, NEV_LARGE)
DOUBLE_TOP = Template("head", (PROVINCES, LETTERS))
DOUBLE_BOTTOM = Template("tail", (TAIL_CHARS,) * 5)
# The paint that goes with each layout; standard plates come in four colours.
KIND_COLORS = {"standard": ("blue", "yellow", "white", "black"), "nev-small": ("green",),
               "nev-large": ("yellow-green",)}
