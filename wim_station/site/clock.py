"""Map DAQ-clock instants to the host clock cameras stamp their frames with.

A camera frame carries the host time it arrived (`time.time()`); a passage carries DAQ
time. On a real site both clocks follow UTC, but not exactly: the DAQ may run on its own
oscillator, and a simulator may run faster than real time. Fitting host arrival time
against DAQ time over the last seconds (least squares: offset and rate) maps a vehicle's
DAQ instant to the host instant its samples arrived, the same clock as its camera frames,
whatever the DAQ clock does. Pure: times come in as arguments.
"""

from __future__ import annotations

import threading
from collections import deque

import numpy as np


class DaqClockMap:
    """Keeps (DAQ µs, host s) pairs of arriving frames and maps DAQ instants to host time."""

    def __init__(self, keep_s: float = 20.0, min_step_s: float = 0.05,
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
        """Host time (s since the epoch) of a DAQ instant; None before any frame."""
        with self._lock:
            points = list(self._points)
        if not points:
            return None
        if len(points) < 3:
            daq, host = points[-1]
            return host + (daq_us - daq) / 1e6
        d = np.array([p[0] for p in points]) / 1e6
        h = np.array([p[1] for p in points])
        d0, h0 = d[-1], h[-1]
        rate, offset = np.polyfit(d - d0, h - h0, 1)
        return float(h0 + offset + rate * (daq_us / 1e6 - d0))

    def health(self) -> dict[str, float | int | None]:
        """The current offset (host minus DAQ, s) and rate, for health reports."""
        with self._lock:
            points = list(self._points)
        if not points:
            return {"offset_s": None, "rate": None, "resets": self.resets}
        daq, host = points[-1]
        rate = None
        if len(points) >= 3:
            d = np.array([p[0] for p in points]) / 1e6
            h = np.array([p[1] for p in points])
            rate = round(float(np.polyfit(d - d[-1], h - h[-1], 1)[0]), 6)
        return {"offset_s": round(host - daq / 1e6, 4), "rate": rate, "resets": self.resets}
