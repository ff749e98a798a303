"""`edge check CONFIG`: one line per device, exit 0 when all pass, 1 when any fails."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml
from pydantic import ValidationError

from edge.check.result import CheckResult
from edge.check.runner import run_checks
from edge.check.thresholds import CheckThresholds
from edge.config.loader import load_config
from edge.errors import ConfigError


def register(commands: argparse._SubParsersAction) -> None:
    """Add `edge check`."""
    check = commands.add_parser(
        "check", help="self-test: open every configured device and say what it sees",
        description="Open every device the config names and print one line each, PASS or "
                    "FAIL with the reason. Exit 0 when all pass, 1 when any fails, 2 on a "
                    "bad config.")
    check.add_argument("config", type=Path)
    check.add_argument("--timeout", type=float, default=None,
                       help="seconds each device gets (default 6)")
    check.add_argument("--thresholds", type=Path, default=None,
                       help="YAML overriding the pass/fail limits (edge.check.thresholds)")
    check.add_argument("--json", action="store_true", help="one JSON object per device")
    check.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    th = _thresholds(args.thresholds)
    if args.timeout is not None:
        th = th.model_copy(update={"device_timeout_s": args.timeout})

    def show(result: CheckResult) -> None:
        text = json.dumps(result.to_json(), ensure_ascii=False) if args.json else result.line()
        print(text, flush=True)

    if not args.json:
        print(f"edge check {args.config} ({config.kind} {config.device.id})", flush=True)
    results = run_checks(config, th, on_result=show)
    failed = [r for r in results if not r.ok]
    if not args.json:
        print(f"{len(results) - len(failed)} passed, {len(failed)} failed"
              + (": " + ", ".join(r.device.split()[0] for r in failed) if failed else ""),
              file=sys.stderr)
    return 1 if failed else 0


def _thresholds(path: Path | None) -> CheckThresholds:
    if path is None:
        return CheckThresholds()
    try:
        return CheckThresholds.model_validate(yaml.safe_load(path.read_text("utf-8")) or {})
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise ConfigError([f"{path}: {exc}"]) from exc
