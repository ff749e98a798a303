"""Where plates may be: colour blobs of plate paint and horizontal runs of character strokes.

Both sources yield plate-shaped quads (TL, TR, BR, BL, full-frame pixels); the reader decides
by reading them. Work is done on a downscaled copy so a 1080p frame costs a few milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

# HSV ranges (OpenCV: H 0..180) of plate paint, generous for dusk, dirt and JPEG.
_COLOR_RANGES: dict[str, tuple[tuple[int, int, int], tuple[int, int, int]]] = {
    "blue": ((95, 90, 40), (130, 255, 255)),
    "yellow": ((12, 90, 80), (35, 255, 255)),
    "green": ((36, 60, 60), (90, 255, 255)),
}


@dataclass(frozen=True)
class Candidate:
    """A place that may hold a plate: its quad, where the idea came from, and a prior score."""

    quad: np.ndarray  # float32 (4, 2), TL TR BR BL
    source: str  # "color:<name>" or "texture"
    double_row: bool
    prior: float


def order_quad(pts: np.ndarray) -> np.ndarray:
    """Order 4 points as TL, TR, BR, BL."""
    pts = np.asarray(pts, np.float32).reshape(4, 2)
    s = pts.sum(axis=1)
    d = np.diff(pts, axis=1).ravel()
    return np.array([pts[s.argmin()], pts[d.argmin()], pts[s.argmax()], pts[d.argmax()]],
                    np.float32)


def _scaled_rect_quad(rect: tuple, grow_w: float, grow_h: float) -> np.ndarray:
    (cx, cy), (w, h), angle = rect
    if w < h:  # make width the long side
        w, h, angle = h, w, angle + 90.0
    pts = cv2.boxPoints(((cx, cy), (w * grow_w, h * grow_h), angle))
    return order_quad(pts)


def _hull_quad(contour: np.ndarray) -> np.ndarray:
    """The four extreme corners of a blob: fits skewed (parallelogram) plates better than a box."""
    pts = cv2.convexHull(contour).reshape(-1, 2).astype(np.float32)
    s = pts.sum(axis=1)
    d = pts[:, 1] - pts[:, 0]
    return np.array([pts[s.argmin()], pts[d.argmin()], pts[s.argmax()], pts[d.argmax()]],
                    np.float32)


def find_candidates(image_bgr: np.ndarray, work_width_px: int, min_plate_width_px: float,
                    max_plate_width_px: float, max_candidates: int) -> list[Candidate]:
    """Plate-shaped places in the frame, most plausible first."""
    h, w = image_bgr.shape[:2]
    scale = min(1.0, work_width_px / w)
    small = cv2.resize(image_bgr, (round(w * scale), round(h * scale)),
                       interpolation=cv2.INTER_AREA) if scale < 1.0 else image_bgr
    min_w, max_w = min_plate_width_px * scale, max_plate_width_px * scale
    out: list[Candidate] = []
    hsv = cv2.cvtColor(small, cv2.COLOR_BGR2HSV)
    saturated = float(hsv[..., 1].mean()) > 8  # an IR frame is grey: colour says nothing
    if saturated:
        masks = {}
        for name, (lo, hi) in _COLOR_RANGES.items():
            mask = cv2.inRange(hsv, np.array(lo), np.array(hi))
            masks[name] = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
        # large new-energy plates are yellow on the left, green on the right
        masks["yellow-green"] = cv2.bitwise_or(masks["yellow"], masks["green"])
        for name, mask in masks.items():
            out.extend(_blobs(mask, f"color:{name}", min_w, max_w, scale))
    out.extend(_texture(small, min_w, max_w, scale))
    out.sort(key=lambda c: -c.prior)
    return _dedupe(out)[:max_candidates]


def _blobs(mask: np.ndarray, source: str, min_w: float, max_w: float,
           scale: float) -> list[Candidate]:
    found = []
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    for c in contours:
        rect = cv2.minAreaRect(c)
        (_, _), (rw, rh), _ = rect
        long_side, short_side = max(rw, rh), min(rw, rh)
        if not (min_w * 0.8 <= long_side <= max_w * 1.2) or short_side < 4:
            continue
        aspect = long_side / short_side
        fill = cv2.contourArea(c) / max(rw * rh, 1.0)
        if fill < 0.55:
            continue
        if 2.4 <= aspect <= 5.0:
            double = False
        elif 1.4 <= aspect < 2.4 and source == "color:yellow":
            double = True
        else:
            continue
        quad = _hull_quad(c) / scale
        found.append(Candidate(quad, source, double, 1.0 + fill))
    return found


def _texture(small: np.ndarray, min_w: float, max_w: float, scale: float) -> list[Candidate]:
    """Rows of vertical strokes: what characters look like to a horizontal gradient."""
    grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    gx = cv2.convertScaleAbs(cv2.Sobel(grey, cv2.CV_16S, 1, 0, ksize=3))
    _, edges = cv2.threshold(gx, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    found = []
    # Gaps between characters grow with the plate: close with a kernel per size band.
    # Large plates have thick strokes whose two edges sit far apart: close taller there.
    small_k, large_k = max(5, round(min_w / 8)) | 1, max(5, round(max_w / 14)) | 1
    for kw, kh in ((small_k, 3), (large_k, 3), (large_k, large_k // 3 | 1)):
        closed = cv2.morphologyEx(edges, cv2.MORPH_CLOSE, cv2.getStructuringElement(
            cv2.MORPH_RECT, (kw, kh)))
        closed = cv2.morphologyEx(closed, cv2.MORPH_OPEN, cv2.getStructuringElement(
            cv2.MORPH_RECT, (5, 5)))
        found.extend(_text_blobs(closed, min_w, max_w, scale))
    return found


def _text_blobs(closed: np.ndarray, min_w: float, max_w: float, scale: float) -> list[Candidate]:
    found = []
    contours, _ = cv2.findContours(closed, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    for c in contours:
        rect = cv2.minAreaRect(c)
        _, (rw, rh), _ = rect
        long_side, short_side = max(rw, rh), min(rw, rh)
        if short_side < 5 or not (min_w * 0.6 <= long_side <= max_w * 1.1):
            continue
        aspect = long_side / short_side
        fill = cv2.contourArea(c) / max(rw * rh, 1.0)
        # the sparse top row of a double-row plate lowers the fill of a two-row blob
        if not (1.4 <= aspect <= 8.0) or fill < (0.4 if aspect < 2.4 else 0.5):
            continue
        if aspect < 2.4:  # both rows of a double-row plate merged into one blob
            quad = _scaled_rect_quad(rect, 1.08, 1.12) / scale
            found.append(Candidate(quad, "texture", True, fill))
            continue
        # characters fill 409 x 90 mm of a 440 x 140 mm plate
        quad = _scaled_rect_quad(rect, 1.1, 1.5) / scale
        found.append(Candidate(quad, "texture", False, fill))
    return found


def _dedupe(cands: list[Candidate]) -> list[Candidate]:
    """Drop candidates whose centre falls inside a better one of similar size."""
    kept: list[Candidate] = []
    for c in cands:
        centre = c.quad.mean(axis=0)
        size = float(np.linalg.norm(c.quad[1] - c.quad[0]))
        dup = False
        for k in kept:
            ksize = float(np.linalg.norm(k.quad[1] - k.quad[0]))
            inside = cv2.pointPolygonTest(k.quad.reshape(-1, 1, 2), tuple(map(float, centre)),
                                          False) >= 0
            if inside and 0.6 < size / max(ksize, 1e-6) < 1.6:
                dup = True
                break
        if not dup:
            kept.append(c)
    return kept
