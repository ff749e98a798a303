"""Finds things on the water that stand out from the local water texture.

The frame is first rotated and shifted so that the horizon is a fixed, level row (own-motion
compensation: each row of the band is then one depression angle, i.e. one range, whatever
the boat's pitch and roll). Two saliency cues are combined:

- fine: horizontal top-hat and black-hat per colour channel, for targets narrower than the
  structuring element (far boats, swimmers), thresholded against each row's own response
  level (waves get rougher toward the camera);
- coarse: distance from a robust per-row, per-segment median colour on a quarter-size band,
  in units of the row's median absolute deviation, for large near targets.

Candidates are the connected blobs whose bottom (the waterline contact) lies on the water.
Glint specks (small, bright, colourless) are dropped here; waves and wakes are left to the
persistence test of the tracker.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from vessel.vision.config import VisionConfig

Image = npt.NDArray[np.uint8]
Line = tuple[float, float, float, float]


@dataclass(frozen=True)
class Band:
    """The horizon-aligned strip of the frame that holds the water."""

    image: Image
    valid: npt.NDArray[np.bool_]  # pixels that came from inside the frame, away from its edge
    horizon_row: int  # row of the horizon inside the band
    affine_src_from_band: npt.NDArray[np.float64]  # 2x3: band (x, y, 1) -> frame (x, y)

    def to_frame(self, x: float, y: float) -> tuple[float, float]:
        """Frame coordinates of a band pixel."""
        m = self.affine_src_from_band
        return (
            float(m[0, 0] * x + m[0, 1] * y + m[0, 2]),
            float(m[1, 0] * x + m[1, 1] * y + m[1, 2]),
        )

    def box_to_frame(self, x: float, y: float, w: float, h: float) -> tuple[int, int, int, int]:
        """Axis-aligned frame box around a band box."""
        corners = [self.to_frame(cx, cy) for cx in (x, x + w) for cy in (y, y + h)]
        xs = [c[0] for c in corners]
        ys = [c[1] for c in corners]
        x0, y0 = math.floor(min(xs)), math.floor(min(ys))
        return x0, y0, math.ceil(max(xs)) - x0, math.ceil(max(ys)) - y0


@dataclass(frozen=True)
class Candidate:
    """A salient blob on the water, in frame coordinates."""

    box: tuple[int, int, int, int]
    contact_px: tuple[float, float]  # bottom centre: where it meets the water
    width_px: float  # along the horizon
    height_px: float  # across the horizon
    saliency: float  # peak response over its threshold (>= 1)


def extract_band(frame: Image, horizon: Line, above_px: int, below_px: int) -> Band:
    """Rotate/shift the frame so that `horizon` becomes row `above_px` of a level band."""
    h, w = frame.shape[:2]
    x1, y1, x2, y2 = horizon
    theta = math.atan2(y2 - y1, x2 - x1)
    c, s = math.cos(theta), math.sin(theta)
    xc = (w - 1) / 2.0
    yc = y1 + (y2 - y1) * (xc - x1) / (x2 - x1)
    below = max(1, min(below_px, int(h - yc + abs(s) * w / 2)))
    m = np.array(
        [[c, -s, xc - c * xc + s * above_px], [s, c, yc - s * xc - c * above_px]], np.float64
    )
    band = cv2.warpAffine(
        frame, m, (w, above_px + below), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REPLICATE,
    )
    inside = cv2.warpAffine(
        np.full((h, w), 255, np.uint8), m, (w, above_px + below),
        flags=cv2.INTER_NEAREST | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_CONSTANT,
    )
    # Filters see replicated border pixels within half a structuring element of the edge.
    valid = cv2.erode(inside, np.ones((3, 9), np.uint8)) > 0
    return Band(band.astype(np.uint8, copy=False), valid, above_px, m)


def find_candidates(
    band: Band, cfg: VisionConfig, min_depression_px: float, previous: list[Image] | None = None
) -> list[Candidate]:
    """Salient blobs whose waterline lies below the horizon by at least `min_depression_px`.

    `previous` are the last frames' bands (same horizon alignment): bright saliency is taken
    from the pixel-wise minimum of all, so glint and breaking crests, which last a frame,
    drop out while anything that stays bright remains.
    """
    img = band.image
    hr = band.horizon_row
    steady = img
    for prev in previous or []:
        if prev.shape == img.shape:
            steady = np.minimum(steady, prev)
    fine = _fine_mask(img, steady, cfg)
    mid = _fine_mask(img, steady, cfg, scale=3)
    coarse = _coarse_mask(img, steady, cfg, hr)
    mask = fine[0] | mid[0] | coarse[0]
    score_map = np.maximum(np.maximum(fine[1], mid[1]), coarse[1])
    water = (mask & band.valid).astype(np.uint8)
    water[: hr + 1] = 0
    water = np.asarray(
        cv2.morphologyEx(water, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (7, 3))),
        np.uint8,
    )
    n, _labels, stats, _ = cv2.connectedComponentsWithStats(water, connectivity=8)
    out: list[Candidate] = []
    hsv: Image | None = None
    for x, y, w, h, area in _group(np.asarray(stats[1:n], np.int32)):
        bottom = _waterline(img, x, w, y, y + h)
        if area < cfg.min_area_px or bottom - hr < min_depression_px:
            continue
        if area <= cfg.glint_max_area_px:
            if hsv is None:
                hsv = np.asarray(cv2.cvtColor(img, cv2.COLOR_BGR2HSV), np.uint8)
            patch = hsv[y : y + h, x : x + w]
            peak = patch[..., 2].max()
            if peak >= cfg.glint_min_value and np.median(patch[..., 1]) <= cfg.glint_max_saturation:
                # A specular speck: a colourless peak smeared into a dimmer halo by the optics.
                # A blob bright all over (a white cap, a white hull) is kept.
                bright = patch[..., 2] >= cfg.glint_min_value * 0.9
                if bright.sum() <= 0.6 * area:
                    continue
        top = y
        if y <= hr + 2:
            top = _extend_up(mask, x, w, hr, max_rows=min(hr, 4 * h + 4))
        box = band.box_to_frame(x, top, w, bottom - top)
        contact = band.to_frame(x + (w - 1) / 2.0, bottom - 0.5)
        sal = float(score_map[y:bottom, x : x + w].max())
        out.append(Candidate(box, contact, float(w), float(bottom - top), sal))
    return out


def _waterline(img: Image, x: int, w: int, top: int, bottom: int) -> int:
    """Row below the target's lowest edge: the strongest colour step near the blob's bottom.

    The masks are blocky (quarter-size cue) or partial (top-hats on large targets); the
    target's mean colour against the water below gives the waterline to a pixel.
    """
    h = img.shape[0]
    a, b = max(top + 1, bottom - 6), min(h - 1, bottom + 4)
    if b - a < 3:
        return bottom
    prof = img[a - 1 : b, x : x + w].astype(np.float32).mean(axis=1)
    g = np.abs(np.diff(prof, axis=0)).sum(axis=1)  # g[i]: step between rows a-1+i and a+i
    top_g = float(g.max())
    if top_g < 6.0:
        return bottom
    strong = np.flatnonzero(g >= max(6.0, 0.25 * top_g))
    return int(a + strong[-1])


def _group(stats: npt.NDArray[np.int32]) -> list[tuple[int, int, int, int, int]]:
    """Merge the pieces of one target and drop wakes trailing a larger one.

    A swimmer's head and shoulders, or a cabin and hull of different colour, come out as
    blobs stacked one above the other; a wake is a low blob on the same waterline as a
    larger one, just beside it.
    """
    boxes = [[int(v) for v in row] for row in stats]
    merged = True
    while merged:
        merged = False
        for i in range(len(boxes)):
            for j in range(i + 1, len(boxes)):
                a, b = boxes[i], boxes[j]
                overlap = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
                gap = max(a[1], b[1]) - min(a[1] + a[3], b[1] + b[3])
                if overlap >= 0.5 * min(a[2], b[2]) and gap <= max(3, 0.5 * min(a[3], b[3])):
                    x0, y0 = min(a[0], b[0]), min(a[1], b[1])
                    x1 = max(a[0] + a[2], b[0] + b[2])
                    y1 = max(a[1] + a[3], b[1] + b[3])
                    boxes[i] = [x0, y0, x1 - x0, y1 - y0, a[4] + b[4]]
                    del boxes[j]
                    merged = True
                    break
            if merged:
                break
    keep = []
    for b in boxes:
        wake = False
        for a in boxes:
            if a is b or a[4] < 3 * b[4]:
                continue
            same_line = abs((a[1] + a[3]) - (b[1] + b[3])) <= max(3, 0.5 * a[3])
            gap = max(a[0], b[0]) - min(a[0] + a[2], b[0] + b[2])
            if same_line and gap <= a[2] and b[3] <= 0.6 * a[3]:
                wake = True
                break
        if not wake:
            keep.append((b[0], b[1], b[2], b[3], b[4]))
    return keep


def _channel_max(a: npt.NDArray[np.generic]) -> npt.NDArray[np.generic]:
    """Per-pixel maximum over colour channels (OpenCV's reduce: numpy's is slow here)."""
    h, w, c = a.shape
    flat = np.ascontiguousarray(a).reshape(h * w, c)
    return np.asarray(cv2.reduce(flat, 1, cv2.REDUCE_MAX)).reshape(h, w)


def _fine_mask(
    img: Image, steady: Image, cfg: VisionConfig, scale: int = 1
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.float32]]:
    full_h, full_w = img.shape[:2]
    if scale > 1:
        size = (full_w // scale, full_h // scale)
        img = np.asarray(cv2.resize(img, size, interpolation=cv2.INTER_AREA), np.uint8)
        steady = np.asarray(cv2.resize(steady, size, interpolation=cv2.INTER_AREA), np.uint8)
    length = cfg.tophat_length_px
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1))
    # Extend the sides with their edge pixels: a mirrored border would mirror a target too,
    # and the water between a target and its mirror image would look like a bright blob.
    cut = slice(length, length + img.shape[1])
    white = cv2.morphologyEx(
        cv2.copyMakeBorder(steady, 0, 0, length, length, cv2.BORDER_REPLICATE),
        cv2.MORPH_TOPHAT, kernel,
    )
    # Dark targets against the frame with bright specks opened away: a closing would
    # otherwise bridge the water between two glints and call it dark.
    despeckled = cv2.morphologyEx(img, cv2.MORPH_OPEN, np.ones((1, 7), np.uint8))
    black = cv2.morphologyEx(
        cv2.copyMakeBorder(despeckled, 0, 0, length, length, cv2.BORDER_REPLICATE),
        cv2.MORPH_BLACKHAT, kernel,
    )
    resp = _channel_max(cv2.max(white, black))[:, cut].astype(np.float32)
    # Per-row texture level; smoothed over rows, which share a range and so a wave scale.
    row = cv2.reduce(resp, 1, cv2.REDUCE_AVG)
    row = cv2.GaussianBlur(row, (1, 9), 0)
    thr = np.maximum(cfg.fine_floor, cfg.fine_k * row)
    z = resp / thr
    if scale > 1:
        z = cv2.resize(z, (full_w, full_h), interpolation=cv2.INTER_NEAREST)
    return z > 1.0, z


def _coarse_mask(
    img: Image, steady: Image, cfg: VisionConfig, horizon_row: int
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.float32]]:
    h, w = img.shape[:2]
    sh, sw = max(1, h // 4), max(8, w // 4)
    small = cv2.resize(img, (sw, sh), interpolation=cv2.INTER_AREA).astype(np.float32)
    small_steady = cv2.resize(steady, (sw, sh), interpolation=cv2.INTER_AREA).astype(np.float32)
    # Background = row median (one range, one wave scale) plus a smooth per-column bias
    # (sun side brighter): medians over whole rows and whole columns, so a target would
    # have to fill half the width or half the band's height to pull them.
    row_med = np.median(small, axis=1, keepdims=True)
    col_bias = np.median(small - row_med, axis=0, keepdims=True)
    col_bias = cv2.blur(col_bias, (15, 1))
    bg = row_med + col_bias
    resid = _channel_max(np.maximum(small_steady - bg, bg - small)).astype(np.float32)
    # The row's texture level from this frame alone. `resid` mixes two images: where the
    # water moved between frames (near the camera, under way) the steady minimum is darker
    # than this frame, so resid turns negative for half the row, its median collapses to ~0,
    # and every wave trough near the bow stood out against the bare floor as a target.
    spread = _channel_max(np.abs(small - bg)).astype(np.float32)
    mad = np.median(spread, axis=1, keepdims=True) * 1.4826 + 1.0
    thr = np.maximum(cfg.coarse_floor, cfg.coarse_k * mad)
    z = resid / thr
    # The quarter-size row holding the horizon averages sky or shore with water: where the
    # shore is low the haze-bright sky shows through it, a long static strip.
    if horizon_row // 4 < sh:  # (a band cut short by the frame's bottom edge may end there)
        z[horizon_row // 4] = 0.0
    big = cv2.resize(z, (w, h), interpolation=cv2.INTER_NEAREST)
    return big > 1.0, big


def _extend_up(mask: npt.NDArray[np.bool_], x: int, w: int, hr: int, max_rows: int) -> int:
    """Top row of a target that rises above the horizon (cabin, mast) over sky or shore."""
    top = hr + 1
    need = max(1, int(0.25 * w))
    for r in range(hr, max(-1, hr - max_rows), -1):
        if int(mask[r, x : x + w].sum()) < need:
            break
        top = r
    return top
