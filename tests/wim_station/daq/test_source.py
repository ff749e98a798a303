"""DaqSource over real transports: TCP against the traffic simulator, a pty, a recording."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from simulators.traffic.generate import generate
from simulators.traffic.server import TrafficDaqServer
from wim_station.daq.codec import SeqGap, encode
from wim_station.daq.frame import DaqFrame
from wim_station.daq.recording import RecordingError, RecordingWriter, open_recording
from wim_station.daq.source import (
    DaqSource,
    DaqSourceError,
    FileDaqSource,
    SerialDaqSource,
    open_daq,
)


@pytest.fixture
def server() -> Iterator[TrafficDaqServer]:
    srv = TrafficDaqServer(seed=3).start()
    try:
        yield srv
    finally:
        srv.stop()


def read_frames(source: DaqSource, n: int, limit_s: float = 10.0) -> list[DaqFrame]:
    frames: list[DaqFrame] = []
    deadline = time.monotonic() + limit_s
    while len(frames) < n and time.monotonic() < deadline:
        frame = source.read(0.5)
        if frame is not None:
            frames.append(frame)
    return frames


def test_socket_source_reads_consecutive_frames(server: TrafficDaqServer) -> None:
    with open_daq(server.url) as source:
        assert isinstance(source, SerialDaqSource)
        frames = read_frames(source, 5)
        assert len(frames) == 5
        assert [f.seq - frames[0].seq for f in frames] == [0, 1, 2, 3, 4]
        assert all(f.samples.shape == (200, 4) and f.sample_rate_hz == 4000 for f in frames)
        # t0 comes from the wall clock, contiguous from frame to frame.
        assert abs(frames[0].t0_us / 1e6 - time.time()) < 30
        assert frames[1].t0_us - frames[0].t0_us == 50_000
        health = source.health()
        assert health["connected"] and health["frames"] == 5 and health["bad_crc"] == 0


def test_injected_faults_are_counted(server: TrafficDaqServer) -> None:
    with open_daq(server.url) as source:
        assert len(read_frames(source, 2)) == 2
        server.inject_garbage(300)
        server.corrupt_next(1)
        items: list[DaqFrame | SeqGap] = []
        deadline = time.monotonic() + 10
        while not any(isinstance(i, SeqGap) for i in items) and time.monotonic() < deadline:
            item = source.read_item(0.5)
            if item is not None:
                items.append(item)
        gap = next(i for i in items if isinstance(i, SeqGap))
        assert gap.lost_frames == 1 and gap.lost_samples == 200
        health = source.health()
        assert health["bad_crc"] == 1
        assert health["resync_bytes"] >= 300


def test_reconnects_after_server_restart() -> None:
    srv = TrafficDaqServer(seed=4).start()
    port = srv.address[1]
    source = SerialDaqSource(srv.url, reconnect_min_s=0.05, reconnect_max_s=0.2)
    try:
        assert len(read_frames(source, 2)) == 2
        srv.stop()
        deadline = time.monotonic() + 10
        while source.connected and time.monotonic() < deadline:
            source.read(0.2)
        assert not source.connected
        assert "link lost" in source.health()["last_error"]
        assert source.read(0.3) is None  # nobody listening: no frame, no exception
        srv = TrafficDaqServer(port=port, seed=5).start()
        assert len(read_frames(source, 3)) == 3
        assert source.connected and source.health()["reconnects"] == 1
    finally:
        source.close()
        source.close()  # safe twice
        srv.stop()


def test_connect_refused_is_retried_not_raised() -> None:
    srv = TrafficDaqServer(seed=1)
    url = srv.url
    srv.stop()  # the port is free again: nobody listens
    with SerialDaqSource(url, reconnect_min_s=0.05) as source:
        assert source.read(0.3) is None
        assert not source.connected and source.health()["connect_failures"] >= 1


def test_pty_serial_source(tmp_path: Path) -> None:
    master, slave = os.openpty()
    try:
        with open_daq(os.ttyname(slave), baudrate=115200) as source:
            frames = [
                DaqFrame(seq=i, t0_us=i, sample_rate_hz=1000, samples=np.full((4, 2), i, np.int32))
                for i in range(3)
            ]
            os.write(master, b"\x00garbage" + b"".join(encode(f) for f in frames))
            got = [source.read(2.0) for _ in range(3)]
            assert got == frames
            assert source.health()["resync_bytes"] == 8
    finally:
        os.close(master)
        os.close(slave)


def test_file_source_and_tee_round_trip(tmp_path: Path) -> None:
    run = generate(tmp_path, vehicles=2, seed=8)
    with open_recording(run.recording) as rec:
        expected = list(rec.frames())
        header = rec.header
    tee_path = tmp_path / "copy.wimrec"
    with (
        RecordingWriter(tee_path, header) as tee,
        open_daq(f"file://{run.recording}", tee=tee) as source,
    ):
        assert isinstance(source, FileDaqSource) and source.header == header
        got = []
        while (frame := source.read(0.1)) is not None:
            got.append(frame)
        assert source.eof
    assert got == expected
    assert tee_path.read_bytes() == run.recording.read_bytes()


def test_paced_file_source_delivers_the_same_frames(tmp_path: Path) -> None:
    run = generate(tmp_path, vehicles=1, seed=2)
    with open_recording(run.recording) as rec:
        expected = [f for _, f in zip(range(5), rec.frames(), strict=False)]
    with FileDaqSource(run.recording, paced=True, speed=50.0) as source:
        assert [source.read(1.0) for _ in range(5)] == expected


def test_bad_urls_fail_clearly(tmp_path: Path) -> None:
    with pytest.raises(DaqSourceError, match="unsupported DAQ URL scheme"):
        open_daq("http://example.invalid/daq")
    with pytest.raises(RecordingError, match="cannot open"):
        open_daq(f"file://{tmp_path}/missing.wimrec")
