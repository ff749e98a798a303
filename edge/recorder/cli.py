"""`edge record` and `edge replay`."""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from edge.config.loader import load_config
from edge.demo.processes import stop_process_group
from edge.errors import EdgeError
from edge.recorder.capture import record_site
from edge.recorder.compare import (
    compare_passages,
    compare_violations,
    recording_window_us,
    vessel_incidents,
)
from edge.recorder.replay import Replay


def register(commands: argparse._SubParsersAction) -> None:
    """Add `edge record` and `edge replay`."""
    rec = commands.add_parser(
        "record", help="capture a running site's raw input streams into a folder",
        description="Connect to every input device the config names (GNSS, DAQ, cameras) as "
                    "one more client and store what arrives, with host arrival times, into "
                    "OUT (manifest.json, gnss.nmea, daq.wimrec + daq.index, camera-ID/).")
    rec.add_argument("--config", type=Path, required=True)
    rec.add_argument("--out", type=Path, required=True, help="new folder for the recording")
    rec.add_argument("--seconds", type=float, default=None, help="default: until Ctrl-C")
    rec.set_defaults(func=run_record)
    rep = commands.add_parser(
        "replay", help="feed a recording through an agent as if live",
        description="Serve the recorded streams on loopback ports at their recorded pace, "
                    "write a copy of the config that points at them (own outbox, keys and "
                    "device id DEVICE-replay) and run the agent on it until the recording "
                    "has played. Signs/screens are simulated, their PNGs land in OUT.")
    rep.add_argument("recording", type=Path)
    rep.add_argument("--config", type=Path, default=None,
                     help="config to replay with (default: the one recorded with the data)")
    rep.add_argument("--out", type=Path, default=None, help="default: RECORDING/replay-TIME")
    rep.add_argument("--speed", type=float, default=1.0, help="playback speed (1 = real time)")
    rep.add_argument("--broker", default=None, help="broker URL for the agent (default: config)")
    rep.add_argument("--keep-device-id", action="store_true",
                     help="publish as the recorded device, not DEVICE-replay")
    rep.add_argument("--serve-only", action="store_true",
                     help="do not start the agent: serve until Ctrl-C (run `edge run` on the "
                          "printed config yourself)")
    rep.add_argument("--compare-db", type=Path, default=None,
                     help="a central receiver database holding both the live device's and "
                          "the replay's passages: compare them after the replay (exit 1 "
                          "when they differ)")
    rep.add_argument("--tail-s", type=float, default=10.0,
                     help="keep the agent running this long after the end (outbox drain)")
    rep.set_defaults(func=run_replay)


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    return stop


def run_record(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    stop = _stop_on_signals()
    try:
        manifest = record_site(config, args.config, args.out, args.seconds, stop)
    except FileExistsError as exc:
        raise EdgeError(str(exc)) from exc
    for s in manifest.streams:
        extra = " ".join(f"{k}={v}" for k, v in s.counters.items())
        print(f"{s.role:<7} {s.name:<14} {s.items:>7} items {s.bytes / 1e6:8.1f} MB  {s.path}"
              f"  {extra}")
    print(f"recorded {manifest.t_end_s - manifest.t_start_s:.0f} s into {args.out}",
          file=sys.stderr)
    empty = [s.name for s in manifest.streams if s.items == 0]
    if empty:
        print(f"edge record: nothing arrived from {', '.join(empty)}", file=sys.stderr)
        return 1
    return 0


def run_replay(args: argparse.Namespace) -> int:
    folder: Path = args.recording
    config_path = args.config or folder / "config.yaml"
    config = load_config(config_path)
    out = args.out or folder / time.strftime("replay-%Y%m%dT%H%M%S")
    stop = _stop_on_signals()
    replay = Replay(folder, config, out, speed=args.speed,
                    device_suffix="" if args.keep_device_id else "-replay",
                    broker_url=args.broker).start()
    agent: subprocess.Popen[bytes] | None = None
    try:
        agent_config = replay.agent_config()
        print(f"edge replay: serving {folder} for {replay.device_id}; agent config "
              f"{agent_config}", file=sys.stderr, flush=True)
        if not args.serve_only:
            agent = subprocess.Popen([sys.executable, "-m", "edge.cli", "run",
                                      str(agent_config)], start_new_session=True)
        replay.play(wait_for_agent_s=0.0 if args.serve_only else 60.0)
        while not stop.wait(0.5):
            if agent is not None and agent.poll() is not None:
                print(f"edge replay: the agent exited ({agent.returncode})", file=sys.stderr)
                break
            if replay.done() and not args.serve_only:
                stop.wait(args.tail_s)
                break
    finally:
        if agent is not None:
            stop_process_group(agent)
        replay.close()
    print("sent: " + ", ".join(f"{k} {v}" for k, v in replay.sent().items())
          + f"; outputs in {out}")
    status = 0 if agent is None or agent.returncode in (0, -signal.SIGTERM) else 1
    if args.compare_db is not None:
        same = compare_in_db(args.compare_db, config.device.id, replay.device_id, folder)
        status = status or (0 if same else 1)
    return status


def compare_in_db(db: Path, live_id: str, replay_id: str, folder: Path) -> bool:
    """Print how the replay's passages and violations compare with the live ones."""
    from edge.central.store import CentralStore

    store = CentralStore(db)
    if not (folder / "daq.wimrec").exists():  # a vessel: rules fired, where, how far
        try:
            fired, refired = (vessel_incidents(store.records(d)) for d in (live_id, replay_id))
        finally:
            store.close()
        print(f"violations: live {fired}, replay {refired}")
        return fired == refired
    window = recording_window_us(folder / "daq.wimrec")
    try:
        passages = compare_passages(store.passages(live_id), store.passages(replay_id), window)
        violations = compare_violations(store.records(live_id), store.records(replay_id),
                                        window)
    finally:
        store.close()
    print(f"passages:   {passages.summary()}")
    print(f"violations: {violations.summary('overload records')}")
    for live, _, why in passages.differ + violations.differ:
        print(f"  differs: lane {live['lane']} t {live['t_first_axle_us']}: {why}")
    return passages.same and violations.consistent
