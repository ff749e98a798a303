"""Pick the frames of a vehicle from its lane's cameras and read its plate."""

from __future__ import annotations

import hashlib
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
    t_host_s: float | None = None  # the first-axle instant on the host clock

    @property
    def frame_offset_s(self) -> float | None:
        """How long after the first-axle instant the chosen frame arrived (host clock)."""
        if self.frame is None or self.t_host_s is None:
            return None
        return self.frame.t_s - self.t_host_s

    @property
    def image(self) -> np.ndarray | None:
        return None if self.frame is None else self.frame.image


def candidate_frames(source: FrameSource, t_host_s: float, options: ViolationSection,
                     rate: float = 1.0, t_end_host_s: float | None = None) -> list[TimedFrame]:
    """Frames within the window around `t_host_s`, best first (nearest the capture instant).

    The window is vehicle time (DAQ seconds); `rate` (host s per DAQ s, 1 on a real site)
    scales it to the cameras' clock. `t_end_host_s` (the last axle) ends it early, though
    never before the capture instant: after that the next vehicle may be the one in view.
    """
    before, after = options.window_before_s * rate, options.window_after_s * rate
    target = t_host_s + options.capture_offset_s * rate
    end = t_host_s + after
    if t_end_host_s is not None:
        end = min(end, max(t_end_host_s, target))
    frames = [f for f in source.frames_near(t_host_s, max(before, after))
              if t_host_s - before <= f.t_s <= end]
    return sorted(frames, key=lambda f: abs(f.t_s - target))


def capture(camera_id: str, source: FrameSource, t_host_s: float | None, read: PlateReadFn,
            options: ViolationSection, rate: float = 1.0,
            t_end_host_s: float | None = None) -> CameraCapture:
    """Read plates in up to `max_reads` frames; keep the best read and the frame it came from."""
    state = source.health().state
    if t_host_s is None:
        return CameraCapture(camera_id, None, None, 0, state, "DAQ time not mapped yet")
    frames = candidate_frames(source, t_host_s, options, rate, t_end_host_s)
    if not frames:
        return CameraCapture(camera_id, None, None, 0, state, "no frame near the passage",
                             t_host_s)
    best: tuple[TimedFrame, PlateRead] | None = None
    tried = 0
    usable: TimedFrame | None = None
    seen: set[bytes] = set()
    for frame in frames:
        if tried >= options.max_reads:
            break
        if isinstance(frame.data, bytes):
            # A camera repeating a frame (a still scene, a stalled encoder): read it once.
            digest = hashlib.blake2b(frame.data, digest_size=16).digest()
            if digest in seen:
                continue
            seen.add(digest)
        try:
            image = frame.image
        except Exception as exc:  # a corrupt JPEG costs this frame only
            log.warning("camera %s frame %d unreadable: %s", camera_id, frame.seq, exc)
            continue
        usable = usable or frame
        tried += 1
        try:
            plates = read(image)
        except Exception:  # a reader fault costs the plate, never the violation
            log.exception("camera %s frame %d: plate reader failed", camera_id, frame.seq)
            plates = []
        if plates and (best is None or plates[0].confidence > best[1].confidence):
            best = (frame, plates[0])
        if best is not None and best[1].confidence >= options.good_confidence:
            break
    if best is not None:
        return CameraCapture(camera_id, best[0], best[1], tried, state, None, t_host_s)
    if usable is None:
        return CameraCapture(camera_id, None, None, tried, state, "frames not decodable",
                             t_host_s)
    return CameraCapture(camera_id, usable, None, tried, state, "no plate read", t_host_s)


def best_capture(captures: Sequence[CameraCapture]) -> CameraCapture | None:
    """The capture with the most confident plate read, else the first with a frame."""
    with_read = [c for c in captures if c.read is not None]
    if with_read:
        return max(with_read, key=lambda c: c.read.confidence if c.read else 0.0)
    return next((c for c in captures if c.frame is not None), None)
