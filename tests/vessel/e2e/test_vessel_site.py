"""`python -m simulators.vessel_site --config X`: every simulator on the config's ports."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import cv2
import numpy as np
import pytest
import yaml

from tests.support.mosquitto import wait_for_port
from tests.vessel.e2e.scene import REPO, vessel_config


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1].split("/")[0])


@pytest.mark.timeout(120)
def test_launcher_serves_gnss_camera_and_screen_until_terminated(tmp_path: Path) -> None:
    cfg = vessel_config(tmp_path)
    assert cfg.camera is not None and cfg.screen is not None
    path = tmp_path / "vessel.yaml"
    path.write_text(yaml.safe_dump(cfg.model_dump(mode="json"), allow_unicode=True), "utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "simulators.vessel_site", "--config",
                             str(path), "--boats", "2", "--fps", "4"], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        for url in (cfg.gnss.url, cfg.camera.url, cfg.screen.url):
            wait_for_port(_port(url), 30)
        with socket.create_connection(("127.0.0.1", _port(cfg.gnss.url)), timeout=10) as gnss:
            gnss.settimeout(10)
            data = b""
            while b"RMC" not in data:
                data += gnss.recv(4096)
        base = cfg.camera.url.rsplit("/", 1)[0]
        with urllib.request.urlopen(f"{base}/snap.jpg", timeout=30) as reply:
            image = cv2.imdecode(np.frombuffer(reply.read(), np.uint8), cv2.IMREAD_COLOR)
        assert image is not None
        assert image.shape[:2] == (cfg.camera.height_px, cfg.camera.width_px)
        with urllib.request.urlopen(f"{base}/truth", timeout=10) as reply:
            truth = json.loads(reply.read())
        assert truth["own"]["lat_deg"] == pytest.approx(cfg.home.lat, abs=1e-3)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()
        proc.stderr.close()


def test_launcher_refuses_a_bad_config(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("kind: vessel\nbrokr: {}\n", "utf-8")
    result = subprocess.run([sys.executable, "-m", "simulators.vessel_site", "--config",
                             str(path)], cwd=REPO, capture_output=True, timeout=60, check=False)
    assert result.returncode == 2 and b"brokr" in result.stderr
