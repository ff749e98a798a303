"""Last axle -> violation stored in the central receiver: latency of the whole WIM site.

Runs a simulated site in real time (traffic DAQ, road cameras, sign), mosquitto, the central
receiver and the agent (`edge run`, its own process), then prints, per violation, the time
from the last axle leaving row 0 (DAQ clock, which the simulator keeps on the wall clock)
to the record and all its evidence being stored by the receiver (`complete_at`), plus the
same for every passage (`up/passage` stored), which shows what the axle-load core's vehicle
closing costs on its own.

    .venv/bin/python benchmarks/wim_violation_latency.py [--seconds 90] [--block-samples N]
        [--train-gap-m M] [--train-gap-min-s S]

Target (issue 5): p95 <= 1 s including plate reading.

The detection settings that buy latency must cost no accuracy; two checks, same overrides:

    .venv/bin/python benchmarks/wim_violation_latency.py --geometry
    .venv/bin/python benchmarks/wim_violation_latency.py --accuracy [--vehicles 300]

`--geometry` drives one lane's vehicle assembly (`LaneAssembler`, as the core calls it every
block) with ideal wheel pulses of every configured vehicle class at the extremes of its
spacing ranges, from the certified minimum speed to the maximum, steady and braking (just
under max_accel_mps2 and just under closing_decel_mps2), and counts the vehicles cut
in two or more trains (a tractor cut from its trailer can come out as a valid, overloaded
truck); it also prints how long after the last axle the vehicle was closed.
`--accuracy` is the accuracy harness (benchmarks/wim_accuracy.py: simulate -> replay ->
compare with truth) run once with the default detection settings and once with the site's,
on the site's two-strip layout, one and two lanes, smooth and rough roads.
"""

from __future__ import annotations

import argparse
import itertools
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
from simulators.traffic.generate import generate  # noqa: E402
from simulators.traffic.truth import load_truth  # noqa: E402
from simulators.traffic.world import VEHICLE_TYPES, TrafficParams  # noqa: E402
from simulators.wim_site import SimulatedSite  # noqa: E402
from wim_station.config import DetectionSection, WimSiteConfig  # noqa: E402
from wim_station.core.assembly import LaneAssembler  # noqa: E402
from wim_station.core.layout import ChannelSpec, LaneLayout, SiteLayout  # noqa: E402
from wim_station.core.pulses import Pulse  # noqa: E402
from wim_station.replay import replay  # noqa: E402

# Ideal wheel for --geometry: 30 kN, contact patch of a loaded dual tyre (layout.py).
WHEEL_N = 30_000.0
CONTACT_M = 0.3
# Block boundaries at 12 places relative to the vehicle: whether some poll lands in the
# moment a gap looks long enough is luck, more likely the smaller the block (same vehicles).
PHASES = tuple(k / 12 for k in range(12))

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


def site_doc(detection: dict[str, Any]) -> dict[str, Any]:
    """The live site config (config/wim_site.yaml) with `detection` values overridden."""
    doc: dict[str, Any] = yaml.safe_load((REPO / "config" / "wim_site.yaml").read_text("utf-8"))
    doc["detection"] = {**(doc.get("detection") or {}), **detection}
    return doc


def site_config(tmp: Path, broker_url: str, detection: dict[str, Any]) -> WimSiteConfig:
    doc = site_doc(detection)
    doc["broker"] = {"url": broker_url, "reconnect_min_s": 0.2, "reconnect_max_s": 1.0}
    doc["outbox"] = {"path": str(tmp / "outbox.sqlite"), "evidence_dir": str(tmp / "evidence"),
                     "min_free_disk_mb": 0}
    doc["keys"] = {"signing_key_file": str(tmp / "device.ed25519")}
    doc["health"] = {"interval_s": 1}
    doc["daq"]["url"] = f"socket://127.0.0.1:{free_port()}"
    for cam in doc["cameras"]:
        cam["url"] = f"http://127.0.0.1:{free_port()}/stream.mjpg"
    doc["sign"]["url"] = f"socket://127.0.0.1:{free_port()}"
    return WimSiteConfig.model_validate(doc)


def percentiles(values: list[float]) -> str:
    if not values:
        return "none"
    a = np.array(values)
    return (f"n={len(a)} p50={np.percentile(a, 50):.3f} s p95={np.percentile(a, 95):.3f} s "
            f"max={a.max():.3f} s")


