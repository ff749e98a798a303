"""The real-time traffic DAQ server and the simulator's command line."""

from __future__ import annotations

import json
import queue
import socket
import subprocess
import sys
import time
from pathlib import Path

from simulators.traffic.__main__ import main
from simulators.traffic.server import TrafficDaqServer, VehicleEvent
from simulators.traffic.world import TrafficParams
from wim_station.daq.codec import FrameDecoder
from wim_station.daq.frame import DaqFrame

REPO = Path(__file__).resolve().parents[3]


def broken_observer(event: VehicleEvent) -> None:
    raise RuntimeError(f"observer bug on {event.plate}")


def test_vehicle_events_reach_observers() -> None:
    seen: list[VehicleEvent] = []
    params = TrafficParams(start_s=0.05, mean_gap_s=2.0)
    with TrafficDaqServer(seed=6, traffic_params=params, speed=20.0) as server:
        server.on_vehicle(seen.append)
        server.on_vehicle(broken_observer)  # does not stop the DAQ
        events = server.subscribe()
        first = events.get(timeout=10)
        second = events.get(timeout=10)
    assert seen[:2] == [first, second]
    assert first.time_us < second.time_us
    assert first.time_us > server.start_us
    assert first.plate_color in ("blue", "yellow", "green", "yellow-green")
    assert len(first.class_code) >= 2 and first.axle_count >= 2 and first.lane == 1


def test_two_clients_get_the_same_frames() -> None:
    with TrafficDaqServer(seed=7, speed=10.0) as server:
        socks = [socket.create_connection(server.address, timeout=5) for _ in range(2)]
        try:
            got = []
            for s in socks:
                decoder, frames = FrameDecoder(), list[DaqFrame]()
                while len(frames) < 3:
                    frames += decoder.feed(s.recv(65536))
                got.append({f.seq: f for f in frames})
            common = set(got[0]) & set(got[1])
            assert all(got[0][k] == got[1][k] for k in common)
        finally:
            for s in socks:
                s.close()


def test_cli_generate(tmp_path: Path) -> None:
    assert (
        main(
            [
                "generate",
                "--out",
                str(tmp_path),
                "--vehicles",
                "3",
                "--layout",
                "two-plates",
                "--seed",
                "4",
            ]
        )
        == 0
    )
    truth = json.loads((tmp_path / "traffic.truth.json").read_text())
    assert truth["layout"] == "two-plates" and len(truth["vehicles"]) == 3
    assert (tmp_path / "traffic.wimrec").stat().st_size > 0


def test_cli_serve_runs_and_stops_on_sigterm() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "simulators.traffic",
            "serve",
            "--port",
            str(port),
            "--corrupt-every-s",
            "0.2",
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                conn = socket.create_connection(("127.0.0.1", port), timeout=5)
                break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.1)
        with conn:
            decoder = FrameDecoder()
            while decoder.frames < 8:
                decoder.feed(conn.recv(65536))
        assert decoder.bad_crc >= 1
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0
        proc.stdout.close()  # type: ignore[union-attr]
        proc.stderr.close()  # type: ignore[union-attr]


def test_subscribe_queue_drops_oldest_when_full() -> None:
    with TrafficDaqServer(
        seed=6, traffic_params=TrafficParams(start_s=0.05, mean_gap_s=1.5), speed=40.0
    ) as server:
        events = server.subscribe(maxsize=1)
        first = events.get(timeout=10)
        time.sleep(0.5)
        assert events.qsize() <= 1
        try:
            later = events.get(timeout=10)
        except queue.Empty:  # pragma: no cover - the stream is endless
            raise AssertionError("no second vehicle") from None
    assert later.vehicle_id > first.vehicle_id
