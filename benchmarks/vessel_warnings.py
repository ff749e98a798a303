"""Warning figures of the patrol vessel: entry → screen/voice latency, escalation → violation at
the receiver, and the cost of the rules, the watch step and the evidence.

Run: `.venv/bin/python benchmarks/vessel_warnings.py [--runs 5] [--width 1280 --height 720]
[--fps 4] [--skip-live]`. Prints:

- live (lake simulator + lake camera MJPEG + screen simulator + vessel agent with its watch +
  mosquitto + central receiver, all on this machine): per run, a boat crossing into a
  restricted zone 60–110 m ahead at 2–4 m/s while another passes 25 m outside and a third
  runs alongside its west edge 6 m outside; latency from the true entry (of the bow, and of
  the hull's centre) to (a) the rule's decision (frame time of the first warning), (b) the
  screen simulator showing the text, (c) the voice WAV written by the sink, and (d) the
  violation stored at the receiver after the configured escalation; plus the incidents
  warned about (must be 1: the intruder's) and the violations (must be 1);
- the warning core: updates/s with 20 targets and the 5 example rules;
- the watch step: vision + rules per frame, and evidence building per violation.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from edge.camera.frame import TimedFrame
from edge.central import CentralReceiver
from edge.config.loader import load_config
from edge.geo import LocalFrame
from edge.mqtt import EdgeRuntime
from simulators.lake.environment import EnvironmentSpec
from simulators.lake_camera.scene import LakeScene
from simulators.lake_camera.world import OwnPose, Target
from simulators.vessel_site import ScriptedTarget, SimulatedVessel
from tests.support.mosquitto import Mosquitto
from tests.vessel.e2e.scene import ESCALATE_AFTER_S, HEADING_DEG, ZONE_EN, vessel_config
from vessel.agent import VesselAgent
from vessel.config import VesselConfig
from vessel.patrol_watch import PatrolWatch, camera_model
from vessel.warnings import OwnState, TargetObservation, WarningEngine

REPO = Path(__file__).resolve().parents[1]
ZONE_NORTH_M = max(n for _, n in ZONE_EN)
ZONE_WEST_M = min(e for e, _ in ZONE_EN)


def _stats(values: list[float], unit: str = "s") -> str:
    if not values:
        return "n/a"
    ordered = sorted(values)
    return (f"median {statistics.median(ordered):.2f} {unit}, min {ordered[0]:.2f}, "
            f"max {ordered[-1]:.2f} (n={len(ordered)})")


def _within(results: list[dict[str, Any]], limit_s: float, suffix: str) -> int:
    """Runs whose screen and voice both came within `limit_s` of the entry."""
    def ok(value: float | None) -> bool:
        return value is not None and value <= limit_s
    return sum(ok(r["screen" + suffix]) and ok(r["voice" + suffix]) for r in results)


def _wait(cond: Any, timeout_s: float) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = cond()
        if value:
            return value
        time.sleep(0.05)
    return None


def live_run(run: int, width: int, height: int, fps: float) -> dict[str, Any]:
    """One live scene; latencies in seconds from the intruder's true entry."""
    rng = random.Random(run)
    with tempfile.TemporaryDirectory(prefix="vessel-warn-") as tmp_name:
        tmp = Path(tmp_name)
        broker = Mosquitto(tmp / "mosquitto").start()
        cfg = vessel_config(tmp, broker.url, width_px=width, height_px=height)
        assert cfg.speaker is not None
        voice_dir = Path(cfg.speaker.url.removeprefix("wav://"))
        site = SimulatedVessel(cfg, seed=run, boats=0, swimmers=0, fps=fps,
                               start_heading_deg=HEADING_DEG,
                               environment=EnvironmentSpec(0.0, 0.0, 0.0, 0.0))
        receiver = CentralReceiver(broker.url, tmp / "central.sqlite")
        agent = VesselAgent(cfg)
        agent.navigator.set_mode("hold", time.monotonic())
        frame = LocalFrame(cfg.home.lat, cfg.home.lon)
        east = rng.uniform(60.0, 105.0)
        speed = rng.uniform(2.0, 4.0)
        length = rng.uniform(4.0, 8.0)
        north0 = ZONE_NORTH_M + length / 2 + rng.uniform(8.0, 20.0)
        try:
            receiver.start()
            site.start()
            agent.start()
            watch = agent.watch
            assert watch is not None
            _wait(lambda: watch.counters["frames"] > watch.counters["no_own_pose"] + 3, 60)
            t0 = time.time()
            intruder = Target(101, "boat", *frame.to_geodetic(east, north0), heading_deg=180.0,
                              speed_mps=speed, length_m=length, beam_m=2.2,
                              color_bgr=(40, 40, 200))
            passer = Target(102, "boat", *frame.to_geodetic(95.0, -55.0), heading_deg=90.0,
                            speed_mps=2.0, length_m=7.0, beam_m=2.4)
            # South along the zone's west edge (east 50), 6 m short of it, crossing the view
            # to starboard of the intruder (never in front of it: no occlusion).
            grazer = Target(103, "boat", *frame.to_geodetic(ZONE_WEST_M - 6.0, -5.0),
                            heading_deg=180.0, speed_mps=2.0, length_m=6.0, beam_m=2.2,
                            color_bgr=(60, 160, 60))
            for target in (intruder, passer, grazer):
                site.add_target(ScriptedTarget(target, t0))
            entry = t0 + (north0 - length / 2 - ZONE_NORTH_M) / speed  # the bow crosses
            stored = _wait(lambda: receiver.store.records() and time.time(), 60)
            if watch.speaker is not None:
                watch.speaker.wait_idle(30)
            time.sleep(1.0)
            records = receiver.store.records()
            track = (json.loads(receiver.store.evidence(records[0]["record_id"])
                                ["incident.json"])["track"] if records else [])
        finally:
            agent.close()
            site.stop()
            receiver.stop()
            broker.stop()
        assert site.screen is not None
        shown = [m.t_s for m in site.screen.history() if "Restricted" in (m.text or "")]
        said = [json.loads(p.read_text("utf-8")) for p in voice_dir.glob("*.json")]
        voice = sorted(s["t_s"] for s in said)
        warned = {s["key"].rsplit(":", 2)[0] for s in said}  # key: incident:step:index
        script = ScriptedTarget(intruder, t0)
        errors = []  # (north bias, distance) of each track point from the truth, metres
        for point in track:
            truth = frame.to_enu(*_latlon(script.at(point["t_s"])))
            seen = frame.to_enu(point["lat"], point["lon"])
            errors.append((seen[1] - truth[1], math.dist(seen, truth)))
        decided = None
        if records:
            from datetime import datetime
            first = records[0]["details"]["first_warning"]
            decided = datetime.fromisoformat(first.replace("Z", "+00:00")).timestamp()
        # The vision reports the hull's centre; its bow is in half a length earlier.
        centre = entry + length / 2 / speed
        return {
            "decision_bow": None if decided is None else decided - entry,
            "decision": None if decided is None else decided - centre,
            "screen": shown[0] - entry if shown else None,
            "voice": voice[0] - entry if voice else None,
            "screen_centre": shown[0] - centre if shown else None,
            "voice_centre": voice[0] - centre if voice else None,
            "violation": None if not stored else stored - entry,
            "violation_after_escalation": None if not stored or decided is None
            else stored - (decided + ESCALATE_AFTER_S),
            "records": len(records),
            "warned": len(warned),
            "length_m": length,
            "north_bias_m": statistics.median(e[0] for e in errors) if errors else None,
            "position_error_m": statistics.median(e[1] for e in errors) if errors else None,
            "range_m": (east**2 + ZONE_NORTH_M**2) ** 0.5,
            "speed_mps": speed,
        }


