"""Reader shells over real sockets and files: replay, reconnect, thread mode, counters."""

from __future__ import annotations

import contextlib
import datetime as dt
import socket
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from vessel.gnss import Fix, NmeaDecoder
from vessel.gnss.nmea_out import gga, rmc
from vessel.gnss.source import GnssSource, GnssSourceError, ReplayGnssSource, open_gnss

from .conftest import listen

T0 = dt.datetime(2026, 6, 1, 8, 0, 0, tzinfo=dt.UTC)


def epoch(seconds: int) -> bytes:
    t = T0 + dt.timedelta(seconds=seconds)
    return gga(t, 59.3 + seconds * 1e-5, 18.0, 1, 9, 0.8, 4.0) + rmc(t, 59.3 + seconds * 1e-5,
                                                                      18.0, 1.2, 45.0)


def capture(tmp_path: Path, seconds: int = 5) -> Path:
    path = tmp_path / "capture.nmea"
    path.write_bytes(b"# Name: test capture\n" + b"".join(epoch(s) for s in range(seconds)))
    return path


def stream_until(
    conn: socket.socket, data: bytes, source: GnssSource, predicate: Callable[[Fix], bool]
) -> Fix:
    """Send `data` repeatedly, as a receiver streams (pyserial drops bytes that arrive while it
    is still opening the port), until the source yields a matching epoch."""
    deadline = time.monotonic() + 10.0
    while time.monotonic() < deadline:
        conn.sendall(data)
        fix = source.read(0.2)
        if fix is not None and predicate(fix):
            return fix
    raise AssertionError("no matching epoch")


def test_replay_reads_every_epoch_then_stops(tmp_path: Path) -> None:
    path = capture(tmp_path)
    with open_gnss(f"file://{path}") as source:
        fixes = list(source)
        assert source.at_eof and source.read(0.1) is None
        health = source.health()
    assert [f.time for f in fixes][-1] == T0 + dt.timedelta(seconds=4)
    assert {f.time for f in fixes} == {T0 + dt.timedelta(seconds=s) for s in range(5)}
    assert health["sentences"] == 10 and health["junk_bytes"] == 0  # the comment is skipped
    assert health["state"] == "eof" and source.health()["state"] == "closed"
    source.close()  # twice is fine


def test_thread_mode_delivers_the_same_epochs(tmp_path: Path) -> None:
    path = capture(tmp_path)
    received: list[Fix] = []
    source = ReplayGnssSource(path, NmeaDecoder())
    source.start(received.append)
    deadline = time.monotonic() + 10
    while not source.at_eof and time.monotonic() < deadline:
        time.sleep(0.01)
    source.close()
    source.close()
    decoder = NmeaDecoder()
    direct = decoder.feed(b"".join(epoch(s) for s in range(5))) + decoder.flush()
    assert {f.time: f for f in received} == {f.time: f for f in direct}


def test_unreadable_capture_and_bad_url_raise() -> None:
    with pytest.raises(GnssSourceError, match="cannot read"):
        open_gnss("file:///nonexistent/capture.nmea")
    with pytest.raises(GnssSourceError, match="cannot use"):
        open_gnss("nosuchscheme://x")


def test_socket_source_survives_the_port_vanishing(listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    with open_gnss(f"socket://127.0.0.1:{port}", reconnect_initial_s=0.05,
                   reconnect_max_s=0.2) as source:
        with listener.accept()[0] as conn:
            first = stream_until(conn, epoch(0), source, lambda f: f.lat is not None)
        listener.close()  # the receiver is gone: connection closed and nothing listening
        deadline = time.monotonic() + 10
        while source.health()["state"] != "disconnected" and time.monotonic() < deadline:
            source.read(0.1)
        assert source.fix_age_s() is not None
        for _ in range(3):  # retries meet a closed port
            source.read(0.1)
        back = listen(port, timeout_s=0.1)
        try:
            conn2 = None
            deadline = time.monotonic() + 10
            while conn2 is None and time.monotonic() < deadline:
                source.read(0.1)  # drives the reconnect
                with contextlib.suppress(TimeoutError):
                    conn2, _ = back.accept()
            assert conn2 is not None, "never reconnected"
            with conn2:
                second = stream_until(conn2, epoch(1), source,
                                      lambda f: f.time == T0 + dt.timedelta(seconds=1))
        finally:
            back.close()
        health = source.health()
    assert first.time == T0 and second.lat == pytest.approx(59.3 + 1e-5)
    assert health["disconnects"] >= 1 and health["reconnects"] == 1
    assert health["sentences"] >= 4
