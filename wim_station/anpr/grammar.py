"""The GA 36-2018 plate grammar: layouts as one character class per position.

A plate is a province abbreviation, the issuing-authority letter, then 5 characters (6 on
new-energy plates: small ones D/F first then a letter or digit and 4 digits, large ones 5
digits then D/F). Letters I and O are never issued (they read as 1 and 0).
"""

from __future__ import annotations

from wim_station.anpr.decode import Template

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
DIGITS = "0123456789"
TAIL_CHARS = LETTERS + DIGITS
# Every character the recogniser may emit; I and O are kept so their mass can go to 1 and 0.
OCR_ALPHABET = PROVINCES + LETTERS + DIGITS + "IO"

STANDARD = Template("standard", (PROVINCES, LETTERS, *[TAIL_CHARS] * 5))
NEV_SMALL = Template("nev-small", (PROVINCES, LETTERS, "DF", TAIL_CHARS, *[DIGITS] * 4))
NEV_LARGE = Template("nev-large", (PROVINCES, LETTERS, *[DIGITS] * 5, "DF"))
SINGLE_ROW = (STANDARD, NEV_SMALL, NEV_LARGE)
DOUBLE_TOP = Template("head", (PROVINCES, LETTERS))
DOUBLE_BOTTOM = Template("tail", (TAIL_CHARS,) * 5)
# The paint that goes with each layout; standard plates come in four colours.
KIND_COLORS = {"standard": ("blue", "yellow", "white", "black"), "nev-small": ("green",),
               "nev-large": ("yellow-green",)}


def layout_of(text: str) -> str | None:
    """The layout (`standard`, `nev-small`, `nev-large`) `text` follows, or None."""
    for template in SINGLE_ROW:
        if len(text) == len(template.positions) and all(
                c in allowed for c, allowed in zip(text, template.positions, strict=True)):
            return template.kind
    return None


def is_valid(text: str, color: str | None = None) -> bool:
    """True when `text` is a well-formed plate (and fits the paint `color`, when given)."""
    kind = layout_of(text)
    return kind is not None and (color is None or color in KIND_COLORS[kind])
