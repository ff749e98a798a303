"""Chinese licence plates drawn to the GA 36-2018 layouts, with a plate grammar to make texts.

Geometry is laid out in millimetres (the standard's unit) and scaled to pixels at the end.
Glyphs come from OpenCV 5's built-in CJK-capable "uni" font, squeezed into the standard's
character cells (45 x 90 mm on single-row plates), so nothing is downloaded or installed.

Sources of the dimensions: NOT verified against the text of GA 36-2018 (not at hand). The
plate sizes and character cells below agree with two independent public plate renderers that
cite the standard's drawings (figs 1-8): 440 x 140 mm single-row plates with 45 x 90 mm cells,
12 mm gaps and a 34 mm gap holding a 10 mm separator dot; 480 x 140 mm new-energy plates with a
45 mm province cell, 43 mm cells, 9 mm gaps and a 49 mm gap after the issuing letter; 440 x 220
mm double-row plates with 80 x 60 mm cells on the top row and 65 x 110 mm cells at an 80 mm
pitch below. Check them against the standard before relying on them for anything but tests.
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass

import cv2
import numpy as np

# Province abbreviations, weighted: a Zhejiang site sees mostly 浙, then neighbours and hubs.
PROVINCE_WEIGHTS: dict[str, float] = {
    "浙": 55.0, "沪": 6.0, "苏": 7.0, "皖": 6.0, "赣": 4.0, "闽": 4.0, "京": 2.0, "鲁": 3.0,
    "豫": 3.0, "粤": 2.0, "湘": 2.0, "鄂": 2.0, "川": 1.0, "冀": 1.0, "晋": 0.5, "陕": 0.5,
    "津": 0.5, "渝": 0.5, "辽": 0.3, "吉": 0.3, "黑": 0.3, "桂": 0.3, "贵": 0.3, "云": 0.3,
    "甘": 0.2, "蒙": 0.2, "宁": 0.1, "青": 0.1, "新": 0.1, "藏": 0.1, "琼": 0.1,
}
PROVINCES = "".join(PROVINCE_WEIGHTS)
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # GA 36: I and O are never used (confused with 1 and 0)
DIGITS = "0123456789"
COLORS = ("blue", "yellow", "green", "yellow-green", "white", "black")

# Background and text colours (BGR) as seen in daylight.
_BG_BGR: dict[str, tuple[int, int, int]] = {
    "blue": (170, 70, 10), "yellow": (0, 190, 245), "white": (235, 235, 235),
    "black": (25, 25, 25), "green": (90, 200, 60), "yellow-green": (90, 200, 60),
}
_TEXT_BGR: dict[str, tuple[int, int, int]] = {
    "blue": (245, 245, 245), "yellow": (20, 20, 20), "white": (20, 20, 20),
    "black": (245, 245, 245), "green": (20, 20, 20), "yellow-green": (20, 20, 20),
}


@dataclass(frozen=True)
class PlateSpec:
    """What a plate says and how it looks."""

    text: str
    color: str
    double_row: bool = False


def plate_size_mm(spec: PlateSpec) -> tuple[float, float]:
    """Width and height of the plate in millimetres (GA 36-2018; see the module note)."""
    if spec.double_row:
        return 440.0, 220.0
    if spec.color in ("green", "yellow-green"):
        return 480.0, 140.0
    return 440.0, 140.0


def random_plate(rng: random.Random, color: str | None = None) -> PlateSpec:
    """A random but grammatical plate: province, issuing letter, 5 (new-energy: 6) characters."""
    color = color or rng.choice(COLORS)
    province = rng.choices(PROVINCES, weights=list(PROVINCE_WEIGHTS.values()))[0]
    head = province + rng.choice(LETTERS)
    if color == "green":  # small new-energy: D (electric) or F (hybrid) first
        tail = rng.choice("DF") + rng.choice(LETTERS + DIGITS) + _digits(rng, 4)
    elif color == "yellow-green":  # large new-energy: D or F last
        tail = _digits(rng, 5) + rng.choice("DF")
    else:
        chars = [rng.choice(DIGITS) for _ in range(5)]
        for pos in rng.sample(range(5), rng.choice((0, 1, 1, 2))):
            chars[pos] = rng.choice(LETTERS)
        tail = "".join(chars)
    double = color == "yellow" and rng.random() < 0.5  # rear plates of trucks
    return PlateSpec(head + tail, color, double)


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(DIGITS) for _ in range(n))


@functools.lru_cache(maxsize=512)
def _glyph(char: str, width_px: int, height_px: int) -> np.ndarray:
    """A coverage mask (uint8, 0..255) of `char` stretched to exactly fill the cell."""
    canvas = np.zeros((240, 240), np.uint8)
    cv2.putText(canvas, char, (20, 200), 255, cv2.FontFace("uni"), 180, 700)
    ys, xs = np.nonzero(canvas > 40)
    if len(xs) == 0:
        return np.zeros((height_px, width_px), np.uint8)
    ink = canvas[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    if char == "1":  # a 1 keeps its own narrow width, centred, as on real plates
        w = max(1, int(width_px * 0.35))
        out = np.zeros((height_px, width_px), np.uint8)
        x0 = (width_px - w) // 2
        out[:, x0 : x0 + w] = cv2.resize(ink, (w, height_px), interpolation=cv2.INTER_AREA)
        return out
    return cv2.resize(ink, (width_px, height_px), interpolation=cv2.INTER_AREA)


def cells_mm(spec: PlateSpec) -> list[tuple[float, float, float, float]]:
    """(x, y, w, h) of each character cell in millimetres."""
    n = len(spec.text)
    if spec.double_row:
        top = [(110.0 + i * 140.0, 15.0, 80.0, 60.0) for i in range(2)]
        bottom = [(27.5 + i * 80.0, 90.0, 65.0, 110.0) for i in range(n - 2)]
        return top + bottom
    if n == 8:  # new-energy: 45 mm province, 43 mm chars, 9 mm gaps, 49 mm after the letter
        return _row_mm(15.5, [45.0] + [43.0] * 7, gap=9.0, split_gap=49.0)
    return _row_mm(15.5, [45.0] * n, gap=12.0, split_gap=34.0)


def _row_mm(x0: float, widths: list[float], gap: float, split_gap: float
            ) -> list[tuple[float, float, float, float]]:
    """One row of 90 mm high cells, with the wider gap after the issuing letter."""
    cells, x = [], x0
    for i, w in enumerate(widths):
        if i:
            x += split_gap if i == 2 else gap
        cells.append((x, 25.0, w, 90.0))
        x += w
    return cells


def separator_center_mm(spec: PlateSpec) -> tuple[float, float] | None:
    """Centre of the separator dot: the middle of the gap after the issuing letter."""
    if spec.double_row:
        return None
    cells = cells_mm(spec)
    (x1, _, w1, _), (x2, _, _, _) = cells[1], cells[2]
    return (x1 + w1 + x2) / 2, 70.0


def render_plate(spec: PlateSpec, px_per_mm: float = 2.0) -> np.ndarray:
    """Draw the plate face-on as a BGR image, `px_per_mm` pixels per millimetre."""
    w_mm, h_mm = plate_size_mm(spec)
    w, h = round(w_mm * px_per_mm), round(h_mm * px_per_mm)
    img = np.empty((h, w, 3), np.uint8)
    img[:] = _BG_BGR[spec.color]
    if spec.color == "green":  # small new-energy: white-green at the top deepening to green
        ramp = np.linspace(0.0, 1.0, h)[:, None, None]
        top = np.array((225, 245, 225), float)
        img[:] = (top * (1 - ramp) + np.array(_BG_BGR["green"], float) * ramp).astype(np.uint8)
    elif spec.color == "yellow-green":  # large new-energy: yellow left part, green right
        img[:, : round(w * 0.27)] = _BG_BGR["yellow"]
    text_bgr = np.array(_TEXT_BGR[spec.color], np.float32)
    # The frame line a few millimetres inside the edge, in the text colour.
    m = round(3 * px_per_mm)
    cv2.rectangle(img, (m, m), (w - m - 1, h - m - 1), _TEXT_BGR[spec.color],
                  max(1, round(1.5 * px_per_mm)), cv2.LINE_AA)
    f = img.astype(np.float32)
    for char, (x, y, cw, ch) in zip(spec.text, cells_mm(spec), strict=True):
        x0, y0 = round(x * px_per_mm), round(y * px_per_mm)
        mask = _glyph(char, round(cw * px_per_mm), round(ch * px_per_mm)).astype(np.float32) / 255
        roi = f[y0 : y0 + mask.shape[0], x0 : x0 + mask.shape[1]]
        roi[:] = roi * (1 - mask[..., None]) + text_bgr * mask[..., None]
    dot = separator_center_mm(spec)
    if dot is not None:  # 10 mm separator dot (new-energy plates carry an emblem there instead)
        cv2.circle(f, (round(dot[0] * px_per_mm), round(dot[1] * px_per_mm)), round(5 * px_per_mm),
                   tuple(float(c) for c in text_bgr), -1, cv2.LINE_AA)
    for rx in (0.2, 0.8):  # rivets
        cv2.circle(f, (round(w * rx), round(h * (0.1 if spec.double_row else 0.09))),
                   max(1, round(4 * px_per_mm)), (150, 150, 150), -1, cv2.LINE_AA)
    return np.clip(f, 0, 255).astype(np.uint8)
