"""Fixtures shared by the whole suite: a real broker, and a check that nothing leaks."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.mosquitto import Mosquitto
from tests.support.resources import child_pids, live_threads, open_sockets

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(autouse=True)
def no_leaks() -> Iterator[None]:
    """Fail a test that leaves a thread, a child process or a socket behind."""
    threads, children, sockets = live_threads(), child_pids(), open_sockets()
    yield
    deadline = time.monotonic() + 3.0
    while True:
        new_threads = {t.name for t in live_threads() - threads}
        new_children = child_pids() - children
        new_sockets = open_sockets() - sockets
        if not (new_threads or new_children or new_sockets) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    problems = []
    if new_threads:
        problems.append(f"threads still running: {sorted(new_threads)}")
    if new_children:
        problems.append(f"child processes still alive: {sorted(new_children)}")
    if new_sockets:
        problems.append(f"{len(new_sockets)} socket(s) left open")
    if problems:
        pytest.fail("test leaked resources: " + "; ".join(problems), pytrace=False)


@pytest.fixture
def mosquitto(tmp_path: Path) -> Iterator[Mosquitto]:
    """A real mosquitto broker on a free loopback port, anonymous access allowed."""
    broker = Mosquitto(tmp_path / "mosquitto").start()
    try:
        yield broker
    finally:
        broker.stop()


@pytest.fixture
def shared_dir() -> Path:
    """The `../shared` folder beside the repository (specs and conformance captures)."""
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is not there")
    return SHARED
