"""Frame sources for the vision command: a video file, an image folder or a camera URL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from vessel.errors import VesselError

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp"}
Frame = npt.NDArray[np.uint8]


class SourceError(VesselError):
    """A frame source could not be opened."""


def open_frames(source: str, default_fps: float = 10.0) -> Iterator[tuple[float, Frame]]:
    """Yield (t_s, frame_bgr) from a folder (name order), a video file or a camera URL.

    Time is the stream's own (frame index / fps for folders, the container's position for
    videos), so a replay gives the same results as the live run.
    """
    path = Path(source)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not files:
            raise SourceError(f"{source}: no image files in this folder")
        return _folder(files, default_fps)
    if "://" not in source and not path.exists():
        raise SourceError(f"{source}: no such file or folder")
    cap = cv2.VideoCapture(source)
    if not cap.isOpened():
        raise SourceError(f"{source}: cannot open as video or camera stream")
    return _video(cap, default_fps)


def _folder(files: list[Path], fps: float) -> Iterator[tuple[float, Frame]]:
    for i, p in enumerate(files):
        img = cv2.imread(str(p), cv2.IMREAD_COLOR)
        if img is None:
            continue  # unreadable file: skipped, as a camera drops a frame
        yield i / fps, np.asarray(img, np.uint8)


def _video(cap: cv2.VideoCapture, fps_default: float) -> Iterator[tuple[float, Frame]]:
    fps = cap.get(cv2.CAP_PROP_FPS) or fps_default
    index = 0
    try:
        while True:
            ok, img = cap.read()
            if not ok:
                return
            pos_ms = cap.get(cv2.CAP_PROP_POS_MSEC)
            yield (pos_ms / 1000.0 if pos_ms > 0 else index / fps), np.asarray(img, np.uint8)
            index += 1
    finally:
        cap.release()
