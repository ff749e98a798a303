"""The message board's priority, hold and default rules (pure, time passed in)."""

from __future__ import annotations

from edge.display import DisplayMessage, MessageBoard

IDLE = DisplayMessage("前方称重检测 请依次通过", colour="green")


def msg(text: str, priority: int = 10, hold_s: float = 10.0) -> DisplayMessage:
    return DisplayMessage(text, colour="red", priority=priority, hold_s=hold_s)


def test_default_when_idle_and_after_hold() -> None:
    board = MessageBoard(IDLE)
    assert board.view(0.0).message == IDLE
    board.post(msg("A"), 1.0)
    assert board.view(10.9).message == msg("A")
    assert board.view(11.0).message == IDLE


def test_equal_priority_replaces_lower_waits_higher_preempts() -> None:
    board = MessageBoard(None)
    board.post(msg("A", 10), 0.0)
    board.post(msg("B", 10), 1.0)
    assert board.view(1.0).message == msg("B", 10)
    board.post(msg("low", 1), 2.0)
    assert board.view(2.0).message == msg("B", 10)
    board.post(msg("urgent", 50, 5), 3.0)
    assert board.view(3.0).message == msg("urgent", 50, 5)
    assert board.view(8.0).message == msg("low", 1)  # urgent expired; B was replaced, dropped
    assert board.view(18.0).message is None
    assert board.replaced == 2


def test_waiting_messages_go_stale() -> None:
    board = MessageBoard(IDLE, max_wait_s=5.0)
    board.post(msg("A", 10, 20.0), 0.0)
    board.post(msg("late", 1), 1.0)
    assert board.view(20.0).message == IDLE
    assert board.dropped_stale == 1


def test_serial_changes_on_every_new_message_even_if_identical() -> None:
    board = MessageBoard(IDLE)
    board.post(msg("A"), 0.0)
    first = board.view(0.0).serial
    board.post(msg("A"), 1.0)
    assert board.view(1.0).serial != first
    assert board.view(100.0).serial == 0


def test_default_message_never_expires() -> None:
    board = MessageBoard(DisplayMessage("idle", hold_s=5.0))
    assert board.view(1000.0).message == DisplayMessage("idle")
