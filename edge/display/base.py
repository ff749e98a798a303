"""The `TextDisplay` role: a sign or screen that shows one text message at a time."""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from edge.closing import ClosedOnExit
from edge.display.errors import DisplayError
from edge.display.message import DisplayMessage
from edge.display.protocol import to_gb2312

DisplayState = Literal["unknown", "ok", "failed", "closed"]


@dataclass(frozen=True)
class DisplayHealth:
    """What a display's health report says."""

    url: str
    state: DisplayState
    showing: str | None
    commands_ok: int
    commands_failed: int
    retries: int
    chars_replaced: int
    last_error: str | None
    status_bits: int | None


class TextDisplay(ABC, ClosedOnExit):
    """Shows messages; never raises device faults into the caller (they go to `health()`).

    `show()`/`clear()` return True when the controller acknowledged; they block for the
    round trip and its retries (at most (retries + 1) × reply_timeout_s for the serial
    driver), so loops that must not wait post to a `SignBoard` instead. Backends implement
    `_show`, `_clear` (raising `DisplayError` on failure) and optionally `_close`.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._lock = threading.Lock()
        self._closed = False
        self._state: DisplayState = "unknown"
        self._showing: str | None = None
        self._ok = 0
        self._failed = 0
        self._chars_replaced = 0
        self._last_error: str | None = None
        self._retries = 0
        self._status_bits: int | None = None

    def show(self, message: DisplayMessage) -> bool:
        """Put `message` on the display; True if the controller confirmed it."""
        _, replaced = to_gb2312(message.text)
        with self._lock:
            self._chars_replaced += replaced
            return self._run(lambda: self._show(message), message.text)

    def clear(self) -> bool:
        """Blank the display; True if the controller confirmed it."""
        with self._lock:
            return self._run(self._clear, None)

    def health(self) -> DisplayHealth:
        """Counters and state, cheap to call from any thread."""
        return DisplayHealth(
            self.url, self._state, self._showing, self._ok, self._failed, self._retries,
            self._chars_replaced, self._last_error, self._status_bits,
        )  # fmt: skip

    def close(self) -> None:
        """Release the device; safe to call twice."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._state = "closed"
            self._close()

    def _run(self, action: Callable[[], None], showing: str | None) -> bool:
        if self._closed:
            self._failed += 1
            self._last_error = "display is closed"
            return False
        try:
            action()
        except DisplayError as exc:
            self._failed += 1
            self._state = "failed"
            self._last_error = str(exc)
            return False
        self._ok += 1
        self._state = "ok"
        self._showing = showing
        return True

    @abstractmethod
    def _show(self, message: DisplayMessage) -> None: ...

    @abstractmethod
    def _clear(self) -> None: ...

    def _close(self) -> None:
        pass



class MemoryDisplay(TextDisplay):
    """`memory://`: keeps every shown message with its wall-clock time; for tests and dry runs."""

    def __init__(self, url: str = "memory://") -> None:
        super().__init__(url)
        self.shown: list[tuple[float, DisplayMessage | None]] = []

    def _show(self, message: DisplayMessage) -> None:
        self.shown.append((time.time(), message))

    def _clear(self) -> None:
        self.shown.append((time.time(), None))
