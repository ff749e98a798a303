"""Last axle -> violation stored in the central receiver: latency of the whole WIM site.

Runs a simulated site in real time (traffic DAQ, road cameras, sign), mosquitto, the central
receiver and the agent (`edge run`, its own process), then prints, per violation, the time
from the last axle leaving row 0 (DAQ clock, which the simulator keeps on the wall clock)
to the record and all its evidence being stored by the receiver (`complete_at`), plus the
same for every passage (`up/passage` stored), which shows what the axle-load core's vehicle
closing costs on its own.

    .venv/bin/python benchmarks/wim_violation_latency.py [--seconds 90] [--block-samples N]

Target (issue 5): p95 <= 1 s including plate reading.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from edge.central import CentralReceiver  # noqa: E402
from simulators.road_camera.scene import SceneOptions  # noqa: E402
from simulators.traffic.world import VEHICLE_TYPES, TrafficParams  # noqa: E402
from simulators.wim_site import SimulatedSite  # noqa: E402
from wim_station.config import WimSiteConfig  # noqa: E402

STEP_RE = re.compile(r"capture ([0-9.]+) s, evidence ([0-9.]+) s, commit ([0-9.]+) s")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_mosquitto(workdir: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    conf = workdir / "mosquitto.conf"
    conf.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
                    + ("user root\n" if os.geteuid() == 0 else ""))
    exe = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    proc = subprocess.Popen([exe, "-c", str(conf)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("mosquitto did not start")


def site_config(tmp: Path, broker_url: str, block_samples: int | None) -> WimSiteConfig:
    doc: dict[str, Any] = yaml.safe_load((REPO / "config" / "wim_site.yaml").read_text("utf-8"))
    doc["broker"] = {"url": broker_url, "reconnect_min_s": 0.2, "reconnect_max_s": 1.0}
    doc["outbox"] = {"path": str(tmp / "outbox.sqlite"), "evidence_dir": str(tmp / "evidence"),
                     "min_free_disk_mb": 0}
    doc["keys"] = {"signing_key_file": str(tmp / "device.ed25519")}
    doc["health"] = {"interval_s": 1}
    doc["daq"]["url"] = f"socket://127.0.0.1:{free_port()}"
    for cam in doc["cameras"]:
        cam["url"] = f"http://127.0.0.1:{free_port()}/stream.mjpg"
    doc["sign"]["url"] = f"socket://127.0.0.1:{free_port()}"
    if block_samples:
        doc.setdefault("detection", {})["block_samples"] = block_samples
    return WimSiteConfig.model_validate(doc)


def percentiles(values: list[float]) -> str:
    if not values:
        return "none"
    a = np.array(values)
    return (f"n={len(a)} p50={np.percentile(a, 50):.3f} s p95={np.percentile(a, 95):.3f} s "
            f"max={a.max():.3f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=90.0, help="traffic time to run")
    parser.add_argument("--block-samples", type=int, default=None,
                        help="override detection.block_samples of the site config")
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="wim-latency-"))
    broker, port = start_mosquitto(tmp)
    url = f"mqtt://127.0.0.1:{port}"
    config = site_config(tmp, url, args.block_samples)
    config_path = tmp / "site.yaml"
    config_path.write_text(yaml.safe_dump(config.model_dump(mode="json"), allow_unicode=True))
    traffic = TrafficParams(types=tuple(t for t in VEHICLE_TYPES if t.kind != "car"),
                            mean_gap_s=3.0, p_overloaded=0.5)
    receiver = CentralReceiver(url, tmp / "central.sqlite")
    receiver.start()
    site = SimulatedSite(config, seed=args.seed, traffic=traffic, speed=1.0,
                         scene=SceneOptions(1280, 720), png_dir=tmp / "sign")
    agent = subprocess.Popen([sys.executable, "-m", "edge.cli", "--log-level", "warning", "run",
                              str(config_path)], cwd=REPO, stdout=subprocess.DEVNULL,
                             stderr=(tmp / "agent.log").open("wb"))
    try:
        time.sleep(4.0)  # agent start-up: plate model, cameras connected
        site.start()
        time.sleep(args.seconds)
        site.traffic.stop()
        time.sleep(5.0)
    finally:
        agent.send_signal(signal.SIGTERM)
        agent.wait(20)
        site.stop()
        receiver.stop()
        broker.terminate()
        broker.wait()
    db = sqlite3.connect(tmp / "central.sqlite")
    violations, passages = [], []
    for text, complete_at in db.execute("SELECT json, complete_at FROM records"):
        details = json.loads(text)["details"]
        if complete_at is not None and details.get("t_last_axle_us"):
            violations.append(complete_at - details["t_last_axle_us"] / 1e6)
    for text, received_at in db.execute("SELECT json, received_at FROM passages"):
        p = json.loads(text)
        last_axle_s = p["t_first_axle_us"] / 1e6 + sum(
            (a["spacing_m"] or 0.0) for a in p["axles"]) / max(p["speed_kmh"] / 3.6, 0.1)
        passages.append(received_at - last_axle_s)
    db.close()
    steps: dict[str, list[float]] = {"capture": [], "evidence": [], "commit": []}
    for line in (tmp / "agent.log").read_text("utf-8", "replace").splitlines():
        match = STEP_RE.search(line)
        if match:
            for name, value in zip(steps, match.groups(), strict=True):
                steps[name].append(float(value))
    print(f"site config: detection.block_samples={config.detection.block_samples}, "
          f"train_gap_m={config.detection.train_gap_m}, "
          f"train_gap_min_s={config.detection.train_gap_min_s}; "
          f"{args.seconds:.0f} s of traffic; data in {tmp}")
    print(f"last axle -> passage stored in receiver:   {percentiles(passages)}")
    print(f"last axle -> violation + evidence stored:  {percentiles(violations)}")
    for name, values in steps.items():
        print(f"  agent {name:8s} (per violation):       {percentiles(values)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
