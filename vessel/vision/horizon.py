"""Finds the horizon (the far edge of the water) as a straight line in a frame.

Candidates are the strong vertical-gradient peaks in each column inside a window around the
attitude-predicted line; a RANSAC line through them is refined at full resolution with
sub-pixel peaks and a least-squares fit. Tree tops and buildings do not line up, waves are
weak far away, so the long straight water edge wins.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
import numpy.typing as npt

Line = tuple[float, float, float, float]
_SCALE = 4  # work on a quarter-size image for the search


def estimate_horizon(
    frame_bgr: npt.NDArray[np.uint8],
    predicted: Line | None,
    search_px: float,
    max_slope: float,
    rng_seed: int = 0,
) -> Line | None:
    """The horizon line (x1, y1, x2, y2) at the image edges, or None when not visible."""
    h, w = frame_bgr.shape[:2]
    small = cv2.resize(frame_bgr, (w // _SCALE, h // _SCALE), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (3, 3), 0)
    grad = np.abs(cv2.Sobel(small, cv2.CV_32F, 0, 1, ksize=3)).sum(axis=2)
    sh, sw = grad.shape
    cols = np.arange(1, sw - 1, 2)
    if predicted is None:
        y_pred = np.full(cols.shape, sh / 2.0)
        half = sh / 2.0
    else:
        x1, y1, x2, y2 = predicted
        y_pred = (y1 + (y2 - y1) * (cols * _SCALE - x1) / (x2 - x1)) / _SCALE
        half = search_px / _SCALE
    # One window of rows per sampled column, all columns at once.
    n_rows = int(min(sh - 2, 2 * math.ceil(half) + 1))
    start = np.clip(np.round(y_pred - n_rows / 2).astype(int), 0, sh - n_rows)
    rows = start[:, None] + np.arange(n_rows)[None, :]
    win = grad[rows, cols[:, None]]  # (columns, rows)
    top = win.max(axis=1, keepdims=True)
    floor = 12.0  # grey levels per pixel of gradient below which there is no edge
    inner = win[:, 1:-1]
    peak = (inner >= win[:, :-2]) & (inner > win[:, 2:]) & (inner >= 0.35 * top) & (top >= floor)
    # Up to three local maxima per column, strongest first.
    score = np.where(peak, inner, -1.0)
    order = np.argsort(-score, axis=1)[:, :3]
    top3 = np.take_along_axis(score, order, axis=1)
    ci, k = np.nonzero(top3 > 0)
    if ci.size < 10:
        return None
    r = order[ci, k] + 1
    arr = np.stack(
        [cols[ci].astype(float), (start[ci] + r).astype(float), win[ci, r].astype(float)], axis=1
    )
    best = _ransac(arr, max_slope, tol=1.2, iters=150, seed=rng_seed)
    if best is None:
        return None
    slope, icpt, inliers = best
    if not _long_enough(arr, inliers, len(cols), sw):
        return None
    # A shoreline gives two long edges (sky/land above, land/water below): the water's edge
    # is the lowest line that is nearly as well supported as the best one.
    for _ in range(3):
        # Swell lines are straight too, so only look just below (a land band's height).
        gap = arr[:, 1] - (arr[:, 0] * slope + icpt)
        below = (gap > 2.0) & (gap < 6.0)
        if below.sum() < 10:
            break
        lower = _ransac(arr[below], max_slope, tol=1.2, iters=100, seed=rng_seed + 1)
        if lower is None or not _long_enough(arr[below], lower[2], len(cols), sw):
            break
        if lower[2].sum() < 0.5 * inliers.sum():
            break
        slope, icpt, inliers = lower
    # Refine at full resolution: sub-pixel gradient peaks near the coarse line.
    line = _refine(frame_bgr, slope, icpt * _SCALE + (_SCALE - 1) / 2.0)
    # Once more around the refined line: a coarse line tilted across hills and dips (a low
    # shore) leaves the water's edge at the window's end at one side; the first pass tilts
    # toward it, the second reaches it.
    if line is not None:
        x1, y1, x2, y2 = line
        s2 = (y2 - y1) / (x2 - x1)
        line = _refine(frame_bgr, s2, y1 - s2 * x1)
    return line


def _long_enough(
    arr: npt.NDArray[np.float64], inliers: npt.NDArray[np.bool_], n_cols: int, width: int
) -> bool:
    if inliers.sum() < 0.3 * n_cols:
        return False
    xs = arr[inliers, 0]
    return bool(xs.max() - xs.min() >= 0.4 * width)


def _ransac(
    arr: npt.NDArray[np.float64], max_slope: float, tol: float, iters: int, seed: int
) -> tuple[float, float, npt.NDArray[np.bool_]] | None:
    rng = np.random.default_rng(seed)
    n = len(arr)
    best: tuple[float, float, npt.NDArray[np.bool_]] | None = None
    best_score = -1.0
    x, y, wgt = arr[:, 0], arr[:, 1], arr[:, 2]
    for _ in range(iters):
        i, j = rng.integers(0, n, 2)
        if abs(x[i] - x[j]) < 10:
            continue
        slope = (y[j] - y[i]) / (x[j] - x[i])
        if abs(slope) > max_slope:
            continue
        icpt = y[i] - slope * x[i]
        inl = np.abs(y - (slope * x + icpt)) < tol
        # Count each column once so three peaks in one column cannot outvote a long line.
        score = float(np.sqrt(wgt[inl]).sum())
        if score > best_score:
            best_score, best = score, (slope, icpt, inl)
    if best is None:
        return None
    slope, icpt, inl = best
    fit = np.polyfit(x[inl], y[inl], 1)
    inl = np.abs(y - np.polyval(fit, x)) < tol
    return float(fit[0]), float(fit[1]), inl


def _refine(frame_bgr: npt.NDArray[np.uint8], slope: float, icpt_full: float) -> Line | None:
    h, w = frame_bgr.shape[:2]
    x = np.arange(4, w - 4, 8)
    a = np.round(icpt_full + slope * x).astype(int) - 10
    ok = (a >= 1) & (a + 21 <= h - 1)
    x, a = x[ok], a[ok]
    if x.size < 10:
        return (0.0, icpt_full, float(w - 1), icpt_full + slope * (w - 1))
    # Average 5 columns against noise, then the vertical gradient profile; colour matters:
    # dark trees and dark water can share a grey level.
    r0, r1 = int(a.min()) - 1, int(a.max()) + 22
    strip = cv2.blur(frame_bgr[r0:r1], (5, 1))
    rows = a[:, None] - r0 + np.arange(-1, 22)[None, :]  # (columns, 23 rows)
    prof = strip[rows, x[:, None]].astype(np.float32)  # (columns, rows, 3)
    g = np.abs(prof[:, 2:] - prof[:, :-2]).sum(axis=2)  # g[:, i] centred on row a + i
    top = g.max(axis=1, keepdims=True)
    inner = g[:, 1:-1]
    # The lowest strong edge: land above water gives two, the water's edge is below.
    strong = (
        (inner >= np.maximum(0.15 * top, 10.0)) & (inner >= g[:, :-2]) & (inner > g[:, 2:])
    )
    has = strong.any(axis=1) & (top[:, 0] >= 4.0)
    if has.sum() < 10:
        return (0.0, icpt_full, float(w - 1), icpt_full + slope * (w - 1))
    k = inner.shape[1] - np.argmax(strong[:, ::-1], axis=1)  # index in g of the lowest
    idx = np.arange(g.shape[0])
    gm, g0, gp = g[idx, k - 1], g[idx, k], g[idx, k + 1]
    den = gm - 2 * g0 + gp
    off = np.where(den != 0, 0.5 * (gm - gp) / np.where(den != 0, den, 1.0), 0.0)
    xa = x[has].astype(float)
    ya = (a + k + off)[has]
    fit = np.polyfit(xa, ya, 1)
    for _ in range(2):  # trim outliers (a boat on the line) and refit
        res = np.abs(ya - np.polyval(fit, xa))
        keep = res < max(0.8, 2.5 * float(np.median(res)))
        if keep.sum() < 10:
            break
        fit = np.polyfit(xa[keep], ya[keep], 1)
    s, c = float(fit[0]), float(fit[1])
    return 0.0, c, float(w - 1), c + s * (w - 1)


def roll_of_line(line: Line) -> float:
    """Image-plane angle of a line in degrees (positive when the right end is lower)."""
    x1, y1, x2, y2 = line
    return math.degrees(math.atan2(y2 - y1, x2 - x1))
