"""`edge config check FILE...`: validate config files and print `ok` or the problems."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from edge.config.loader import load_config
from edge.config.reference import render_reference
from edge.errors import ConfigError


def register(commands: argparse._SubParsersAction) -> None:
    """Add `edge config check`."""
    config = commands.add_parser("config", help="work with config files")
    sub = config.add_subparsers(dest="config_command", required=True)
    check = sub.add_parser("check", help="validate config files (exit 0 when all are valid)")
    check.add_argument("files", nargs="+", metavar="FILE")
    check.set_defaults(func=check_files)
    reference = sub.add_parser("reference", help="print the configuration reference (Markdown)")
    reference.add_argument("--out", type=Path, help="write it to this file instead")
    reference.set_defaults(func=write_reference)


def write_reference(args: argparse.Namespace) -> int:
    """Print or write the generated configuration reference."""
    text = render_reference()
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.write_text(text, encoding="utf-8")
    return 0


def check_files(args: argparse.Namespace) -> int:
    """Print `FILE: ok` or one line per problem; exit status 2 when any file is invalid."""
    failed = False
    for path in args.files:
        try:
            cfg = load_config(path)
        except ConfigError as exc:
            failed = True
            for line in exc.lines:
                print(line, file=sys.stderr)
        else:
            print(f"{path}: ok ({cfg.kind} {cfg.device.id})")
    return 2 if failed else 0
