"""Map DAQ-clock instants to the host clock cameras stamp their frames with.

A camera frame carries the host time it arrived (`time.time()`); a passage carries DAQ
time. On a real site both clocks follow UTC, but not exactly: the DAQ may run on its own
oscillator, buffers delay frames, and a simulator may run faster than real time. Keeping
the arrival time of recent DAQ frames maps a vehicle's DAQ instant to the host instant its
samples arrived, comparable with the cameras' arrival stamps whatever the DAQ clock does;
the fitted rate (host s per DAQ s) scales vehicle-time windows to camera time. Pure: times
come in as arguments.
"""

from __future__ import annotations

import threading
from collections import deque

import numpy as np


class DaqClockMap:
    """Keeps (DAQ µs, host s) pairs of arriving frames and maps DAQ instants to host time."""

    def __init__(self, keep_s: float = 30.0, min_step_s: float = 0.02,
                 max_jump_s: float = 5.0) -> None:
        self.keep_s = keep_s
        self.min_step_s = min_step_s
        self.max_jump_s = max_jump_s
        self._points: deque[tuple[float, float]] = deque()
        self._lock = threading.Lock()
        self.resets = 0

    def add(self, daq_us: float, host_s: float) -> None:
        """A frame whose last sample is at `daq_us` (DAQ clock) arrived at `host_s`."""
        with self._lock:
            if self._points:
                last_daq, last_host = self._points[-1]
                step_daq_s = (daq_us - last_daq) / 1e6
                step_host_s = host_s - last_host
                # A DAQ clock that steps (restart, resync) invalidates the old relation.
                if step_daq_s < 0 or abs(step_daq_s - step_host_s) > self.max_jump_s:
                    self._points.clear()
                    self.resets += 1
                elif step_host_s < self.min_step_s:
                    return
            self._points.append((daq_us, host_s))
            while self._points and host_s - self._points[0][1] > self.keep_s:
                self._points.popleft()

    def host_time(self, daq_us: float) -> float | None:
        """Host time (s since the epoch) of a DAQ instant; None before any frame.

        Inside the kept history: interpolated between the arrivals of the frames around it
        (what the cameras' arrival stamps are comparable with, bursts and stalls included).
        Outside: extrapolated from the nearest end at the fitted rate.
        """
        with self._lock:
            points = list(self._points)
        if not points:
            return None
        d = np.array([p[0] for p in points])
        h = np.array([p[1] for p in points])
        if d[0] <= daq_us <= d[-1]:
            return float(np.interp(daq_us, d, h))
        end = 0 if daq_us < d[0] else -1
        return float(h[end] + (daq_us - d[end]) / 1e6 * self._rate(points))

    def rate(self) -> float:
        """Host seconds per DAQ second (1.0 until known): scales vehicle time to camera time."""
        with self._lock:
            points = list(self._points)
        return self._rate(points)

    @staticmethod
    def _rate(points: list[tuple[float, float]]) -> float:
        if len(points) < 3:
            return 1.0
        d = np.array([p[0] for p in points]) / 1e6
        h = np.array([p[1] for p in points])
        rate = float(np.polyfit(d - d[-1], h - h[-1], 1)[0])
        return rate if rate > 0 else 1.0

    def health(self) -> dict[str, float | int | None]:
        """The current offset (host minus DAQ, s) and rate, for health reports."""
        with self._lock:
            points = list(self._points)
        if not points:
            return {"offset_s": None, "rate": None, "resets": self.resets}
        daq, host = points[-1]
        return {"offset_s": round(host - daq / 1e6, 4), "rate": round(self.rate(), 6),
                "resets": self.resets}
