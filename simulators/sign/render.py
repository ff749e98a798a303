"""Render what an LED sign shows as an image: lit dots on a dark matrix.

Glyphs come from OpenCV's built-in Unicode font (`cv2.FontFace("uni")`, which covers CJK),
rasterised at the sign's own LED resolution, so a 32-dot line looks like a 32-dot sign.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

LED_COLOURS_BGR: dict[str, tuple[int, int, int]] = {
    "red": (40, 40, 255),
    "green": (70, 255, 70),
    "amber": (0, 180, 255),
    "white": (235, 235, 235),
}
_OFF_LEVEL = 0.10  # an unlit LED still shows faintly on a real sign
_INK_THRESHOLD = 110


@dataclass(frozen=True)
class SignGeometry:
    """LED columns/rows of the panel, dots per text line and screen pixels per dot."""

    width_leds: int = 384
    height_leds: int = 64
    line_leds: int = 32
    pitch_px: int = 4

    @property
    def lines(self) -> int:
        """Text lines the panel holds."""
        return max(1, self.height_leds // self.line_leds)


def _font() -> cv2.FontFace:
    return cv2.FontFace("uni")


def rasterise_line(text: str, line_leds: int) -> np.ndarray:
    """One text line as a bool LED mask `line_leds` high, trimmed to its ink (width >= 1)."""
    if not text.strip():
        return np.zeros((line_leds, 1), dtype=bool)
    canvas = np.zeros((line_leds, line_leds * (len(text) + 1) + 8), dtype=np.uint8)
    # Glyph size a little under the line so accents and descenders stay on the panel.
    size = max(8, round(line_leds * 0.9))
    cv2.putText(canvas, text, (2, round(line_leds * 0.84)), 255, _font(), size)
    ink = canvas >= _INK_THRESHOLD
    columns = np.flatnonzero(ink.any(axis=0))
    if columns.size == 0:
        return np.zeros((line_leds, 1), dtype=bool)
    return ink[:, columns[0] : columns[-1] + 1]


def layout(text: str, effect: str, geometry: SignGeometry) -> tuple[np.ndarray, bool]:
    """The LED mask of the panel and whether some text did not fit.

    Static text is centred line by line, clipped at the panel edge. Scrolling text is laid
    out as the whole strip it scrolls through (one line, wider than the panel when long), so
    the image shows everything a driver reads while it passes.
    """
    g = geometry
    if effect == "scroll":
        strip = rasterise_line(" ".join(text.splitlines()), g.line_leds)
        width = max(g.width_leds, strip.shape[1])
        mask = np.zeros((g.height_leds, width), dtype=bool)
        top = (g.height_leds - g.line_leds) // 2
        mask[top : top + g.line_leds, : strip.shape[1]] = strip
        return mask, False
    mask = np.zeros((g.height_leds, g.width_leds), dtype=bool)
    lines = text.splitlines() or [""]
    clipped = len(lines) > g.lines
    top0 = (g.height_leds - min(len(lines), g.lines) * g.line_leds) // 2
    for i, line in enumerate(lines[: g.lines]):
        glyphs = rasterise_line(line, g.line_leds)
        if glyphs.shape[1] > g.width_leds:
            clipped = True
            glyphs = glyphs[:, : g.width_leds]
        left = (g.width_leds - glyphs.shape[1]) // 2
        top = top0 + i * g.line_leds
        mask[top : top + g.line_leds, left : left + glyphs.shape[1]] = glyphs
    return mask, clipped


def render_leds(mask: np.ndarray, colour: str, pitch_px: int) -> np.ndarray:
    """BGR image of an LED mask: a round dot per LED, lit or faintly off."""
    bgr = np.array(LED_COLOURS_BGR[colour], dtype=np.float32)
    yy, xx = np.mgrid[0:pitch_px, 0:pitch_px]
    centre = (pitch_px - 1) / 2
    dot = ((yy - centre) ** 2 + (xx - centre) ** 2) <= (pitch_px * 0.42) ** 2
    level = np.where(mask, 1.0, _OFF_LEVEL).astype(np.float32)
    big = np.repeat(np.repeat(level, pitch_px, axis=0), pitch_px, axis=1)
    big *= np.tile(dot, mask.shape)
    return (big[..., None] * bgr).astype(np.uint8)


def render_sign(
    text: str | None, colour: str, effect: str, geometry: SignGeometry
) -> tuple[np.ndarray, bool]:
    """The panel as a BGR image (blank when `text` is None) and whether text was clipped."""
    if text is None:
        mask = np.zeros((geometry.height_leds, geometry.width_leds), dtype=bool)
        return render_leds(mask, "amber", geometry.pitch_px), False
    mask, clipped = layout(text, effect, geometry)
    return render_leds(mask, colour, geometry.pitch_px), clipped
