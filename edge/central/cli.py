"""`edge central`: run the reference receiver; `edge central list`: show what arrived."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from edge.central.receiver import CentralReceiver
from edge.central.store import CentralStore
from edge.config.common import BrokerSection
from edge.errors import EdgeError

LISTS = ("records", "passages", "tracks", "alarms", "devices", "commands")


def register(commands: argparse._SubParsersAction) -> None:
    """Add `edge central` and `edge central list`."""
    central = commands.add_parser(
        "central", help="run the reference central receiver (verify, store, acknowledge)")
    central.add_argument("--broker", help="mqtt://host:port or mqtts://host:port")
    central.add_argument("--db", type=Path, help="SQLite file to store into")
    central.add_argument("--shared-group", default=None,
                         help="subscribe as $share/GROUP/... to split load between receivers")
    central.add_argument("--protocol", choices=["5", "3.1.1"], default="5")
    central.add_argument("--client-id", default=None)
    central.add_argument("--username", default=None)
    central.add_argument("--password-file", type=Path, default=None)
    central.add_argument("--ca-file", type=Path, default=None)
    central.add_argument("--cert-file", type=Path, default=None)
    central.add_argument("--key-file", type=Path, default=None)
    central.set_defaults(func=run_central)
    sub = central.add_subparsers(dest="central_command", required=False, metavar="list")
    show = sub.add_parser("list", help="show what a receiver database holds")
    show.add_argument("--db", type=Path, required=True)
    show.add_argument("--what", choices=LISTS, default="records")
    show.add_argument("--device", default=None)
    show.add_argument("--json", action="store_true", help="one JSON object per line")
    show.set_defaults(func=list_central)


def run_central(args: argparse.Namespace) -> int:
    """Receive until SIGINT/SIGTERM; exit 2 when the broker refuses us."""
    if not args.broker or not args.db:
        raise EdgeError("edge central needs --broker URL and --db FILE (or: edge central list)")
    try:
        broker = BrokerSection(url=args.broker, protocol=args.protocol, client_id=args.client_id,
                               username=args.username, password_file=args.password_file,
                               ca_file=args.ca_file, cert_file=args.cert_file,
                               key_file=args.key_file, shared_group=args.shared_group)
    except ValidationError as exc:
        raise EdgeError(f"bad broker settings: {exc.errors()[0]['msg']}") from exc
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    receiver = CentralReceiver(broker, args.db)
    receiver.start()
    try:
        if not receiver.wait_connected(broker.connect_timeout_s + 5):
            print(f"edge central: still trying to reach {broker.url}: {receiver.last_error}",
                  file=sys.stderr)
        else:
            print(f"edge central: receiving from {broker.url} into {args.db}", file=sys.stderr)
        while not stop.wait(1.0):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        receiver.stop()
    return 0


def _when(t: float | None) -> str:
    return "-" if t is None else datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def list_central(args: argparse.Namespace) -> int:
    """Print records (default), passages, tracks, alarms, devices or command results."""
    if not args.db.is_file():
        raise EdgeError(f"{args.db}: no such database")
    store = CentralStore(args.db)
    try:
        rows = _rows(store, args.what, args.device)
    finally:
        store.close()
    for row in rows:
        if args.json:
            print(json.dumps(row, ensure_ascii=False, default=str))
        else:
            print("  ".join(f"{k}={_short(v)}" for k, v in row.items()))
    if not args.json:
        print(f"{len(rows)} {args.what}", file=sys.stderr)
    return 0


def _rows(store: CentralStore, what: str, device: str | None) -> list[dict[str, Any]]:
    if what == "records":
        return [{**r, "received_at": _when(r["received_at"]),
                 "complete_at": _when(r["complete_at"])} for r in store.record_rows(device)]
    if what in ("passages", "tracks"):
        return store.bulk(what[:-1], device)
    if what == "alarms":
        return [{**a, "at": _when(a["at"])} for a in store.alarms(device)]
    if what == "commands":
        return store.command_results(device)
    return [{"device": d["device"], "kind": d["kind"], "public_key": d["public_key"],
             "online": (d["state"] or {}).get("online"), "state_at": _when(d["state_at"]),
             "health_at": _when(d["health_at"]), "records": store.count("records", d["device"])}
            for d in store.devices() if device in (None, d["device"])]


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False,
                                                           default=str)
    return text if len(text) <= 70 else text[:67] + "..."