def _latlon(target: Target) -> tuple[float, float]:
    return target.lat_deg, target.lon_deg


def core_rate() -> float:
    """Warning-engine updates per second with 20 targets under the example rules."""
    cfg = load_config(REPO / "config" / "vessel.yaml")
    assert isinstance(cfg, VesselConfig)
    engine = WarningEngine(cfg.warnings, cfg.zones, (cfg.home.lat, cfg.home.lon))
    frame = LocalFrame(cfg.home.lat, cfg.home.lon)
    rng = random.Random(1)
    spots = [(rng.uniform(-150, 500), rng.uniform(-200, 400)) for _ in range(20)]
    n = 2000
    start = time.perf_counter()
    for k in range(n):
        t = 1_780_000_000 + k * 0.1
        own = OwnState(t, cfg.home.lat, cfg.home.lon, 90.0, 1.5, 90.0)
        obs = []
        for i, (e, nn) in enumerate(spots):
            lat, lon = frame.to_geodetic(e + 0.2 * k, nn)
            obs.append(TargetObservation(t, i, "person" if i % 5 == 0 else "boat", lat, lon,
                                         2.0, 90.0, 45.0, 45.0, 100.0, (0, 0, 10, 10)))
        engine.update(t, own, obs)
    return n / (time.perf_counter() - start)


