"""Cameras read through `cv2.VideoCapture` (RTSP, devices, video files) and image folders.

Video files and image folders stand in for live cameras: they are paced at their frame
rate and loop at the end, so an agent fed from a recording behaves as on site.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from edge.camera.base import FrameSource
from edge.camera.errors import CameraDeviceError

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp")


class _Pacer:
    """Keeps a file-backed source at its nominal frame rate."""

    def __init__(self, fps: float) -> None:
        self.period_s = 1.0 / fps if fps > 0 else 0.0
        self._due = time.monotonic()

    def delay_s(self) -> float:
        now = time.monotonic()
        self._due = max(self._due + self.period_s, now - self.period_s)
        return max(0.0, self._due - now)


class OpenCvSource(FrameSource):
    """`rtsp://…`, `device://N`, `/dev/videoN`, or a video file (paced, looping)."""

    def __init__(
        self, url: str, source: str | int, *, is_file: bool = False, loop: bool = True,
        **kwargs: Any,
    ) -> None:  # fmt: skip
        self.source = source
        self.is_file = is_file
        self.loop = loop
        self._cap: cv2.VideoCapture | None = None
        self._pacer = _Pacer(0.0)
        super().__init__(url, **kwargs)

    def _connect(self) -> None:
        timeout_ms = int(self.read_timeout_s * 1000)
        params = [
            cv2.CAP_PROP_OPEN_TIMEOUT_MSEC,
            timeout_ms,
            cv2.CAP_PROP_READ_TIMEOUT_MSEC,
            timeout_ms,
        ]
        api = (
            cv2.CAP_FFMPEG if isinstance(self.source, str) and "://" in self.source else cv2.CAP_ANY
        )
        cap = cv2.VideoCapture(self.source, api, params)
        if not cap.isOpened():
            cap.release()
            raise CameraDeviceError(f"{self.url}: cannot open")
        self._cap = cap
        fps = cap.get(cv2.CAP_PROP_FPS) if self.is_file else 0.0
        self._pacer = _Pacer(fps if 0 < fps < 1000 else 25.0 if self.is_file else 0.0)

    def _grab(self) -> np.ndarray | None:
        assert self._cap is not None
        ok, image = self._cap.read()
        if not ok and self.is_file and self.loop:
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, image = self._cap.read()
        if not ok:
            if self.is_file and not self.loop:
                self._stop.wait()  # played once: keep the buffer, wait for close
                return None
            raise CameraDeviceError(f"{self.url}: read failed")
        if self.is_file and self._wait(self._pacer.delay_s()):
            return None
        return image

    def _disconnect(self) -> None:
        cap, self._cap = self._cap, None
        if cap is not None:
            cap.release()


class ImageFolderSource(FrameSource):
    """A folder of images played in name order at `fps`, looping; JPEGs kept as bytes."""

    def __init__(
        self, url: str, folder: Path, *, fps: float = 10.0, loop: bool = True, **kwargs: Any
    ) -> None:
        self.folder = folder
        self.fps = fps
        self.loop = loop
        self._files: list[Path] = []
        self._next = 0
        self._misses = 0
        self._pacer = _Pacer(fps)
        super().__init__(url, **kwargs)

    def _connect(self) -> None:
        self._files = sorted(p for p in self.folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not self._files:
            raise CameraDeviceError(f"{self.url}: no images in {self.folder}")
        self._next = 0

    def _grab(self) -> np.ndarray | bytes | None:
        while True:
            if self._next >= len(self._files):
                if not self.loop:
                    self._stop.wait()  # played once: keep the buffer, wait for close
                    return None
                self._next = 0
            path = self._files[self._next]
            self._next += 1
            if self._wait(self._pacer.delay_s()):
                return None
            data = self._read(path)
            if data is not None:
                self._misses = 0
                return data
            self._bad_frames += 1
            self._misses += 1
            if self._misses >= len(self._files):
                raise CameraDeviceError(f"{self.url}: no readable image")

    @staticmethod
    def _read(path: Path) -> np.ndarray | bytes | None:
        try:
            if path.suffix.lower() in (".jpg", ".jpeg"):
                data = path.read_bytes()
                return data if data.startswith(b"\xff\xd8") else None
            return cv2.imread(str(path), cv2.IMREAD_COLOR)
        except OSError:
            return None

    def _disconnect(self) -> None:
        self._files = []
