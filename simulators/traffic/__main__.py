"""`python -m simulators.traffic generate|serve`: recordings with ground truth, or a live DAQ."""

from __future__ import annotations

import argparse
import json
import logging
import sys

from simulators.traffic.generate import generate
from simulators.traffic.layout import LAYOUTS
from simulators.traffic.world import ROADS

log = logging.getLogger("simulators.traffic")


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--layout", choices=sorted(LAYOUTS), default="two-strips")
    p.add_argument("--lanes", type=int, choices=(1, 2), default=1)
    p.add_argument("--road", choices=sorted(ROADS), default="smooth")
    p.add_argument("--seed", type=int, default=1)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m simulators.traffic", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="write <out>/<name>.wimrec and <name>.truth.json")
    gen.add_argument("--out", required=True, help="output folder")
    gen.add_argument("--vehicles", type=int, default=300)
    gen.add_argument("--name", default="traffic")
    _common(gen)
    serve = sub.add_parser("serve", help="serve DAQ frames over TCP in real time")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=7001)
    serve.add_argument(
        "--garbage-every-s",
        type=float,
        default=0.0,
        help="inject random garbage bytes this often (0 = never)",
    )
    serve.add_argument(
        "--corrupt-every-s",
        type=float,
        default=0.0,
        help="send a frame with a bad CRC this often (0 = never)",
    )
    serve.add_argument(
        "--gap-every-s",
        type=float,
        default=0.0,
        help="skip a few frames (seq gap) this often (0 = never)",
    )
    serve.add_argument(
        "--vehicles-json",
        action="store_true",
        help="print one JSON line per vehicle reaching the sensors",
    )
    _common(serve)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if args.command == "generate":
        if args.vehicles < 1:
            print("--vehicles must be >= 1", file=sys.stderr)
            return 2
        run = generate(
            args.out,
            vehicles=args.vehicles,
            layout=args.layout,
            lanes=args.lanes,
            road=args.road,
            seed=args.seed,
            name=args.name,
        )
        print(
            json.dumps(
                {
                    "recording": str(run.recording),
                    "truth": str(run.truth),
                    "vehicles": len(run.vehicles),
                    "duration_s": run.duration_s,
                }
            )
        )
        return 0
    from simulators.traffic.server import serve_forever

    return serve_forever(args)


if __name__ == "__main__":
    sys.exit(main())
