"""The serial/TCP display driver and the sign board against the sign simulator (loopback)."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from edge.display import (
    DisplayMessage,
    TextDisplayConfig,
    open_display,
    open_sign_board,
)
from edge.display.serial_display import SerialTextDisplay
from simulators.sign import SignSimulator


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[SignSimulator]:
    with SignSimulator(png_dir=tmp_path / "sign") as simulator:
        yield simulator


def wait_for(predicate: Callable[[], bool], timeout_s: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def test_show_reaches_the_sign_in_gb2312(sim: SignSimulator) -> None:
    with open_display(sim.url) as display:
        assert display.show(DisplayMessage("浙F12345 超限12%", colour="red", hold_s=8))
        assert display.show(DisplayMessage("emoji 😀 here"))
        assert display.clear()
        health = display.health()
    shown = sim.history()
    assert [(s.text, s.colour, s.hold_s) for s in shown[:1]] == [("浙F12345 超限12%", "red", 8.0)]
    assert shown[1].text == "emoji ? here"
    assert shown[2].text is None
    assert (health.state, health.commands_ok, health.chars_replaced) == ("ok", 3, 1)


def test_lost_reply_is_retried(sim: SignSimulator) -> None:
    sim.drop_replies = 1
    with SerialTextDisplay(sim.url, reply_timeout_s=0.5, retries=2) as display:
        assert display.show(DisplayMessage("重试"))
        assert display.health().retries == 1


def test_wrong_address_times_out_and_reports(sim: SignSimulator) -> None:
    with SerialTextDisplay(sim.url, address=9, reply_timeout_s=0.1, retries=1) as display:
        assert not display.show(DisplayMessage("nobody"))
        health = display.health()
    assert health.state == "failed" and "no reply" in (health.last_error or "")
    assert sim.history() == []


def test_status_query(sim: SignSimulator) -> None:
    sim.status_bits = 0b0101
    with SerialTextDisplay(sim.url) as display:
        assert display.status() == 0b0101


def test_dead_controller_fails_cleanly_then_recovers(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # A refused connection fails at once; the generous reply timeout is for a busy test box.
    with open_display(f"socket://127.0.0.1:{port}", reply_timeout_s=2.0, retries=0) as display:
        assert not display.show(DisplayMessage("A"))
        assert display.health().state == "failed"
        with SignSimulator(port=port, png_dir=tmp_path) as sim:
            assert display.show(DisplayMessage("B"))
            assert sim.showing() is not None and sim.showing().text == "B"  # type: ignore[union-attr]
        display.close()
    assert display.health().state == "closed"
    assert not display.show(DisplayMessage("C"))


def test_sign_board_posts_without_blocking_and_returns_to_default(sim: SignSimulator) -> None:
    config = TextDisplayConfig.model_validate(
        {
            "url": sim.url,
            "default": {"template": "前方称重 请依次通过", "colour": "green", "hold_s": 0},
        }
    )
    with open_sign_board(config) as board:
        assert wait_for(lambda: [s.text for s in sim.history()] == ["前方称重 请依次通过"])
        board.post(DisplayMessage("苏E00001 超限30%", colour="red", priority=10, hold_s=0.3))
        assert wait_for(lambda: len(sim.history()) >= 3)
        assert wait_for(lambda: board.health().in_sync)  # the ACK may still be on its way
    history = sim.history()
    assert [s.text for s in history] == [
        "前方称重 请依次通过",
        "苏E00001 超限30%",
        "前方称重 请依次通过",
    ]
    assert history[1].hold_s == 2.3  # the controller's own hold outlasts the board's


def test_bad_url_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported display URL"):
        open_display("ftp://sign")


def test_sign_board_with_a_dead_controller_keeps_accepting_posts() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = TextDisplayConfig(url=f"socket://127.0.0.1:{port}", reply_timeout_s=0.05, retries=0)
    with open_sign_board(config) as board:
        for i in range(5):
            board.post(DisplayMessage(f"浙F0000{i}", priority=10, hold_s=30))
        assert wait_for(lambda: board.health().display.commands_failed >= 1)
        health = board.health()
    assert not health.in_sync and health.display.state == "failed"
    assert health.replaced == 4
