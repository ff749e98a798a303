"""The shell around `MessageBoard`: a thread that keeps a display showing the board's view.

`post()` never blocks on the device (the controller round trip and its retries happen in the
thread), so a weighing or navigation loop can post at any time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from edge.closing import ClosedOnExit
from edge.display.base import DisplayHealth, TextDisplay
from edge.display.board import MessageBoard
from edge.display.message import DisplayMessage


@dataclass(frozen=True)
class SignBoardHealth:
    """Display health plus the board's own counters."""

    display: DisplayHealth
    waiting: int
    replaced: int
    dropped_stale: int
    in_sync: bool


class SignBoard(ClosedOnExit):
    """Runs a `MessageBoard` against a `TextDisplay` in a background thread.

    A failed update is retried every `retry_s` until the display takes it. The display is
    closed with the board when `owns_display` is true. The controller is given each hold
    plus `hold_grace_s`, so the board's own follow-up arrives before the controller blanks
    itself; the controller's hold only matters when this host has died.
    """

    def __init__(
        self,
        display: TextDisplay,
        board: MessageBoard,
        *,
        retry_s: float = 5.0,
        hold_grace_s: float = 2.0,
        owns_display: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.display = display
        self.board = board
        self.retry_s = retry_s
        self.hold_grace_s = hold_grace_s
        self._owns_display = owns_display
        self._clock = clock
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._shown_serial: int | None = None
        self._thread = threading.Thread(
            target=self._run, name=f"sign-board {display.url}", daemon=True
        )
        self._thread.start()

    def post(self, message: DisplayMessage) -> None:
        """Offer a message; returns at once."""
        with self._lock:
            self.board.post(message, self._clock())
        self._wake.set()

    def health(self) -> SignBoardHealth:
        """Display health, queue and whether the display shows what the board wants."""
        with self._lock:
            view = self.board.view(self._clock())
            return SignBoardHealth(
                self.display.health(), view.waiting, self.board.replaced,
                self.board.dropped_stale, view.serial == self._shown_serial,
            )  # fmt: skip

    def close(self) -> None:
        """Stop the thread (and close the display if owned); safe to call twice."""
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join()
        if self._owns_display:
            self.display.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                view = self.board.view(self._clock())
            wait_s = self.retry_s
            if view.serial != self._shown_serial:
                ok = self._apply(view.message)
                if ok:
                    self._shown_serial = view.serial
            if view.until_s is not None:
                wait_s = min(wait_s, max(0.0, view.until_s - self._clock()) + 0.01)
            self._wake.wait(wait_s)
            self._wake.clear()

    def _apply(self, message: DisplayMessage | None) -> bool:
        if message is None:
            return self.display.clear()
        if message.hold_s > 0:
            message = replace(message, hold_s=min(message.hold_s + self.hold_grace_s, 6553.5))
        return self.display.show(message)

