"""`python -m vessel.gnss` as tools.md specifies it, run as a real subprocess."""

from __future__ import annotations

import datetime as dt
import json
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from vessel.gnss.nmea_out import gga, hdt, rmc

from .conftest import listen

T0 = dt.datetime(2014, 12, 31, 3, 7, 19, tzinfo=dt.UTC)
FIELDS = {"time", "fix", "lat", "lon", "sog_mps", "cog_deg", "heading_deg", "hdop", "sats", "alt_m"}


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "vessel.gnss", *args]


def epoch(seconds: int) -> bytes:
    t = T0 + dt.timedelta(seconds=seconds)
    return gga(t, -37.78, 175.31, 1, 8, 1.1, 59.9) + rmc(t, -37.78, 175.31, 0.5, 181.39) + hdt(90.0)


def test_replay_json(tmp_path: Path) -> None:
    path = tmp_path / "c.nmea"
    path.write_bytes(b"# comment\n" + gga(T0, None, None, 0) + epoch(1) + epoch(2))
    done = subprocess.run(cli("--replay", str(path), "--json"), capture_output=True, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert all(set(r) == FIELDS for r in records)
    by_time = {r["time"]: r for r in records}  # last wins, as tools.md tells consumers
    assert list(by_time) == [None, "2014-12-31T03:07:20.000Z", "2014-12-31T03:07:21.000Z"]
    assert by_time[None]["fix"] == "none" and by_time[None]["lat"] is None
    last = by_time["2014-12-31T03:07:21.000Z"]
    assert last["fix"] == "3d" and last["sats"] == 8 and last["heading_deg"] == 90.0
    assert last["lat"] == pytest.approx(-37.78) and last["sog_mps"] == pytest.approx(0.5, abs=1e-3)


def test_text_output(tmp_path: Path) -> None:
    path = tmp_path / "c.nmea"
    path.write_bytes(epoch(0))
    done = subprocess.run(cli("--replay", str(path)), capture_output=True, timeout=60, check=False)
    assert done.returncode == 0 and b"2014-12-31T03:07:19.000Z 3d" in done.stdout


@pytest.mark.parametrize(
    "args",
    [(), ("--replay", "/nonexistent/file"), ("--port", "nosuch://x"), ("--replay", "a", "--port",
                                                                       "b"), ("--bogus",)],
)
def test_bad_arguments_exit_2_with_one_line(args: tuple[str, ...]) -> None:
    done = subprocess.run(cli(*args, "--json"), capture_output=True, timeout=60, check=False)
    assert done.returncode == 2 and done.stdout == b""
    assert len(done.stderr.strip().splitlines()) == 1


def _next_record(proc: subprocess.Popen[bytes], want_time: str) -> dict[str, object]:
    assert proc.stdout is not None
    while True:
        line = proc.stdout.readline()
        assert line, "CLI ended early"
        record = json.loads(line)
        if record["time"] == want_time and record["lat"] is not None:
            return dict(record)


class Receiver:
    """A receiver on one accepted connection: repeats its epoch until stopped, as a real one
    keeps streaming (pyserial drops bytes that arrive while it is still opening the port)."""

    def __init__(self, conn: socket.socket, data: bytes) -> None:
        self._conn, self._data = conn, data
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._conn.sendall(self._data)
            except OSError:
                return
            self._stop.wait(0.1)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self._conn.close()


def test_port_survives_the_receiver_vanishing(listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    proc = subprocess.Popen(cli("--port", f"socket://127.0.0.1:{port}", "--json"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        first = Receiver(listener.accept()[0], epoch(0))
        try:
            assert _next_record(proc, "2014-12-31T03:07:19.000Z")["fix"] == "3d"
        finally:
            first.stop()
        listener.close()
        with listen(port) as back:
            second = Receiver(back.accept()[0], epoch(1))
            try:
                assert _next_record(proc, "2014-12-31T03:07:20.000Z")["fix"] == "3d"
            finally:
                second.stop()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()
        stderr = proc.stderr.read()
        proc.stderr.close()
    assert b"lost" in stderr and b"back" in stderr
