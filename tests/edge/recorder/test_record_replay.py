"""Record a live simulated WIM site, replay it through a second agent: the same passages."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from edge.central import CentralReceiver
from edge.config.loader import load_config
from edge.demo.configs import write_config
from edge.demo.processes import spawn, stop_process_group
from edge.recorder import Manifest, compare_passages
from edge.recorder.compare import compare_violations
from edge.recorder.streams import daq_chunks, jpeg_frames
from simulators.traffic.world import TrafficParams
from simulators.wim_site import SimulatedSite
from tests.support.mosquitto import Mosquitto
from wim_station.config import WimSiteConfig
from wim_station.daq import open_recording

RECORD_S = 20.0
# Dense traffic with many overloads: enough passages in half a minute.
DENSE = dataclasses.replace(TrafficParams(), mean_gap_s=1.5, p_overloaded=0.5, start_s=0.5)


def wait_for(predicate: Callable[[], bool], timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return False


def test_a_recording_replays_to_the_same_passages(tmp_path: Path, mosquitto: Mosquitto) -> None:
    path = write_config("wim_site.yaml", tmp_path / "site", broker_url=mosquitto.url,
                        protocol="5")
    config = load_config(path)
    assert isinstance(config, WimSiteConfig)
    device = config.device.id
    receiver = CentralReceiver(mosquitto.url, tmp_path / "central.sqlite")
    receiver.start()
    site = SimulatedSite(config, png_dir=tmp_path / "sign", traffic=DENSE)
    agent = spawn([sys.executable, "-m", "edge.cli", "run", str(path)], tmp_path / "agent.log")
    rec = tmp_path / "rec"
    try:
        site.start()
        assert wait_for(lambda: receiver.store.count("passages", device) > 0, 90), \
            (tmp_path / "agent.log").read_text()[-3000:]
        recording = subprocess.run(
            [sys.executable, "-m", "edge.cli", "record", "--config", str(path), "--out",
             str(rec), "--seconds", str(RECORD_S)],
            capture_output=True, text=True, timeout=RECORD_S + 60, check=False)
        assert recording.returncode == 0, recording.stderr[-2000:]
        assert "daq.wimrec" in recording.stdout and "camera-lane2-front" in recording.stdout
        time.sleep(5)  # the live agent finishes the last vehicles of the recording
    finally:
        stop_process_group(agent)
        site.stop()

    # The folder: a manifest, a .wimrec the WIM tools read, JPEGs with arrival times.
    manifest = Manifest.read(rec)
    daq = manifest.stream("daq")
    assert daq is not None and daq.counters["frames"] > 0 and daq.counters["bad_crc"] == 0
    with open_recording(rec / "daq.wimrec") as reading:
        frames = list(reading.frames())
    assert len(frames) == daq.counters["frames"]
    assert sum(len(c) for _, c in daq_chunks(rec / "daq.wimrec")) == daq.bytes
    assert len(jpeg_frames(rec / "camera-lane1-front")) > 0

    try:
        proc = subprocess.run(
            [sys.executable, "-m", "edge.cli", "replay", str(rec), "--config", str(path),
             "--out", str(tmp_path / "replay"), "--tail-s", "6"],
            capture_output=True, text=True, timeout=RECORD_S + 120, check=False)
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert wait_for(lambda: receiver.store.count("passages", device + "-replay") > 0, 10)
        live = receiver.store.passages(device)
        replayed = receiver.store.passages(device + "-replay")
        live_records = receiver.store.records(device)
        replayed_records = receiver.store.records(device + "-replay")
    finally:
        receiver.stop()
    window = (frames[0].t0_us, int(frames[-1].t0_us + frames[-1].duration_us))
    match = compare_passages(live, replayed, window)
    assert match.same, (match.summary(), match.differ, match.only_live, match.only_replay)
    assert len(match.matched) >= 5
    assert any(live["overloaded"] for live, _ in match.matched)
    overloads = compare_violations(live_records, replayed_records, window)
    assert overloads.consistent, (overloads.summary(), overloads.differ, overloads.only_live,
                                  overloads.only_replay)
    assert overloads.matched
