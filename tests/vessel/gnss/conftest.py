"""Shared fixtures for the GNSS tests: a loopback TCP port standing in for a receiver."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest


def listen(port: int = 0, timeout_s: float = 20.0) -> socket.socket:
    """A listening socket on 127.0.0.1 (`port` 0: any free one); reusable at once after close."""
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(1)
    srv.settimeout(timeout_s)
    return srv


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    srv = listen()
    try:
        yield srv
    finally:
        srv.close()
