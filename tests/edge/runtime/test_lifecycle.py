"""The agent shell speaks sd_notify over a real datagram socket and gates its watchdog."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from edge.runtime.lifecycle import AgentLifecycle
from edge.runtime.progress import ProgressMonitor
from edge.runtime.systemd import SystemdNotifier


@pytest.fixture
def notify_socket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[socket.socket]:
    path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(3.0)
    monkeypatch.setenv("NOTIFY_SOCKET", str(path))
    monkeypatch.setenv("WATCHDOG_USEC", "200000")
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()))
    try:
        yield sock
    finally:
        sock.close()


def _messages(sock: socket.socket, count: int) -> list[str]:
    return [sock.recv(4096).decode() for _ in range(count)]


def test_ready_then_watchdog_while_pipelines_progress(notify_socket: socket.socket) -> None:
    now = [0.0]
    life = AgentLifecycle(clock=lambda: now[0])
    tick = life.register("daq", max_silence_s=5.0)
    try:
        life.ready("weighing")
        first, second = _messages(notify_socket, 2)
        assert first == "READY=1\nSTATUS=weighing"
        assert second == "WATCHDOG=1"
        now[0] = 10.0  # daq silent for 10 s: the watchdog must no longer be fed
        message = _messages(notify_socket, 1)[0]
        while message == "WATCHDOG=1":
            message = _messages(notify_socket, 1)[0]
        assert message == "STATUS=stalled: daq"
        tick()
        message = _messages(notify_socket, 1)[0]
        while message.startswith("STATUS=stalled"):
            message = _messages(notify_socket, 1)[0]
        assert message == "WATCHDOG=1"
    finally:
        life.close()
    assert _messages(notify_socket, 1)[-1] in ("STOPPING=1", "WATCHDOG=1")


def test_outside_systemd_everything_is_a_no_op(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    notifier = SystemdNotifier()
    assert not notifier.enabled
    assert notifier.notify(READY="1") is False
    notifier.close()
    notifier.close()


def test_progress_monitor_names_the_stalled_pipeline() -> None:
    monitor = ProgressMonitor()
    monitor.register("gnss", 2.0, now_s=0.0)
    monitor.register("camera", 10.0, now_s=0.0)
    monitor.tick("gnss", 1.5)
    assert monitor.stalled(3.0) == []
    assert monitor.stalled(3.6) == ["gnss"]
    assert monitor.stalled(11.0) == ["camera", "gnss"]
    assert monitor.ages_s(4.0) == {"gnss": 2.5, "camera": 4.0}
