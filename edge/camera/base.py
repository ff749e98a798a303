"""The `FrameSource` role: a camera that fills a ring buffer from a background thread.

The thread connects, grabs, and on any failure disconnects and tries again with an
exponential backoff; the caller never sees an exception, only `health()`. Frames carry the
wall-clock time they arrived (`time.time()`), the same clock as DAQ and GNSS timestamps,
so `closest(t_s)` finds the frame of the moment a vehicle crossed the sensors.
"""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from edge.camera.errors import CameraError
from edge.camera.frame import TimedFrame
from edge.camera.ring import FrameRing
from edge.closing import ClosedOnExit

CameraState = Literal["connecting", "streaming", "stalled", "reconnecting", "closed"]


@dataclass(frozen=True)
class FrameSourceHealth:
    """What a camera's health report says; `last_frame_age_s` is None before any frame."""

    url: str
    state: CameraState
    fps: float
    last_frame_age_s: float | None
    frames: int
    reconnects: int
    bad_frames: int
    buffered: int
    last_error: str | None


class FrameSource(ABC, ClosedOnExit):
    """A camera by URL. Backends implement `_connect`, `_grab`, `_disconnect`.

    `_grab` blocks for at most about `read_timeout_s` and returns a BGR image or JPEG bytes,
    or None at a clean end of stream; it raises CameraError when the camera fails.
    """

    def __init__(
        self,
        url: str,
        *,
        buffer_s: float = 10.0,
        max_buffer_bytes: int = 512 * 1024 * 1024,
        read_timeout_s: float = 5.0,
        stall_after_s: float = 2.0,
        backoff_min_s: float = 0.5,
        backoff_max_s: float = 30.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.url = url
        self.read_timeout_s = read_timeout_s
        self.stall_after_s = stall_after_s
        self.backoff_min_s = backoff_min_s
        self.backoff_max_s = backoff_max_s
        self.ring = FrameRing(buffer_s, max_buffer_bytes)
        self._clock = clock
        self._stop = threading.Event()
        self._state: CameraState = "connecting"
        self._frames = 0
        self._reconnects = 0
        self._bad_frames = 0
        self._last_error: str | None = None
        self._recent: list[float] = []  # arrival times for the fps figure
        self._closed = False
        self._store_lock = threading.Lock()
        # Backends set their own attributes before calling this: the thread starts now.
        self._thread = threading.Thread(target=self._run, name=f"camera {url}", daemon=True)
        self._thread.start()

    # --- what callers use -------------------------------------------------------------
    def latest(self) -> TimedFrame | None:
        """The newest frame, or None before the first one."""
        return self.ring.latest()

    def closest(self, t_s: float, max_gap_s: float | None = None) -> TimedFrame | None:
        """The buffered frame nearest to `t_s` (None if none within `max_gap_s`)."""
        return self.ring.closest(t_s, max_gap_s)

    def frames_near(self, t_s: float, window_s: float) -> list[TimedFrame]:
        """Buffered frames within `window_s` of `t_s`, oldest first."""
        return self.ring.frames_near(t_s, window_s)

    def snapshot(self, timeout_s: float = 2.0) -> TimedFrame | None:
        """A frame taken now: the newest streamed one, if fresh enough (snapshot cameras GET)."""
        frame = self.latest()
        if frame is not None and self._clock() - frame.t_s <= max(timeout_s, self.stall_after_s):
            return frame
        return None

    def health(self) -> FrameSourceHealth:
        """State, frame rate over the last seconds, last frame age, counters."""
        now = self._clock()
        latest = self.ring.latest()
        age = None if latest is None else max(0.0, now - latest.t_s)
        state = self._state
        if state == "streaming" and (age is None or age > self.stall_after_s):
            state = "stalled"
        recent = [t for t in list(self._recent) if now - t <= 2.0]
        fps = (len(recent) - 1) / (recent[-1] - recent[0]) if len(recent) > 2 else 0.0
        if age is not None and age > 2.0:
            fps = 0.0
        return FrameSourceHealth(
            self.url, state, round(fps, 2), age, self._frames, self._reconnects,
            self._bad_frames, len(self.ring), self._last_error,
        )  # fmt: skip

    def close(self) -> None:
        """Stop the grab thread and release the camera; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        self._state = "closed"


    # --- for backends -----------------------------------------------------------------
    def _store(self, data: np.ndarray | bytes) -> TimedFrame:
        with self._store_lock:
            now = self._clock()
            frame = TimedFrame(now, self._frames, data)
            self._frames += 1
            self.ring.push(frame)
            self._recent = [*self._recent[-63:], now]
        return frame

    def _wait(self, seconds: float) -> bool:
        """Sleep unless closing; True if the source is closing."""
        return self._stop.wait(seconds)

    def _run(self) -> None:
        backoff = self.backoff_min_s
        while not self._stop.is_set():
            try:
                self._connect()
                self._state = "streaming"
                while not self._stop.is_set():
                    data = self._grab()
                    if data is None:
                        break
                    self._store(data)
                    backoff = self.backoff_min_s
            except CameraError as exc:
                self._last_error = str(exc)
            except Exception as exc:
                self._last_error = f"unexpected {type(exc).__name__}: {exc}"
            finally:
                self._disconnect()
            if self._stop.is_set():
                break
            self._state = "reconnecting"
            self._reconnects += 1
            if self._wait(backoff):
                break
            backoff = min(backoff * 2, self.backoff_max_s)

    @abstractmethod
    def _connect(self) -> None: ...

    @abstractmethod
    def _grab(self) -> np.ndarray | bytes | None: ...

    @abstractmethod
    def _disconnect(self) -> None: ...
