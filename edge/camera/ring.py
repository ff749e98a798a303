"""The last seconds of frames, searchable by time (thread-safe, no clock of its own)."""

from __future__ import annotations

import bisect
import threading
from collections import deque

from edge.camera.frame import TimedFrame


class FrameRing:
    """Keeps frames younger than `max_age_s` (relative to the newest) within `max_bytes`."""

    def __init__(self, max_age_s: float = 10.0, max_bytes: int = 512 * 1024 * 1024) -> None:
        self.max_age_s = max_age_s
        self.max_bytes = max_bytes
        self._frames: deque[TimedFrame] = deque()
        self._bytes = 0
        self._lock = threading.Lock()

    def push(self, frame: TimedFrame) -> None:
        """Add the newest frame (timestamps must not go backwards) and evict old ones."""
        with self._lock:
            if self._frames and frame.t_s < self._frames[-1].t_s:
                # A clock step backwards: older frames can no longer be searched by time.
                self._frames.clear()
                self._bytes = 0
            self._frames.append(frame)
            self._bytes += frame.nbytes
            oldest_allowed = frame.t_s - self.max_age_s
            while len(self._frames) > 1 and (
                self._frames[0].t_s < oldest_allowed or self._bytes > self.max_bytes
            ):
                self._bytes -= self._frames.popleft().nbytes

    def latest(self) -> TimedFrame | None:
        """The newest frame, if any."""
        with self._lock:
            return self._frames[-1] if self._frames else None

    def closest(self, t_s: float, max_gap_s: float | None = None) -> TimedFrame | None:
        """The frame nearest in time to `t_s` (None if empty or farther than `max_gap_s`)."""
        with self._lock:
            frames = list(self._frames)
        if not frames:
            return None
        i = bisect.bisect_left([f.t_s for f in frames], t_s)
        candidates = frames[max(0, i - 1) : i + 1]
        best = min(candidates, key=lambda f: abs(f.t_s - t_s))
        if max_gap_s is not None and abs(best.t_s - t_s) > max_gap_s:
            return None
        return best

    def frames_near(self, t_s: float, window_s: float) -> list[TimedFrame]:
        """Frames with `|t - t_s| <= window_s`, oldest first."""
        with self._lock:
            return [f for f in self._frames if abs(f.t_s - t_s) <= window_s]

    def span_s(self) -> tuple[float, float] | None:
        """Oldest and newest timestamps held."""
        with self._lock:
            return (self._frames[0].t_s, self._frames[-1].t_s) if self._frames else None

    def __len__(self) -> int:
        with self._lock:
            return len(self._frames)
