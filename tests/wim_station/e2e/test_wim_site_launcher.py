"""`python -m simulators.wim_site`: a whole simulated site on the ports a config names."""

from __future__ import annotations

import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from simulators.errors import SimulatorError
from simulators.wim_site import layout_from_config
from tests.support.mosquitto import wait_for_port
from tests.wim_station.e2e.site import REPO, site_config, write_config
from wim_station.config import WimSiteConfig


def test_layout_serves_the_config_channel_table(tmp_path: Path) -> None:
    config = site_config(tmp_path, "mqtt://127.0.0.1:1")
    layout = layout_from_config(config)
    assert layout.name == "two-strips" and layout.lanes == 2
    assert [(c.index, c.lane, c.row, c.side, c.gain_n_per_count, c.zero_counts)
            for c in layout.channels()] == [
        (c.index, c.lane, c.row, c.side, c.gain_n_per_count, c.zero_counts)
        for c in config.channels]


def test_rows_that_differ_between_lanes_are_refused(tmp_path: Path) -> None:
    doc = site_config(tmp_path, "mqtt://127.0.0.1:1").model_dump(mode="json")
    doc["channels"][6]["position_m"] = 4.0  # lane 2, row 1 moved: not one repeated layout
    doc["channels"][7]["position_m"] = 4.0
    with pytest.raises(SimulatorError, match="row 1"):
        layout_from_config(WimSiteConfig.model_validate(doc))


def test_cli_serves_daq_cameras_and_sign_until_sigterm(tmp_path: Path) -> None:
    config = site_config(tmp_path, "mqtt://127.0.0.1:1")
    path = write_config(config, tmp_path / "site.yaml")
    proc = subprocess.Popen([sys.executable, "-m", "simulators.wim_site", "--config", str(path),
                             "--png-dir", str(tmp_path / "sign")], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        assert config.sign is not None
        for url in [config.daq.url, config.sign.url] + [c.url for c in config.cameras]:
            wait_for_port(int(url.rsplit(":", 1)[1].split("/")[0]), 20)
        snap = config.cameras[0].url.replace("stream.mjpg", "snapshot.jpg")
        with urllib.request.urlopen(snap, timeout=10) as reply:
            assert reply.read(2) == b"\xff\xd8"  # a JPEG
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        assert proc.stderr is not None
        proc.stderr.close()


def test_cli_bad_config_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: wim\ndevice: {id: x}\n", "utf-8")
    done = subprocess.run([sys.executable, "-m", "simulators.wim_site", "--config", str(bad)],
                          cwd=REPO, capture_output=True, timeout=60)
    assert done.returncode == 2 and done.stderr.strip()
