"""The shell every agent runs in: stop on SIGTERM/SIGINT, READY and a gated watchdog."""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from types import FrameType

from edge.runtime.progress import ProgressMonitor
from edge.runtime.systemd import SystemdNotifier

log = logging.getLogger(__name__)


class AgentLifecycle:
    """Owns the stop event, the systemd notifications and the watchdog thread of an agent.

    Usage: create, `install_signal_handlers()` from the main thread, start the pipelines
    (each registers with `progress` and ticks it), `ready()`, then `wait()` until stopped.
    """

    def __init__(self, notifier: SystemdNotifier | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stop_event = threading.Event()
        self.progress = ProgressMonitor()
        self._notifier = notifier or SystemdNotifier()
        self._clock = clock
        self._watchdog: threading.Thread | None = None

    def install_signal_handlers(self) -> None:
        """SIGTERM and SIGINT ask the agent to stop cleanly."""
        def _stop(signum: int, _frame: FrameType | None) -> None:
            log.info("stop requested", extra={"signal": signal.Signals(signum).name})
            self.stop_event.set()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)

    def register(self, name: str, max_silence_s: float) -> Callable[[], None]:
        """Watch a pipeline; returns the function it calls on each unit of progress."""
        self.progress.register(name, max_silence_s, self._clock())
        return lambda: self.progress.tick(name, self._clock())

    def ready(self, status: str = "running") -> None:
        """Tell systemd the agent is up, and start feeding its watchdog."""
        self._notifier.notify(READY="1", STATUS=status)
        interval = self._notifier.watchdog_interval_s()
        if interval and self._watchdog is None:
            self._watchdog = threading.Thread(
                target=self._feed_watchdog, args=(interval,), name="watchdog", daemon=True
            )
            self._watchdog.start()

    def _feed_watchdog(self, interval_s: float) -> None:
        while not self.stop_event.wait(interval_s):
            stalled = self.progress.stalled(self._clock())
            if stalled:
                # Not feeding it is the point: systemd restarts a wedged agent.
                log.error("pipelines stalled; watchdog not fed", extra={"stalled": stalled})
                self._notifier.notify(STATUS="stalled: " + ", ".join(stalled))
            else:
                self._notifier.notify(WATCHDOG="1")

    def wait(self, timeout_s: float | None = None) -> bool:
        """Block until a stop is requested (True) or the timeout passes (False)."""
        # Wake regularly: a signal the kernel delivers to another thread only runs its
        # Python handler once the main thread leaves a blocking wait.
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        while not self.stop_event.is_set():
            left = 0.5 if deadline is None else min(0.5, deadline - time.monotonic())
            if left <= 0:
                return False
            self.stop_event.wait(left)
        return True

    def close(self) -> None:
        """Stop, tell systemd, join the watchdog thread; safe to call twice."""
        self.stop_event.set()
        self._notifier.notify(STOPPING="1")
        if self._watchdog is not None:
            self._watchdog.join(timeout=5)
            self._watchdog = None
        self._notifier.close()
