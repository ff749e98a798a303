"""`edge demo` without mosquitto's help (amqtt, MQTT 3.1.1), stopped by Ctrl-C: clean exit."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from edge.demo.view import DemoPaths, gather
from tests.edge.demo.test_demo import processes_mentioning

KINDS = {"demo-wim-g320": "wim", "demo-vessel-nanhu": "vessel"}


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_ctrl_c_stops_every_part_of_an_amqtt_demo(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    paths = DemoPaths(out, out / "central.sqlite", out / "wim" / "sign",
                      out / "vessel" / "screen", out / "vessel" / "voice")
    log = (tmp_path / "demo.out").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "edge.cli", "demo", "--broker", "amqtt",
                             "--out", str(out)], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 150
        snap = gather(paths, KINDS)
        while time.monotonic() < deadline and not (snap.passages and snap.boat):
            time.sleep(1.0)
            snap = gather(paths, KINDS)
        proc.send_signal(signal.SIGINT)
        status = proc.wait(120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
    text = (tmp_path / "demo.out").read_text()
    assert snap.passages > 0 and snap.boat is not None, text[-3000:]
    assert status == 0, text[-3000:]
    assert (out / "broker" / "amqtt.yaml").exists()  # the fallback broker, not mosquitto
    assert "receiver database:" in text and "sign PNGs:" in text
    assert processes_mentioning(str(out)) == []