def wheel_pulses(lane: LaneLayout, offsets_m: list[float], speed_mps: float,
                 decel_mps2: float) -> list[tuple[Pulse, ChannelSpec]]:
    """Ideal pulses of a vehicle whose first axle reaches row 0 at t = 1 s."""
    out = []
    x0 = lane.positions_m[0]
    for off in offsets_m:
        for spec in lane.channels:
            t_s = 1.0 + _travel_time(off + spec.position_m - x0, speed_mps, decel_mps2)
            v = speed_mps - decel_mps2 * (t_s - 1.0)
            dur_s = (CONTACT_M + spec.length_m) / v
            area = WHEEL_N * spec.length_m / v  # strip: force = v / length * area
            t_us = t_s * 1e6
            out.append((Pulse(spec.index, t_us - dur_s * 5e5, t_us + dur_s * 5e5, t_us,
                              area, WHEEL_N, WHEEL_N), spec))
    return out


def _travel_time(x_m: float, speed_mps: float, decel_mps2: float) -> float:
    if decel_mps2 == 0:
        return x_m / speed_mps
    return float((speed_mps - np.sqrt(speed_mps**2 - 2 * decel_mps2 * x_m)) / decel_mps2)


def close_vehicle(site: SiteLayout, pulses: list[tuple[Pulse, ChannelSpec]],
                  phase: float) -> tuple[int, float | None]:
    """(axle trains the vehicle was cut into, when the first closed), the core's timing.

    `phase` (0..1): where the block boundaries fall relative to the vehicle.
    """
    lane = LaneAssembler(site.lanes[0], site)
    # The core hands an axle's two wheels to the lane as soon as both ended (every ideal
    # wheel has its partner) and polls the lane up to its latest sample, not past a wheel
    # still on a strip.
    pending = sorted(pulses, key=lambda ps: ps[0].t_end_us)
    step_us = site.detection.block_samples * 1e6 / site.sample_rate_hz
    end_us = pending[-1][0].t_end_us + 12e6
    now_us, closed_us = phase * step_us, None
    while now_us < end_us:
        now_us += step_us
        while pending and pending[0][0].t_end_us <= now_us:
            lane.add(*pending.pop(0))
        busy_from = min((p.t_start_us for p, _ in pending if p.t_start_us < now_us),
                        default=float("inf"))
        got = lane.poll(now_us, lambda _a, _b: (set(), None), busy_from)
        if got and closed_us is None:
            closed_us = now_us
    lane.flush(lambda _a, _b: (set(), None))
    return lane.trains, closed_us


def geometry(config: WimSiteConfig, show: int) -> int:
    """Every class at its spacing extremes, certified speeds, steady and braking: splits."""
    site = SiteLayout.from_config(config)
    lane = site.lanes[0]
    rules = site.rules
    speeds_kmh = sorted({rules.min_speed_kmh, 7.5, 10, 15, 20, 25, 30, 40, 50, 60, 70, 80, 90,
                         rules.max_speed_kmh})
    # Just under the acceleration that flags a passage (the worst unflagged braking), and
    # just under the braking the closing allows for.
    decels = (0.0, 0.95 * site.detection.max_accel_mps2, 0.95 * site.detection.closing_decel_mps2)
    cases = splits = stopped = 0
    fastest_split_kmh = 0.0
    delays: list[float] = []
    worst: list[str] = []
    for vc in site.vehicle_classes:
        # Just inside each range: a spacing on its very edge may measure outside the class.
        for spacing in itertools.product(*((lo * 1.005, hi * 0.995) for lo, hi in vc.spacings_m)):
            offsets = [0.0, *np.cumsum(spacing).tolist()]
            travel = offsets[-1] + lane.positions_m[-1] - lane.positions_m[0] + CONTACT_M
            for kmh, decel in itertools.product(speeds_kmh, decels):
                v = kmh / 3.6
                if v * v <= 2 * decel * travel * 1.5:
                    stopped += 1  # stops (or nearly) on the sensors: no gap rule can tell
                    continue
                cases += 1
                pulses = wheel_pulses(lane, offsets, v, decel)
                last_row0_s = 1.0 + _travel_time(offsets[-1], v, decel)
                trains = []
                for phase in PHASES:
                    n, closed_us = close_vehicle(site, pulses, phase)
                    trains.append(n)
                    if closed_us is not None:
                        delays.append(closed_us * 1e-6 - last_row0_s)
                if max(trains) != 1:
                    splits += 1
                    fastest_split_kmh = max(fastest_split_kmh, kmh)
                    worst.append(f"{vc.code} {tuple(round(x, 3) for x in spacing)} {kmh:g} km/h"
                                 f" decel {decel:g}: {max(trains)} trains")
    det = site.detection
    print(f"geometry: block_samples={det.block_samples} train_gap_m={det.train_gap_m} "
          f"train_gap_min_s={det.train_gap_min_s}: {cases} cases ({stopped} skipped: "
          f"stop on the sensors), {splits} vehicles split (fastest {fastest_split_kmh:g} km/h)")
    for line in worst[:show]:
        print("  split:", line)
    print(f"  last axle at row 0 -> vehicle closed by the core: {percentiles(delays)}")
    return splits


