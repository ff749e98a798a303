"""`edge demo`: the whole system on simulators, with a live view."""

from __future__ import annotations

import argparse
import signal
import threading
import time
from pathlib import Path

from edge.demo.orchestrator import Demo


def register(commands: argparse._SubParsersAction) -> None:
    """Add `edge demo`."""
    demo = commands.add_parser(
        "demo", help="run a broker, the central receiver, a WIM site and a patrol vessel on "
                     "simulators, with a live view",
        description="Starts everything as child processes (mosquitto if installed, else the "
                    "pure-Python amqtt broker), shows what happens, and stops it all on "
                    "Ctrl-C or after --minutes. Exit 0; 1 when a part stopped on its own.")
    demo.add_argument("--minutes", type=float, default=None, help="run this long, then exit")
    demo.add_argument("--out", type=Path, default=None,
                      help="output folder (default var/demo/YYYYmmdd-HHMMSS)")
    demo.add_argument("--broker", choices=["auto", "mosquitto", "amqtt"], default="auto")
    demo.add_argument("--record", action="store_true",
                      help="also record both sites' raw inputs for `edge replay`")
    demo.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    out = args.out or Path("var/demo") / time.strftime("%Y%m%d-%H%M%S")
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    demo = Demo(out, minutes=args.minutes, broker=args.broker, record=args.record)
    print(f"edge demo: starting in {out.resolve()} ...", flush=True)
    result = demo.run(stop)
    print("\n".join(demo.summary(result)), flush=True)
    return 1 if result.failed_parts else 0
