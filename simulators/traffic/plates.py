"""Realistic Chinese licence plates (GA 36-2018 formats) for simulated vehicles."""

from __future__ import annotations

import numpy as np

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
# Plates never use I or O (confused with 1 and 0).
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
DIGITS = "0123456789"
# Heavier weight on a few freight-heavy provinces of the reference site region.
_PROVINCE_WEIGHTS = np.array([3.0 if p in "赣浙皖湘鄂闽粤" else 1.0 for p in PROVINCES])
_PROVINCE_WEIGHTS /= _PROVINCE_WEIGHTS.sum()


def _pick(rng: np.random.Generator, alphabet: str, n: int) -> str:
    return "".join(alphabet[int(i)] for i in rng.integers(0, len(alphabet), n))


def make_plate(rng: np.random.Generator, kind: str) -> tuple[str, str]:
    """Return (plate text, plate colour) for a vehicle kind: `car`, `light_truck`, `truck`.

    Cars: blue, ~12 % new-energy green (8 characters); light trucks blue; heavy trucks
    and tractors yellow, ~2 % new-energy yellow-green.
    """
    prefix = PROVINCES[int(rng.choice(len(PROVINCES), p=_PROVINCE_WEIGHTS))] + _pick(
        rng, LETTERS, 1
    )
    if kind == "car" and rng.random() < 0.12:
        return prefix + _pick(rng, "DF", 1) + _pick(rng, DIGITS + LETTERS, 1) + _pick(
            rng, DIGITS, 4
        ), "green"
    if kind == "truck" and rng.random() < 0.02:
        return prefix + _pick(rng, DIGITS, 5) + _pick(rng, "DF", 1), "yellow-green"
    # Serials are mostly digits with at most two letters, as issued.
    serial = list(_pick(rng, DIGITS, 5))
    for pos in rng.choice(5, size=int(rng.integers(0, 3)), replace=False):
        serial[int(pos)] = _pick(rng, LETTERS, 1)
    color = "yellow" if kind == "truck" else "blue"
    return prefix + "".join(serial), color
