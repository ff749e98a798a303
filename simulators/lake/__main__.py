"""`python -m simulators.lake serve|run`: the lake live over TCP, or an acceptance run in fast time.

    python -m simulators.lake serve --config config/vessel.yaml --gnss-port 7101 \\
        --helm-port 7102 --truth-port 7103 --current 0.3 --wind 6 --boats 3 --swimmers 2
    python -m simulators.lake run patrol --config config/vessel.yaml --json
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import math
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any

from edge.config.loader import load_config
from edge.errors import ConfigError
from simulators.errors import SimulatorError
from simulators.lake import scenarios
from simulators.lake.closed_loop import lake_spec_for
from simulators.lake.environment import EnvironmentSpec
from simulators.lake.gnss_feed import GnssFaults
from simulators.lake.server import LakeServer, ServeSpec
from vessel.config import VesselConfig


def _window(text: str) -> tuple[float, float]:
    try:
        start, length = (float(x) for x in text.split(":"))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not START_S:DURATION_S") from exc
    if start < 0 or length <= 0:
        raise argparse.ArgumentTypeError(f"{text!r}: start must be >= 0 and duration > 0")
    return start, length


def _port(text: str) -> int | None:
    if text == "off":
        return None
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port {value} out of range")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m simulators.lake", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("serve", "run"):
        p = sub.add_parser(name)
        p.add_argument("--config", required=True, help="the vessel config (home, geofence, route)")
        p.add_argument("--current", type=float, default=0.3, help="current speed, m/s")
        p.add_argument("--current-toward", type=float, default=30.0, help="degrees true")
        p.add_argument("--wind", type=float, default=6.0, help="mean wind speed, m/s")
        p.add_argument("--wind-toward", type=float, default=120.0, help="degrees true")
        p.add_argument("--seed", type=int, default=0)
    serve = sub.choices["serve"]
    serve.add_argument("--gnss-port", type=_port, default=7101, help="TCP port, or off")
    serve.add_argument("--gnss-pty", action="store_true", help="also emit GNSS on a pty")
    serve.add_argument("--helm-port", type=_port, default=7102)
    serve.add_argument("--truth-port", type=_port, default=7103)
    serve.add_argument("--rate-hz", type=float, default=5.0, help="GNSS epochs per second")
    serve.add_argument("--neutral-timeout", type=float, default=None,
                       help="seconds without a helm command before neutral (config default)")
    serve.add_argument("--dropout", type=_window, action="append", default=[],
                       metavar="START:LEN", help="GNSS reports no fix (simulated seconds)")
    serve.add_argument("--frozen", type=_window, action="append", default=[],
                       metavar="START:LEN", help="GNSS repeats its last epoch")
    serve.add_argument("--garbage", type=float, default=0.0, help="probability per epoch")
    serve.add_argument("--boats", type=int, default=2)
    serve.add_argument("--swimmers", type=int, default=2)
    serve.add_argument("--speed", type=float, default=1.0, help="simulated s per wall s")
    serve.add_argument("--duration", type=float, default=math.inf, help="wall seconds")
    serve.add_argument("--start-lat", type=float, default=None)
    serve.add_argument("--start-lon", type=float, default=None)
    serve.add_argument("--start-heading", type=float, default=90.0)
    run = sub.choices["run"]
    run.add_argument("scenario", choices=["patrol", "gnss_dropout", "loiter"])
    run.add_argument("--json", action="store_true")
    return parser


def _environment(args: argparse.Namespace) -> EnvironmentSpec:
    return EnvironmentSpec(args.current, args.current_toward, args.wind, args.wind_toward)


def _serve(cfg: VesselConfig, args: argparse.Namespace) -> int:
    start_lat = cfg.home.lat if args.start_lat is None else args.start_lat
    start_lon = cfg.home.lon if args.start_lon is None else args.start_lon
    lake = lake_spec_for(cfg, environment=_environment(args), seed=args.seed,
                         boats=args.boats, swimmers=args.swimmers, start_lat=start_lat,
                         start_lon=start_lon, start_heading_deg=args.start_heading)
    spec = ServeSpec(
        gnss_port=args.gnss_port, helm_port=args.helm_port, truth_port=args.truth_port,
        gnss_pty=args.gnss_pty, gnss_rate_hz=args.rate_hz, seed=args.seed, speed=args.speed,
        neutral_timeout_s=args.neutral_timeout or cfg.helm.neutral_timeout_s,
        faults=GnssFaults(tuple(args.dropout), tuple(args.frozen), args.garbage),
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with LakeServer(lake, spec) as server:
        ports = {role: server.port(role) for role in server.roles}
        print(json.dumps({"ready": True, "ports": ports, "gnss_pty": server.pty_path}), flush=True)
        stop.wait(None if math.isinf(args.duration) else args.duration)
    return 0


def _run(cfg: VesselConfig, args: argparse.Namespace) -> int:
    env = _environment(args)
    runner: Any = getattr(scenarios, args.scenario)
    figures, _ = runner(cfg, env=env, seed=args.seed)
    record = dataclasses.asdict(figures)
    print(json.dumps(record) if args.json else "\n".join(f"{k}: {v}" for k, v in record.items()))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; exit status 2 with a one-line reason on bad input."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(message)s")
    try:
        cfg = load_config(args.config)
        if not isinstance(cfg, VesselConfig):
            print(f"{args.config}: not a vessel config (kind: {cfg.kind})", file=sys.stderr)
            return 2
        return _serve(cfg, args) if args.command == "serve" else _run(cfg, args)
    except ConfigError as exc:
        for line in exc.lines:
            print(line, file=sys.stderr)
        return 2
    except SimulatorError as exc:
        print(f"lake: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
