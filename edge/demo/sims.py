"""The demo's simulated devices, one child process per site: `python -m edge.demo.sims wim|vessel`.

A thin launcher over `simulators.wim_site.SimulatedSite` and `simulators.vessel_site.
SimulatedVessel` that asks for dense scenes, so a two-minute demo shows everything: WIM
traffic with many overloaded trucks from the first seconds; a calm lake where, on SIGUSR1
(sent by the demo once the vessel agent is online) and again every `--repeat-s`, a boat
crosses into the restricted "Demo harbour" ahead of the patrol boat's first leg.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import signal
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

from edge.config.loader import load_config
from edge.geo import LocalFrame
from edge.logs import setup_logging

# Where the intruder starts, from home (east m, north m), its course and speed: it crosses the
# harbour (east 60..140, north -40..40) north to south, in after 5 s, out after ~32 s.
INTRUDER_START_EN = (110.0, 55.0)
INTRUDER_HEADING_DEG = 180.0
INTRUDER_SPEED_MPS = 3.0


def serve_wim(args: argparse.Namespace) -> None:
    from simulators.traffic.world import TrafficParams
    from simulators.wim_site import SimulatedSite

    config = load_config(args.config)
    base = TrafficParams()
    # Fewer cars than on a real road: the demo is about trucks, overloaded ones early.
    types = tuple(dataclasses.replace(t, share=t.share * (0.4 if t.kind == "car" else 1.0))
                  for t in base.types)
    traffic = dataclasses.replace(base, mean_gap_s=args.mean_gap_s, types=types,
                                  p_overloaded=args.overloaded, p_empty=0.2, start_s=0.5)
    site = SimulatedSite(config, seed=args.seed, traffic=traffic,  # type: ignore[arg-type]
                         png_dir=args.png_dir)
    site.on_vehicle(lambda e: print(json.dumps({"vehicle": dataclasses.asdict(e)},
                                               ensure_ascii=False, default=str), flush=True))
    with site:
        print(json.dumps({"ready": site.site_urls()}), flush=True)
        _wait_for_signal()


def serve_vessel(args: argparse.Namespace) -> None:
    from simulators.lake.environment import EnvironmentSpec
    from simulators.lake_camera.world import Target
    from simulators.vessel_site import ScriptedTarget, SimulatedVessel

    config = load_config(args.config)
    frame = LocalFrame(config.home.lat, config.home.lon)  # type: ignore[attr-defined]
    calm = EnvironmentSpec(0.0, 0.0, 0.0, 0.0)  # no wind or current: the scene repeats
    vessel = SimulatedVessel(config, seed=args.seed, boats=args.boats,  # type: ignore[arg-type]
                             swimmers=0, fps=args.fps, png_dir=args.png_dir,
                             start_heading_deg=90.0, environment=calm)
    # GNSS time is wall-clock time: evidence times, clock checks and replays line up.
    vessel.lake_spec = dataclasses.replace(vessel.lake_spec, start_utc=datetime.now(UTC))
    trigger = threading.Event()
    signal.signal(signal.SIGUSR1, lambda *_: trigger.set())
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    with vessel:
        print(json.dumps({"ready": True}), flush=True)
        next_id = 901
        while not stop.is_set():
            if not trigger.wait(0.2):
                continue
            lat, lon = frame.to_geodetic(*INTRUDER_START_EN)
            intruder = Target(next_id, "boat", lat, lon, heading_deg=INTRUDER_HEADING_DEG,
                              speed_mps=INTRUDER_SPEED_MPS, length_m=6.0, beam_m=2.2,
                              color_bgr=(40, 40, 200))
            vessel.add_target(ScriptedTarget(intruder, time.time()))
            print(json.dumps({"intruder": next_id, "t_s": time.time()}), flush=True)
            next_id += 1
            trigger.clear()
            if args.repeat_s > 0 and not stop.wait(args.repeat_s):
                trigger.set()


def _wait_for_signal() -> None:
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    stop.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m edge.demo.sims", description=__doc__)
    sub = parser.add_subparsers(dest="site", required=True)
    wim = sub.add_parser("wim")
    wim.add_argument("--config", type=Path, required=True)
    wim.add_argument("--png-dir", type=Path, required=True)
    wim.add_argument("--seed", type=int, default=7)
    wim.add_argument("--mean-gap-s", type=float, default=2.5)
    wim.add_argument("--overloaded", type=float, default=0.5, help="share of overloaded trucks")
    wim.set_defaults(func=serve_wim)
    ves = sub.add_parser("vessel")
    ves.add_argument("--config", type=Path, required=True)
    ves.add_argument("--png-dir", type=Path, required=True)
    ves.add_argument("--seed", type=int, default=4)
    ves.add_argument("--boats", type=int, default=2, help="other boats roaming the lake")
    ves.add_argument("--fps", type=float, default=5.0)
    ves.add_argument("--repeat-s", type=float, default=120.0,
                     help="a new intruder this often after the first (0: only one)")
    ves.set_defaults(func=serve_vessel)
    args = parser.parse_args(argv)
    setup_logging("info", "text")
    args.func(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
