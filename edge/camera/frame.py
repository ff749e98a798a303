"""A frame with the time it was received; JPEG-sourced frames decode only when asked."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import cv2
import numpy as np

from edge.camera.errors import CameraError


@dataclass(frozen=True)
class TimedFrame:
    """`t_s`: wall-clock seconds since the epoch when the frame arrived (time.time()).

    `data` is either a BGR image or the camera's own JPEG bytes: keeping the JPEG makes the
    ring buffer cheap and lets evidence keep the original bytes (`jpeg()`), untouched.
    """

    t_s: float
    seq: int
    data: np.ndarray | bytes

    @cached_property
    def image(self) -> np.ndarray:
        """The BGR image (decoded on first use)."""
        if isinstance(self.data, np.ndarray):
            return self.data
        image = cv2.imdecode(np.frombuffer(self.data, np.uint8), cv2.IMREAD_COLOR)
        if image is None:
            raise CameraError(f"frame {self.seq} is not a decodable JPEG")
        return image

    def jpeg(self, quality: int = 92) -> bytes:
        """JPEG bytes: the camera's original when it sent JPEG, else encoded now."""
        if isinstance(self.data, bytes):
            return self.data
        ok, buf = cv2.imencode(".jpg", self.data, [cv2.IMWRITE_JPEG_QUALITY, quality])
        if not ok:
            raise CameraError(f"frame {self.seq} could not be JPEG-encoded")
        return buf.tobytes()

    @property
    def nbytes(self) -> int:
        """Memory the frame holds (before decoding)."""
        return self.data.nbytes if isinstance(self.data, np.ndarray) else len(self.data)
