"""The PP-OCR text-line recogniser shipped in the `rapidocr` wheel, run through `cv2.dnn`.

The wheel (Apache-2.0) is only a carrier for the ONNX file: we find it with `importlib` and
never import the package. The character dictionary lives in the ONNX metadata (`character`),
read here with a minimal protobuf walk so no `onnx` package is needed.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from wim_station.anpr.errors import ModelError

_INPUT_HEIGHT_PX = 48  # PP-OCR rec models are trained on 48-px high text lines


def find_model(package: str, filename: str) -> Path:
    """Path of `filename` in the `models` folder of an installed package, without importing it."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError) as exc:
        raise ModelError(f"cannot look up package {package!r}: {exc}") from exc
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(f"package {package!r} is not installed (pip install {package})")
    for root in spec.submodule_search_locations:
        path = Path(root) / "models" / filename
        if path.is_file():
            return path
    raise ModelError(f"{filename} not found in package {package!r}")


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = buf[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, i


def _fields(buf: bytes) -> list[tuple[int, bytes | int]]:
    """Top-level (field number, value) pairs of a protobuf message."""
    out: list[tuple[int, bytes | int]] = []
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(buf, i)
            out.append((number, value))
        elif wire == 2:
            n, i = _varint(buf, i)
            out.append((number, buf[i : i + n]))
            i += n
        elif wire in (1, 5):
            i += 8 if wire == 1 else 4
        else:
            raise ModelError(f"unsupported protobuf wire type {wire}")
    return out


def read_onnx_metadata(path: Path) -> dict[str, str]:
    """The `metadata_props` (ModelProto field 14) of an ONNX file."""
    meta: dict[str, str] = {}
    try:
        for number, value in _fields(path.read_bytes()):
            if number == 14 and isinstance(value, bytes):
                entry = {n: v for n, v in _fields(value) if isinstance(v, bytes)}
                meta[entry.get(1, b"").decode()] = entry.get(2, b"").decode()
    except (IndexError, UnicodeDecodeError, OSError) as exc:
        raise ModelError(f"cannot read ONNX metadata of {path}: {exc}") from exc
    return meta


@dataclass(frozen=True)
class LineRead:
    """A greedy CTC read: the text and each character's probability."""

    text: str
    char_probs: tuple[float, ...]


class TextLineRecognizer:
    """CTC text-line recogniser restricted to an allowed character set."""

    def __init__(self, model_path: Path, allowed_chars: str, max_width_px: int = 320) -> None:
        meta = read_onnx_metadata(model_path)
        if "character" not in meta:
            raise ModelError(f"{model_path} carries no character dictionary")
        # Class 0 is the CTC blank; the dictionary follows; the last class is a space.
        self.classes = ["", *meta["character"].splitlines(), " "]
        try:
            self._net = cv2.dnn.readNetFromONNX(str(model_path))
        except cv2.error as exc:
            raise ModelError(f"cv2.dnn cannot load {model_path}: {exc}") from exc
        index = {c: i for i, c in enumerate(self.classes) if c}
        missing = [c for c in allowed_chars if c not in index]
        if missing:
            raise ModelError(f"model dictionary lacks {''.join(missing)}")
        self._allowed = np.array([0, *(index[c] for c in allowed_chars)])
        self._max_width_px = max_width_px
        self.alphabet = allowed_chars

    def probabilities(self, line_bgr: np.ndarray) -> np.ndarray:
        """Per-timestep probabilities (T, 1 + len(alphabet)) of blank and each allowed character."""
        h, w = line_bgr.shape[:2]
        width = int(min(self._max_width_px, max(16, np.ceil(_INPUT_HEIGHT_PX * w / max(h, 1)))))
        width = (width + 7) // 8 * 8
        resized = cv2.resize(line_bgr, (width, _INPUT_HEIGHT_PX), interpolation=cv2.INTER_AREA)
        blob = cv2.dnn.blobFromImage(resized, 1 / 127.5, mean=(127.5, 127.5, 127.5))
        self._net.setInput(blob)
        out = np.asarray(self._net.forward())
        full = out.reshape(out.shape[-2], out.shape[-1])
        probs = full[:, self._allowed].astype(np.float64)
        # Mass on symbols outside the plate alphabet (the separator dot, punctuation) counts as
        # blank: such a symbol separates characters, so "FF" across the dot stays two Fs.
        probs[:, 0] += np.clip(full.sum(axis=1) - probs.sum(axis=1), 0.0, None)
        return probs

    def read(self, line_bgr: np.ndarray) -> LineRead:
        """Read one text line (any size, BGR): greedy CTC over the allowed characters."""
        return greedy_decode(self.probabilities(line_bgr), self.alphabet)


def greedy_decode(probs: np.ndarray, alphabet: str) -> LineRead:
    """Best class per timestep, repeats merged, blanks dropped (CTC best path)."""
    best = probs.argmax(axis=1)
    chars: list[str] = []
    char_probs: list[float] = []
    prev = 0
    for t, k in enumerate(best):
        if k != 0 and k != prev:
            chars.append(alphabet[k - 1])
            char_probs.append(float(probs[t, k]))
        elif k != 0:
            char_probs[-1] = max(char_probs[-1], float(probs[t, k]))
        prev = int(k)
    return LineRead("".join(chars), tuple(char_probs))
