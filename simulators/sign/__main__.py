"""`python -m simulators.sign serve --port 7010 --png-dir DIR [--width-px N --height-px N]`."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from simulators.errors import SimulatorError
from simulators.sign.render import SignGeometry
from simulators.sign.server import SignSimulator


def main(argv: list[str] | None = None) -> int:
    """Run the simulator until SIGINT/SIGTERM."""
    parser = argparse.ArgumentParser(prog="python -m simulators.sign")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the sign protocol on loopback TCP")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=7010)
    serve.add_argument("--png-dir", type=Path, required=True, help="PNGs + history.jsonl go here")
    serve.add_argument("--address", type=int, default=1, help="controller address 0..254")
    serve.add_argument("--width-px", type=int, default=384, help="LED columns of the panel")
    serve.add_argument("--height-px", type=int, default=64, help="LED rows of the panel")
    serve.add_argument("--line-px", type=int, default=32, help="LED rows per text line")
    serve.add_argument("--pitch-px", type=int, default=4, help="image pixels per LED")
    args = parser.parse_args(argv)
    if min(args.width_px, args.height_px, args.line_px, args.pitch_px) < 1:
        parser.error("sizes must be positive")
    geometry = SignGeometry(args.width_px, args.height_px, args.line_px, args.pitch_px)
    try:
        sim = SignSimulator(
            host=args.host, port=args.port, png_dir=args.png_dir, address=args.address,
            geometry=geometry,
        )  # fmt: skip
    except SimulatorError as exc:
        print(exc, file=sys.stderr)
        return 2
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print(f"sign simulator on {sim.url}, writing {args.png_dir}", file=sys.stderr, flush=True)
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        sim.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
