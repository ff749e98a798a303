"""Burn the weighing data into an enforcement photo, as roadside enforcement cameras do.

The text goes in a black band added above the camera image (the scene itself is never
covered), in OpenCV's built-in Unicode font (`cv2.FontFace("uni")`, which has the CJK
glyphs a Chinese site needs; the sign simulator uses the same face). The plate found by the
reader is framed.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

_TEXT_BGR = (255, 255, 255)
_PLATE_BGR = (0, 0, 255)


def _font() -> cv2.FontFace:
    return cv2.FontFace("uni")


def annotate_photo(image_bgr: np.ndarray, lines: Sequence[str],
                   plate_box: Sequence[Sequence[float]] | None = None) -> np.ndarray:
    """A copy of `image_bgr` with `lines` in a band on top and the plate box outlined."""
    width = image_bgr.shape[1]
    line_px = max(18, round(width / 48))
    band = np.zeros((line_px * len(lines) + line_px // 2, width, 3), np.uint8)
    for i, text in enumerate(lines):
        baseline = round(line_px * (i + 0.85)) + line_px // 4
        cv2.putText(band, text, (line_px // 2, baseline), _TEXT_BGR, _font(),
                    round(line_px * 0.8))
    photo = image_bgr.copy() if image_bgr.ndim == 3 else cv2.cvtColor(image_bgr,
                                                                      cv2.COLOR_GRAY2BGR)
    if plate_box is not None and len(plate_box) >= 3:
        quad = np.array([[round(x), round(y)] for x, y in plate_box], np.int32)
        cv2.polylines(photo, [quad], True, _PLATE_BGR, max(2, width // 640))
    return np.vstack([band, photo])


def plate_crop(image_bgr: np.ndarray, plate_box: Sequence[Sequence[float]],
               margin: float = 0.15) -> np.ndarray | None:
    """The plate region of the original image with a margin; None if it is empty."""
    xs = [p[0] for p in plate_box]
    ys = [p[1] for p in plate_box]
    w, h = max(xs) - min(xs), max(ys) - min(ys)
    x0 = max(0, int(min(xs) - margin * w))
    x1 = min(image_bgr.shape[1], int(max(xs) + margin * w) + 1)
    y0 = max(0, int(min(ys) - margin * h))
    y1 = min(image_bgr.shape[0], int(max(ys) + margin * h) + 1)
    if x1 <= x0 or y1 <= y0:
        return None
    return image_bgr[y0:y1, x0:x1].copy()


def encode_jpeg(image_bgr: np.ndarray, quality: int) -> bytes:
    """JPEG bytes of an image (ValueError if OpenCV cannot encode it)."""
    ok, buf = cv2.imencode(".jpg", image_bgr, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("image could not be JPEG-encoded")
    return buf.tobytes()