def watch_step(width: int, height: int) -> tuple[float, float]:
    """(vision + rules ms per frame, evidence + signed commit ms per violation)."""
    with tempfile.TemporaryDirectory(prefix="vessel-watch-") as tmp_name:
        tmp = Path(tmp_name)
        cfg = vessel_config(tmp, width_px=width, height_px=height)
        runtime = EdgeRuntime(cfg)
        watch = PatrolWatch(cfg, runtime)  # not started: no devices, frames fed by hand
        scene = LakeScene(camera_model(cfg), 4)
        frame = LocalFrame(cfg.home.lat, cfg.home.lon)
        boat = Target(1, "boat", *frame.to_geodetic(80.0, 10.0), heading_deg=180.0,
                      speed_mps=2.0)
        t0 = time.time()
        frames = []
        for k in range(30):
            image, _ = scene.render(OwnPose(cfg.home.lat, cfg.home.lon, HEADING_DEG),
                                    (ScriptedTarget(boat, t0).at(t0 + k * 0.2),), k * 0.2)
            frames.append(TimedFrame(t0 + k * 0.2, k, image))
        own = OwnState(t0, cfg.home.lat, cfg.home.lon, HEADING_DEG)
        step_ms = []
        for f in frames:
            watch.set_own(OwnState(f.t_s, own.lat_deg, own.lon_deg, HEADING_DEG))
            started = time.perf_counter()
            watch.process_frame(f)
            step_ms.append((time.perf_counter() - started) * 1e3)
        incidents = watch.engine.incidents()
        evidence_ms = float("nan")
        if incidents:
            from vessel.patrol_watch.watch import _Report, _Shot
            inc = incidents[0]
            report = _Report(inc, (_Shot("first-warning", "首次警告", frames[-1], inc.last),
                                   _Shot("violation", "违法取证", frames[-1], inc.last)))
            started = time.perf_counter()
            watch._report(report)
            evidence_ms = (time.perf_counter() - started) * 1e3
        runtime.stop()
        return statistics.median(step_ms), evidence_ms


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    parser.add_argument("--fps", type=float, default=4.0)
    parser.add_argument("--skip-live", action="store_true")
    args = parser.parse_args()
    print(f"warning core: {core_rate():,.0f} updates/s (20 targets, 5 rules)")
    for width, height in sorted({(args.width, args.height), (640, 360), (1280, 720)}):
        step, evidence = watch_step(width, height)
        print(f"watch step {width}x{height}: {step:.1f} ms/frame (vision + rules); "
              f"evidence + signed commit {evidence:.0f} ms per violation")
    if args.skip_live:
        return 0
    results = []
    for run in range(args.runs):
        r = live_run(run, args.width, args.height, args.fps)
        results.append(r)
        print(f"run {run}: range {r['range_m']:.0f} m, {r['length_m']:.1f} m long at "
              f"{r['speed_mps']:.1f} m/s, from the bow's entry: "
              + ", ".join(f"{k} {v:+.2f} s" for k, v in r.items()
                          if k in ("decision_bow", "screen", "voice", "violation")
                          and v is not None)
              + f", incidents warned {r['warned']}, records {r['records']}, "
              "track position error median "
              f"{r['position_error_m'] or math.nan:.1f} m (north bias "
              f"{r['north_bias_m'] or math.nan:+.1f} m)")
    for key, label in (("decision_bow", "bow entry -> rule decision (frame time)"),
                       ("decision", "centre entry -> rule decision (frame time)"),
                       ("screen_centre", "centre entry -> screen showing"),
                       ("voice_centre", "centre entry -> voice WAV written"),
                       ("screen", "bow entry -> screen showing"),
                       ("voice", "bow entry -> voice WAV written"),
                       ("violation", "entry -> violation stored at receiver"),
                       ("position_error_m", "target position error on its track (m)"),
                       ("violation_after_escalation",
                        f"escalation due (+{ESCALATE_AFTER_S:.0f} s) -> stored")):
        unit = "m" if key.endswith("_m") else "s"
        print(f"{label}: {_stats([r[key] for r in results if r[key] is not None], unit)}")
    print(f"runs with exactly one incident warned and one violation (the intruder's): "
          f"{sum(r['records'] == 1 and r['warned'] == 1 for r in results)}/{len(results)}; "
          "runs with screen and voice within 2 s of entry (bow / centre): "
          f"{_within(results, 2.0, '')} / {_within(results, 2.0, '_centre')} of {len(results)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
