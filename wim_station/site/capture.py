"""Pick the frames of a vehicle from its lane's cameras and read its plate."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from edge.camera import FrameSource, TimedFrame
from wim_station.anpr import PlateRead
from wim_station.site.options import ViolationSection

log = logging.getLogger(__name__)

PlateReadFn = Callable[[np.ndarray], list[PlateRead]]


@dataclass(frozen=True)
class CameraCapture:
    """What one camera gave for a vehicle: the chosen frame (None: nothing usable) and plate."""

    camera_id: str
    frame: TimedFrame | None
    read: PlateRead | None
    frames_read: int
    state: str  # camera state from its health at capture time
    error: str | None = None

    @property
    def image(self) -> np.ndarray | None:
        return None if self.frame is None else self.frame.image


def candidate_frames(source: FrameSource, t_host_s: float,
                     options: ViolationSection) -> list[TimedFrame]:
    """Frames within the window around `t_host_s`, best first (nearest the capture instant)."""
    span = max(options.window_before_s, options.window_after_s)
    target = t_host_s + options.capture_offset_s
    frames = [f for f in source.frames_near(t_host_s, span)
              if t_host_s - options.window_before_s <= f.t_s <= t_host_s + options.window_after_s]
    return sorted(frames, key=lambda f: abs(f.t_s - target))


def capture(camera_id: str, source: FrameSource, t_host_s: float | None, read: PlateReadFn,
            options: ViolationSection) -> CameraCapture:
    """Read plates in up to `max_reads` frames; keep the best read and the frame it came from."""
    state = source.health().state
    if t_host_s is None:
        return CameraCapture(camera_id, None, None, 0, state, "DAQ time not mapped yet")
    frames = candidate_frames(source, t_host_s, options)
    if not frames:
        return CameraCapture(camera_id, None, None, 0, state, "no frame near the passage")
    best: tuple[TimedFrame, PlateRead] | None = None
    tried = 0
    usable: TimedFrame | None = None
    for frame in frames[: options.max_reads]:
        try:
            image = frame.image
        except Exception as exc:  # a corrupt JPEG costs this frame only
            log.warning("camera %s frame %d unreadable: %s", camera_id, frame.seq, exc)
            continue
        usable = usable or frame
        tried += 1
        plates = read(image)
        if plates and (best is None or plates[0].confidence > best[1].confidence):
            best = (frame, plates[0])
        if best is not None and best[1].confidence >= options.good_confidence:
            break
    if best is not None:
        return CameraCapture(camera_id, best[0], best[1], tried, state)
    if usable is None:
        return CameraCapture(camera_id, None, None, tried, state, "frames not decodable")
    return CameraCapture(camera_id, usable, None, tried, state, "no plate read")


def best_capture(captures: Sequence[CameraCapture]) -> CameraCapture | None:
    """The capture with the most confident plate read, else the first with a frame."""
    with_read = [c for c in captures if c.read is not None]
    if with_read:
        return max(with_read, key=lambda c: c.read.confidence if c.read else 0.0)
    return next((c for c in captures if c.frame is not None), None)
