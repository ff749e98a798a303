"""Which GA 36 plate colour a rectified plate is painted in."""

from __future__ import annotations

import cv2
import numpy as np


def is_grey(image_bgr: np.ndarray) -> bool:
    """True for infrared (monochrome) frames, where paint colour cannot be seen."""
    b, g, r = (image_bgr[..., i].astype(np.int16) for i in range(3))
    return int(np.abs(b - g).max(initial=0)) < 12 and int(np.abs(g - r).max(initial=0)) < 12


def text_is_dark(plate_bgr: np.ndarray) -> bool:
    """Dark characters on a light ground (yellow, white, green plates) or the reverse."""
    grey = cv2.cvtColor(plate_bgr, cv2.COLOR_BGR2GRAY)
    _, fg = cv2.threshold(grey, 0, 1, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    # the ground covers more of the plate than the strokes do
    return float(fg.mean()) > 0.5


def classify(plate_bgr: np.ndarray) -> str:
    """Colour of a day-lit rectified plate from the hue and value of its ground."""
    h, w = plate_bgr.shape[:2]
    # the middle band: characters and ground only, even when the quad overshoots the plate
    inner = plate_bgr[h // 4 : h - h // 4, w // 20 : w - w // 20]
    grey = cv2.cvtColor(inner, cv2.COLOR_BGR2GRAY)
    _, fg = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    ground = fg if cv2.countNonZero(fg) > fg.size / 2 else cv2.bitwise_not(fg)
    hsv = cv2.cvtColor(inner, cv2.COLOR_BGR2HSV)
    ground_hsv = hsv[ground > 0]
    if len(ground_hsv) == 0:
        return "blue"
    name = _name(ground_hsv)
    if name == "green":
        left = hsv[:, : inner.shape[1] // 5][ground[:, : inner.shape[1] // 5] > 0]
        if len(left) and _name(left) == "yellow":
            return "yellow-green"
    return name


def _name(pixels_hsv: np.ndarray) -> str:
    hue = pixels_hsv[:, 0].astype(np.float32)
    sat = float(np.median(pixels_hsv[:, 1]))
    val = float(np.median(pixels_hsv[:, 2]))
    if sat < 45:
        return "white" if val > 110 else "black"
    h = float(np.median(hue))
    if 95 <= h <= 135:
        return "blue"
    if 10 <= h < 36:
        return "yellow"
    if 36 <= h < 95:
        return "green"
    return "white" if val > 110 else "black"
