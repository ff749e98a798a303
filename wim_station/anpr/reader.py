"""Plate reading: locate candidates, rectify, recognise, apply the grammar, score."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from wim_station.anpr import color as plate_color
from wim_station.anpr import grammar
from wim_station.anpr.config import AnprConfig
from wim_station.anpr.locate import Candidate, find_candidates
from wim_station.anpr.model import LineRead, TextLineRecognizer, find_model

_ROW_H_PX = 64  # rectified single-row plate height; the recogniser rescales to 48
# Double-row plate (440 x 220 mm): the top row spans y 15-75 mm, the bottom row y 90-200 mm.
_TOP_ROW = (0.05, 0.36, 0.2, 0.8)  # y0, y1, x0, x1 as fractions of the plate
_BOTTOM_ROW = (0.38, 0.95, 0.02, 0.98)


@dataclass(frozen=True)
class PlateRead:
    """One plate read: text, paint colour, confidence in [0, 1], quad TL TR BR BL in pixels."""

    text: str
    color: str
    confidence: float
    box: tuple[tuple[float, float], ...]

    def to_json(self) -> dict[str, object]:
        """The JSON form of tools.md."""
        return {"text": self.text, "color": self.color, "confidence": round(self.confidence, 3),
                "box": [[round(x, 1), round(y, 1)] for x, y in self.box]}


@dataclass(frozen=True)
class _Attempt:
    read: PlateRead
    valid: bool


class PlateReader:
    """Finds and reads Chinese plates in BGR frames. Thread-unsafe: one per thread."""

    def __init__(self, config: AnprConfig | None = None) -> None:
        self.config = config or AnprConfig()
        path = find_model(self.config.model_package, self.config.model_file)
        self._rec = TextLineRecognizer(path, grammar.OCR_ALPHABET)

    def read(self, image_bgr: np.ndarray) -> list[PlateRead]:
        """All plates read in the frame, best first (empty when none)."""
        if image_bgr.ndim == 2:
            image_bgr = cv2.cvtColor(image_bgr, cv2.COLOR_GRAY2BGR)
        cfg = self.config
        night = plate_color.is_grey(image_bgr[:: max(1, image_bgr.shape[0] // 64)])
        attempts: list[_Attempt] = []
        for cand in find_candidates(image_bgr, cfg.work_width_px, cfg.min_plate_width_px,
                                    cfg.max_plate_width_px, cfg.max_candidates):
            attempt = self._read_candidate(image_bgr, cand, night)
            if attempt is not None and (attempt.valid or cfg.report_invalid):
                attempts.append(attempt)
        attempts.sort(key=lambda a: (a.valid, a.read.confidence), reverse=True)
        return _distinct([a.read for a in attempts])

    def _read_candidate(self, image: np.ndarray, cand: Candidate,
                        night: bool) -> _Attempt | None:
        first = (self._read_double if cand.double_row else self._read_single)(
            image, cand.quad, night)
        if first is None or first.valid or len(first.read.text) < 4:
            return first
        # Part of a plate read: try the plates this part may belong to.
        retries = []
        if not any(c in grammar.PROVINCES for c in first.read.text):
            # a colour blob of the green part of a yellow-green plate, or a truncated stroke row
            retries.append((self._read_single, _extend(cand.quad, left=0.37)))
            # the bottom row of a double-row plate
            retries.append((self._read_double, _extend(cand.quad, up=0.75)))
        if not cand.double_row and _aspect(cand.quad) < 2.8:
            retries.append((self._read_double, cand.quad))
        for method, quad in retries:
            attempt = method(image, quad, night)
            if attempt is not None and attempt.valid:
                return attempt
        return first

    def _read_single(self, image: np.ndarray, quad: np.ndarray, night: bool) -> _Attempt | None:
        plate = _rectify(image, quad, _aspect(quad))
        line = self._rec.read(plate)
        return self._judge(line, [line], plate, quad, night, double=False)

    def _read_double(self, image: np.ndarray, quad: np.ndarray, night: bool) -> _Attempt | None:
        plate = _rectify(image, quad, 2.0)
        top = self._rec.read(_crop(plate, _TOP_ROW))
        bottom = self._rec.read(_crop(plate, _BOTTOM_ROW))
        line = LineRead(top.text + bottom.text, top.char_probs + bottom.char_probs)
        return self._judge(line, [top, bottom], plate, quad, night, double=True)

    def _judge(self, line: LineRead, rows: list[LineRead], plate: np.ndarray, quad: np.ndarray,
               night: bool, double: bool) -> _Attempt | None:
        if not line.text:
            return None
        paint = None if night else plate_color.classify(plate)
        result = grammar.check(line.text, paint)
        if double and result.kind != "standard":
            result = grammar.GrammarResult(result.text, False, result.corrections, result.kind)
        probs = line.char_probs[-len(result.text):] if result.text else line.char_probs
        conf = min(probs) if probs else 0.0
        conf *= self.config.per_correction_factor ** result.corrections
        if not result.valid:
            conf *= self.config.invalid_factor
        color = paint or _night_color(result.kind, double, plate)
        box = tuple((float(x), float(y)) for x, y in quad)
        return _Attempt(PlateRead(result.text, color, float(conf), box), result.valid)


def _night_color(kind: str, double: bool, plate: np.ndarray) -> str:
    """Under infrared the paint is invisible; infer it from the layout and text polarity."""
    if kind == "nev-small":
        return "green"
    if kind == "nev-large":
        return "yellow-green"
    if double:
        return "yellow"
    return "yellow" if plate_color.text_is_dark(plate) else "blue"


def _aspect(quad: np.ndarray) -> float:
    w = (np.linalg.norm(quad[1] - quad[0]) + np.linalg.norm(quad[2] - quad[3])) / 2
    h = (np.linalg.norm(quad[3] - quad[0]) + np.linalg.norm(quad[2] - quad[1])) / 2
    return float(np.clip(w / max(h, 1e-6), 1.5, 6.0))


def _rectify(image: np.ndarray, quad: np.ndarray, aspect: float) -> np.ndarray:
    h = _ROW_H_PX * (2 if aspect < 2.4 else 1)
    w = round(h * aspect)
    dst = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    m = cv2.getPerspectiveTransform(quad.astype(np.float32), dst)
    return cv2.warpPerspective(image, m, (w, h), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_REPLICATE)


def _crop(plate: np.ndarray, frac: tuple[float, float, float, float]) -> np.ndarray:
    h, w = plate.shape[:2]
    y0, y1, x0, x1 = frac
    return plate[round(h * y0) : round(h * y1), round(w * x0) : round(w * x1)]


def _extend(quad: np.ndarray, left: float = 0.0, up: float = 0.0) -> np.ndarray:
    """`quad` grown leftwards by `left` of its width and upwards by `up` of its height."""
    grown = quad.copy()
    grown[0] += (quad[0] - quad[1]) * left
    grown[3] += (quad[3] - quad[2]) * left
    grown[0] += (quad[0] - quad[3]) * up
    grown[1] += (quad[1] - quad[2]) * up
    return grown


def _distinct(reads: list[PlateRead]) -> list[PlateRead]:
    """Keep the best read of each plate: one per text and one per place."""
    kept: list[PlateRead] = []
    for r in reads:
        centre = np.mean(r.box, axis=0)
        if any(k.text == r.text or cv2.pointPolygonTest(
                np.array(k.box, np.float32).reshape(-1, 1, 2), tuple(map(float, centre)),
                False) >= 0 for k in kept):
            continue
        kept.append(r)
    return kept