def accuracy(detection: dict[str, Any], vehicles: int, seeds: list[int]) -> int:
    """The accuracy harness with the default detection settings and with the site's."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    import wim_accuracy as acc

    site = WimSiteConfig.model_validate(site_doc(detection))
    default = site.model_copy(update={"detection": DetectionSection()})
    changed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for seed, lanes, road in itertools.product(seeds, (1, 2), ("smooth", "rough")):
            gen = generate(tmp, vehicles=vehicles, layout="two-strips", road=road, seed=seed,
                           lanes=lanes, name=f"acc-{seed}-{lanes}-{road}")
            truth = load_truth(gen.truth)
            shared = acc.sharing_vehicles(gen.vehicles, "two-strips", lanes) if lanes > 1 \
                else set()
            runs = {}
            for name, cfg in (("default", default), ("site", site)):
                t0 = time.perf_counter()
                records = list(replay(gen.recording, cfg))
                result = acc.evaluate(records, truth, shared)
                result["x_real_time"] = gen.duration_s / (time.perf_counter() - t0)
                acc.show_row(f"{name:7s} {road}/seed {seed}/{lanes} lane(s)", result)
                runs[name] = {(r["lane"], round(r["t_first_axle_us"], -4)): r for r in records}
            a, b = runs["default"], runs["site"]
            decided = {k: (r["axle_count"], r["valid"], r["overloaded"]) for k, r in a.items()}
            differ = [k for k in a.keys() | b.keys() if k not in a or k not in b
                      or decided[k] != (b[k]["axle_count"], b[k]["valid"], b[k]["overloaded"])]
            gvw = [abs(b[k]["gvw_kg"] / a[k]["gvw_kg"] - 1) * 100 for k in a.keys() & b.keys()]
            changed += len(differ)
            print(f"  vehicles found/axles/valid/overloaded differently: {len(differ)}; "
                  f"GVW differs by at most {max(gvw, default=0.0):.2f} %")
            gen.recording.unlink()
    print(f"{changed} vehicles differ in all")
    return changed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=90.0, help="traffic time to run")
    parser.add_argument("--block-samples", type=int, default=None,
                        help="override detection.block_samples of the site config")
    parser.add_argument("--train-gap-m", type=float, default=None,
                        help="override detection.train_gap_m of the site config")
    parser.add_argument("--train-gap-min-s", type=float, default=None,
                        help="override detection.train_gap_min_s of the site config")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--geometry", action="store_true",
                        help="vehicle splitting check of the detection settings, then exit")
    parser.add_argument("--accuracy", action="store_true",
                        help="accuracy harness, default vs site detection settings, then exit")
    parser.add_argument("--show", type=int, default=20, help="splits --geometry lists")
    parser.add_argument("--vehicles", type=int, default=300, help="per --accuracy run")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1], help="of --accuracy")
    args = parser.parse_args()
    detection = {k: v for k, v in (("block_samples", args.block_samples),
                                   ("train_gap_m", args.train_gap_m),
                                   ("train_gap_min_s", args.train_gap_min_s)) if v is not None}
    if args.geometry:
        return int(geometry(WimSiteConfig.model_validate(site_doc(detection)), args.show) > 0)
    if args.accuracy:
        return int(accuracy(detection, args.vehicles, args.seeds) > 0)
    tmp = Path(tempfile.mkdtemp(prefix="wim-latency-"))
    broker, port = start_mosquitto(tmp)
    url = f"mqtt://127.0.0.1:{port}"
    config = site_config(tmp, url, detection)
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
