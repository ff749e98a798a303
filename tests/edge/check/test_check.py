"""`edge check` against a simulated WIM site and a real mosquitto: all pass, then one fails."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from edge.check import CheckThresholds, run_checks
from edge.config.loader import load_config
from edge.demo.configs import write_config
from simulators.wim_site import SimulatedSite
from tests.support.mosquitto import Mosquitto
from wim_station.config import WimSiteConfig

# The simulators run in the test process beside rendering cameras on a shared 2-core box:
# they may fall behind real time, which is not what these tests are about.
FAST = CheckThresholds(device_timeout_s=4.0, sample_s=1.0, min_daq_realtime_ratio=0.3,
                       min_camera_fps=0.5)


@pytest.fixture
def wim_site(tmp_path: Path, mosquitto: Mosquitto) -> Iterator[tuple[Path, SimulatedSite]]:
    path = write_config("wim_site.yaml", tmp_path / "site", broker_url=mosquitto.url,
                        protocol="5")
    config = load_config(path)
    assert isinstance(config, WimSiteConfig)
    site = SimulatedSite(config, png_dir=tmp_path / "sign").start()
    try:
        yield path, site
    finally:
        site.stop()


def test_all_devices_of_a_simulated_site_pass(wim_site: tuple[Path, SimulatedSite]) -> None:
    path, _ = wim_site
    results = run_checks(load_config(path), FAST)
    failed = [r.line() for r in results if not r.ok]
    assert not failed, failed
    kinds = [r.device.split()[0] for r in results]
    assert kinds == ["daq", "camera", "camera", "sign", "broker", "disk", "clock"]
    daq = results[0]
    assert daq.figures["bad_crc"] == 0
    assert len(daq.figures["channels"]) == 8
    assert "vs daq" in results[-1].summary
    cam = results[1]
    assert (cam.figures["width_px"], cam.figures["height_px"]) == (1280, 720)


def test_a_stopped_sign_is_named_with_the_reason(tmp_path: Path,
                                                  wim_site: tuple[Path, SimulatedSite]) -> None:
    path, site = wim_site
    assert site.sign is not None
    site.sign.close()
    site.unplug_camera("lane2-front")
    thresholds = tmp_path / "limits.yaml"
    thresholds.write_text("min_daq_realtime_ratio: 0.3\nmin_camera_fps: 0.5\n")
    # As a technician runs it: its own process, one line per device on stdout.
    proc = subprocess.run([sys.executable, "-m", "edge.cli", "check", str(path), "--timeout",
                           "3", "--thresholds", str(thresholds)], capture_output=True,
                          text=True, timeout=60, check=False)
    out = proc.stdout
    assert proc.returncode == 1, proc.stderr
    assert "failed: camera, sign" in proc.stderr
    lines = {line.split()[1] + line.split()[2]: line for line in out.splitlines()[1:]}
    sign_line = next(v for k, v in lines.items() if k.startswith("sign"))
    assert sign_line.startswith("FAIL") and "does not answer" in sign_line
    cam_line = next(v for k, v in lines.items() if k.startswith("cameralane2"))
    assert cam_line.startswith("FAIL") and "no frame" in cam_line
    assert next(v for k, v in lines.items() if k.startswith("daq")).startswith("PASS")


def test_a_stopped_broker_and_a_wrong_channel_zero_fail(
        tmp_path: Path, wim_site: tuple[Path, SimulatedSite], mosquitto: Mosquitto) -> None:
    path, _ = wim_site
    text = path.read_text().replace("index: 3, lane: 1, row: 1, position_m: 3.0, side: right, "
                                    "type: strip, length_m: 0.07, zero_counts: 0",
                                    "index: 3, lane: 1, row: 1, position_m: 3.0, side: right, "
                                    "type: strip, length_m: 0.07, zero_counts: 9000")
    path.write_text(text)
    mosquitto.stop()
    results = {r.device.split()[0]: r for r in run_checks(load_config(path), FAST)}
    assert not results["broker"].ok
    assert "cannot reach the broker" in results["broker"].summary
    assert not results["daq"].ok
    assert re.search(r"ch3 zero -?\d+ \(configured 9000\)", results["daq"].summary)


def test_a_stopped_daq_is_named(wim_site: tuple[Path, SimulatedSite]) -> None:
    path, site = wim_site
    site.traffic.stop()
    results = {r.device.split()[0]: r for r in run_checks(load_config(path), FAST)}
    daq = results["daq"]
    assert not daq.ok and daq.summary.startswith("no DAQ frame in 4 s")
    assert "refused" in daq.summary.lower()
    assert results["sign"].ok
