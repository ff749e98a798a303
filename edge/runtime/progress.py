"""Progress gates: the watchdog is fed only while every pipeline is still moving.

A process that is alive but stuck (a reader blocked forever, a loop wedged on a lock) must be
restarted by systemd. Each pipeline calls `tick(name)` when it makes progress; `stalled()`
names those that have not ticked within their allowance. Time is passed in, so the logic is
testable without sleeping.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class Gate:
    """A pipeline that must show progress at least every `max_silence_s` seconds."""

    name: str
    max_silence_s: float


class ProgressMonitor:
    """Records the last progress time of each registered pipeline."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._gates: dict[str, Gate] = {}
        self._last: dict[str, float] = {}

    def register(self, name: str, max_silence_s: float, now_s: float) -> None:
        """Start watching a pipeline; it counts as having progressed at `now_s`."""
        with self._lock:
            self._gates[name] = Gate(name, max_silence_s)
            self._last[name] = now_s

    def tick(self, name: str, now_s: float) -> None:
        """The pipeline made progress at `now_s`."""
        with self._lock:
            if name in self._gates:
                self._last[name] = now_s

    def stalled(self, now_s: float) -> list[str]:
        """Names of the pipelines silent for longer than allowed."""
        with self._lock:
            return sorted(
                name for name, gate in self._gates.items()
                if now_s - self._last[name] > gate.max_silence_s
            )

    def ages_s(self, now_s: float) -> dict[str, float]:
        """Seconds since each pipeline's last progress, for health reports."""
        with self._lock:
            return {name: round(now_s - last, 3) for name, last in self._last.items()}
