"""`edge evidence verify PATH|DB`: check a chain and every evidence file; name the first break."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from edge.evidence.audit import audit


def register(commands: argparse._SubParsersAction) -> None:
    """Add `edge evidence verify`."""
    evidence = commands.add_parser("evidence", help="work with signed violation records")
    sub = evidence.add_subparsers(dest="evidence_command", required=True)
    verify = sub.add_parser(
        "verify", help="verify records, chain and files of an outbox database, a central "
        "receiver database or a folder of *.json records (exit 1 when anything is broken)")
    verify.add_argument("path", type=Path, metavar="PATH|DB")
    verify.add_argument("--public-key", default=None,
                        help="base64 Ed25519 public key (default: the one the database holds)")
    verify.add_argument("--json", action="store_true", help="one JSON object on stdout")
    verify.set_defaults(func=verify_command)


def verify_command(args: argparse.Namespace) -> int:
    """Print `ok` or the problems, first broken link first; exit 1 when any is found."""
    report = audit(args.path, args.public_key)
    if args.json:
        print(json.dumps({"source": report.source, "ok": report.ok, "records": report.records,
                          "files": report.files, "problems": report.problems,
                          "first_broken_link": report.problems[0] if report.problems else None}))
    elif report.ok:
        print(f"{report.source}: ok ({report.records} records, {report.files} files)")
    else:
        print(f"{report.source}: first broken link: {report.problems[0]}")
        for problem in report.problems[1:]:
            print(f"  also: {problem}")
    return 0 if report.ok else 1
