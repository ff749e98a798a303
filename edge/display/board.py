"""The message board: which message a sign should show now (pure core, time passed in).

Rules: a message of equal or higher priority than the one up replaces it at once (the
replaced one is dropped: on a roadside sign the newest offender matters); a lower-priority
message waits until the current one's hold ends, then the highest-priority waiting one
(first come first) goes up; a message that waited longer than `max_wait_s` is dropped; with
nothing to show the default message goes up (or the sign is blanked when there is none).
A message with `hold_s == 0` stays until replaced.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from edge.display.message import DisplayMessage


@dataclass(frozen=True)
class BoardEntry:
    """A posted message and when it was posted (seconds on the caller's clock)."""

    message: DisplayMessage
    posted_s: float
    serial: int


@dataclass(frozen=True)
class BoardView:
    """What should be on the sign: `message` None means blank. `serial` changes on every change."""

    message: DisplayMessage | None
    serial: int
    until_s: float | None
    waiting: int


class MessageBoard:
    """Priority, hold time and a default message over one display."""

    def __init__(self, default: DisplayMessage | None = None, *, max_wait_s: float = 60.0) -> None:
        # The idle message stays until replaced, whatever hold its config carried.
        self.default = replace(default, hold_s=0.0) if default is not None else None
        self.max_wait_s = max_wait_s
        self._serial = 0
        self._current: BoardEntry | None = None
        self._until_s: float | None = None
        self._pending: list[BoardEntry] = []
        self.dropped_stale = 0
        self.replaced = 0

    def post(self, message: DisplayMessage, now_s: float) -> None:
        """Offer a message at time `now_s`."""
        self._serial += 1
        entry = BoardEntry(message, now_s, self._serial)
        self._expire(now_s)
        if self._current is None or message.priority >= self._current.message.priority:
            if self._current is not None:
                self.replaced += 1
            self._put_up(entry, now_s)
        else:
            self._pending.append(entry)

    def view(self, now_s: float) -> BoardView:
        """What the sign should show at `now_s` (advances holds and the waiting list)."""
        self._expire(now_s)
        if self._current is None:
            message = self.default
            serial = 0  # the idle state keeps one identity, however often it is asked for
            until_s = None
        else:
            message, serial, until_s = self._current.message, self._current.serial, self._until_s
        return BoardView(message, serial, until_s, len(self._pending))

    def _expire(self, now_s: float) -> None:
        if self._current is not None and self._until_s is not None and now_s >= self._until_s:
            self._current = None
        fresh = [e for e in self._pending if now_s - e.posted_s <= self.max_wait_s]
        self.dropped_stale += len(self._pending) - len(fresh)
        self._pending = fresh
        if self._current is None and self._pending:
            best = max(self._pending, key=lambda e: (e.message.priority, -e.serial))
            self._pending.remove(best)
            self._put_up(best, now_s)

    def _put_up(self, entry: BoardEntry, now_s: float) -> None:
        self._current = entry
        hold_s = entry.message.hold_s
        self._until_s = now_s + hold_s if hold_s > 0 else None
