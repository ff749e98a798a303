"""Plate reading: locate candidates, rectify, recognise, apply the grammar, score."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from wim_station.anpr import color as plate_color
from wim_station.anpr import grammar
from wim_station.anpr.config import AnprConfig
from wim_station.anpr.decode import PathRead, decode
from wim_station.anpr.locate import Candidate, find_candidates
from wim_station.anpr.model import TextLineRecognizer, find_model, greedy_decode

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
    evidence: float  # the read's own certainty, before the plate-size discount
    valid: bool
    greedy: str  # the unconstrained read, for deciding whether to look further


class PlateReader:
    """Finds and reads Chinese plates in BGR frames. Thread-unsafe: one per thread."""

    def __init__(self, config: AnprConfig | None = None) -> None:
        self.config = config or AnprConfig()
        path = find_model(self.config.model_package, self.config.model_file)
        self._rec = TextLineRecognizer(path, grammar.OCR_ALPHABET)
        alphabet = self._rec.alphabet
        self._fold = [(alphabet.index(a) + 1, alphabet.index(b) + 1) for a, b in (("I", "1"),
                                                                                ("O", "0"))]
        # the first forward pass allocates the network; pay it now, not on the first truck
        self._rec.read(np.full((_ROW_H_PX, 3 * _ROW_H_PX, 3), 128, np.uint8))
        self._budget = 0  # recogniser passes left for the frame being read

    def read(self, image_bgr: np.ndarray) -> list[PlateRead]:
        """All plates read in the frame, best first (empty when none)."""
        if image_bgr.ndim == 2:
            image_bgr = cv2.cvtColor(image_bgr, cv2.COLOR_GRAY2BGR)
        cfg = self.config
        night = plate_color.is_grey(image_bgr[:: max(1, image_bgr.shape[0] // 64)])
        self._budget = cfg.max_reads_per_frame
        attempts: list[tuple[Candidate, _Attempt]] = []
        sure: list[PlateRead] = []
        # First pass: one read per candidate, best places first, until enough plates are sure.
        for cand in find_candidates(image_bgr, cfg.work_width_px, cfg.min_plate_width_px,
                                    cfg.max_plate_width_px, cfg.max_candidates):
            if len(sure) >= cfg.max_plates or self._budget <= 0:
                break
            if _inside_any(cand.quad.mean(axis=0), sure):
                continue  # another view of a plate already read with confidence
            reader = self._read_double if cand.double_row else self._read_single
            attempt = reader(image_bgr, cand.quad, night)
            if attempt is not None:
                attempts.append((cand, attempt))
                if attempt.evidence >= cfg.retry_below:
                    sure.append(attempt.read)
        # Second pass: weak reads with some text may be part of a plate; grow them, most
        # promising first, while the budget lasts.
        if len(sure) < cfg.max_plates:
            # confidences of weak reads are all near 0; plate paint and more characters seen
            # are the better hints of a real plate part
            weak = sorted((i for i, (_, a) in enumerate(attempts) if _worth_growing(a, cfg)),
                          key=lambda i: (not attempts[i][0].source.startswith("color"),
                                         -len(attempts[i][1].greedy)))
            for i in weak:
                cand, attempt = attempts[i]
                if _inside_any(cand.quad.mean(axis=0), sure):
                    continue
                attempts[i] = (cand, self._grow(image_bgr, cand, attempt, night))
                if attempts[i][1].evidence >= cfg.retry_below:
                    sure.append(attempts[i][1].read)
                    if len(sure) >= cfg.max_plates:
                        break
        kept = [a for _, a in attempts if a.valid or cfg.report_weak]
        kept.sort(key=lambda a: (a.valid, a.evidence), reverse=True)
        return _distinct([a.read for a in kept])

    def _grow(self, image: np.ndarray, cand: Candidate, first: _Attempt,
              night: bool) -> _Attempt:
        """Try the larger plates a weakly read candidate may be part of; keep the best read."""
        q = cand.quad
        retries = []
        if any(c in grammar.PROVINCES for c in first.greedy[:1]) and len(first.greedy) <= 3:
            # the top row of a double-row plate (220 x 60 mm of characters, grown 1.1 x 1.5)
            retries.append((self._read_double, _extend(q, 0.41, 0.41, 0.0, 1.44)))
        elif not any(c in grammar.PROVINCES for c in first.greedy):
            retries += [
                # the green part of a yellow-green plate; the tail block of a single-row plate
                (self._read_single, _extend(q, left=0.37)),
                (self._read_single, _extend(q, left=0.55)),
                # the bottom row of a double-row plate (text box grown 1.5x: 165 of 220 mm)
                (self._read_double, _extend(q, up=0.4)),
            ]
        if not cand.double_row and _aspect(q) < 2.8:
            retries.append((self._read_double, q))
        best = first
        for method, quad in retries:
            if self._budget <= 0:
                break
            attempt = method(image, quad, night)
            if attempt is not None and attempt.evidence > best.evidence:
                best = attempt
                if best.evidence >= self.config.retry_below:
                    break
        return best

    def _read_single(self, image: np.ndarray, quad: np.ndarray, night: bool) -> _Attempt | None:
        plate = _rectify(image, quad, _aspect(quad))
        probs = self._probs(plate)
        reads = [decode(probs, self._rec.alphabet, t) for t in grammar.SINGLE_ROW]
        best = max((r for r in reads if r is not None), key=lambda r: r.log_score, default=None)
        if best is None:
            return None
        greedy = greedy_decode(probs, self._rec.alphabet).text
        return self._judge(best.text, best.kind, self._certainties(best), greedy, plate, quad,
                           night, double=False)

    def _read_double(self, image: np.ndarray, quad: np.ndarray, night: bool) -> _Attempt | None:
        plate = _rectify(image, quad, 2.0)
        top_row = _crop(plate, _TOP_ROW)
        # top-row characters are 80 x 60 mm: squeeze them to the square-ish shapes the
        # recogniser was trained on
        top_p = self._probs(cv2.resize(top_row, None, fx=0.75, fy=1.0,
                                       interpolation=cv2.INTER_AREA))
        bottom_p = self._probs(_crop(plate, _BOTTOM_ROW))
        top = decode(top_p, self._rec.alphabet, grammar.DOUBLE_TOP)
        bottom = decode(bottom_p, self._rec.alphabet, grammar.DOUBLE_BOTTOM)
        if top is None or bottom is None:
            return None
        greedy = (greedy_decode(top_p, self._rec.alphabet).text
                  + greedy_decode(bottom_p, self._rec.alphabet).text)
        certainties = self._certainties(top) + self._certainties(bottom)
        return self._judge(top.text + bottom.text, "standard", certainties,
                           greedy, plate, quad, night, double=True)

    def _probs(self, line_bgr: np.ndarray) -> np.ndarray:
        self._budget -= 1
        probs = self._rec.probabilities(line_bgr)
        # I and O are never issued: what looks like them is 1 and 0
        for never, digit in self._fold:
            probs[:, digit] += probs[:, never]
            probs[:, never] = 0.0
        return probs

    def _certainties(self, read: PathRead) -> tuple[float, ...]:
        """How sure each character is. The recogniser, trained on running text, often gives
        the province glyph little mass against blank; the layout guarantees a province there,
        so its certainty is its share among provinces once it shows at all."""
        if read.kind == "tail":
            return read.char_probs
        floor = self.config.province_presence_floor
        province = read.char_shares[0] * min(1.0, read.char_probs[0] / floor)
        return (province, *read.char_probs[1:])

    def _judge(self, text: str, kind: str, char_probs: tuple[float, ...], greedy: str,
               plate: np.ndarray, quad: np.ndarray, night: bool, double: bool) -> _Attempt:
        cfg = self.config
        evidence = min(char_probs)
        if greedy != text:  # the unconstrained read disagrees: the layout was forced
            evidence *= cfg.disagreement_factor
        paint = None if night else plate_color.classify(plate)
        colors = grammar.KIND_COLORS[kind]
        if paint is None or paint not in colors:
            if paint is not None:
                evidence *= cfg.color_mismatch_factor
            paint = colors[0] if len(colors) == 1 else _night_color(double, plate)
        # The recogniser stays sure of itself on plates too small to be sure of (every wrong
        # read in the benchmark was on a plate under 140 px): the reported confidence is
        # scaled down with the plate's width; the search itself works on the evidence.
        width_px = float(np.linalg.norm(quad[1] - quad[0]) + np.linalg.norm(quad[2] - quad[3])) / 2
        lo, hi = cfg.untrusted_plate_width_px, cfg.trusted_plate_width_px
        conf = evidence * float(np.clip((width_px - lo) / (hi - lo), 0.0, 1.0)) ** 0.5
        box = tuple((float(x), float(y)) for x, y in quad)
        return _Attempt(PlateRead(text, paint, conf, box), evidence,
                        evidence >= cfg.min_confidence, greedy)


def _worth_growing(attempt: _Attempt, cfg: AnprConfig) -> bool:
    """A weak read with a few characters, or a province and a letter (a top row)."""
    if attempt.evidence >= cfg.retry_below:
        return False
    greedy = attempt.greedy
    return len(greedy) >= 3 or (len(greedy) == 2 and greedy[0] in grammar.PROVINCES)


def _night_color(double: bool, plate: np.ndarray) -> str:
    """A standard plate whose paint is unseen (infrared): yellow if dark text, else blue."""
    if double:
        return "yellow"
    return "yellow" if plate_color.text_is_dark(plate) else "blue"


def _aspect(quad: np.ndarray) -> float:
    w = float(np.linalg.norm(quad[1] - quad[0]) + np.linalg.norm(quad[2] - quad[3])) / 2
    h = float(np.linalg.norm(quad[3] - quad[0]) + np.linalg.norm(quad[2] - quad[1])) / 2
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


def _extend(quad: np.ndarray, left: float = 0.0, right: float = 0.0, up: float = 0.0,
            down: float = 0.0) -> np.ndarray:
    """`quad` grown by fractions of its width (left, right) and height (up, down)."""
    tl, tr, br, bl = quad
    top_dir, bottom_dir = tr - tl, br - bl
    tl, bl = tl - top_dir * left, bl - bottom_dir * left
    tr, br = tr + top_dir * right, br + bottom_dir * right
    left_dir, right_dir = bl - tl, br - tr
    tl, tr = tl - left_dir * up, tr - right_dir * up
    bl, br = bl + left_dir * down, br + right_dir * down
    return np.array([tl, tr, br, bl], np.float32)


def _inside_any(point: np.ndarray, reads: list[PlateRead]) -> bool:
    pt = (float(point[0]), float(point[1]))
    return any(cv2.pointPolygonTest(np.array(r.box, np.float32).reshape(-1, 1, 2), pt, False)
               >= 0 for r in reads)


def _distinct(reads: list[PlateRead]) -> list[PlateRead]:
    """Keep the best read of each plate: one per text and one per place."""
    kept: list[PlateRead] = []
    for r in reads:
        if any(k.text == r.text for k in kept) or _inside_any(np.mean(r.box, axis=0), kept):
            continue
        kept.append(r)
    return kept
