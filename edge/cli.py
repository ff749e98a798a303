"""The `edge` command: one entry point for every field and operator task."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from edge import __version__
from edge.config.loader import load_config
from edge.errors import ConfigError, EdgeError
from edge.logs import setup_logging

# Each module has `register(subparsers)`; the subcommand's handler is `args.func(args) -> int`.
COMMAND_MODULES: tuple[str, ...] = ("edge.config.cli", "edge.evidence.cli", "edge.central.cli",
                                     "edge.check.cli", "edge.recorder.cli", "edge.demo.cli")

# kind -> "module:function" taking (config, config_path) and returning an exit status.
AGENTS: dict[str, str] = {
    "wim": "wim_station.agent:run_agent",
    "vessel": "vessel.agent:run_agent",
}

log = logging.getLogger("edge")


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every registered subcommand."""
    parser = argparse.ArgumentParser(prog="edge", description=__doc__)
    parser.add_argument("--version", action="version", version=f"edge {__version__}")
    parser.add_argument("--log-level", default="info",
                        choices=["debug", "info", "warning", "error"])
    parser.add_argument("--log-format", default=None, choices=["text", "json"],
                        help="text (default) or one JSON object per line")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser("run", help="run the agent a config file describes")
    run.add_argument("config", type=Path)
    run.set_defaults(func=run_agent)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(commands)
    return parser


def run_agent(args: argparse.Namespace) -> int:
    """Load the config and hand it to the agent of its kind."""
    cfg = load_config(args.config)
    if args.log_format is None:
        setup_logging(args.log_level if args.log_level != "info" else cfg.logging.level,
                      cfg.logging.format)
    module_name, _, func_name = AGENTS[cfg.kind].partition(":")
    agent = getattr(importlib.import_module(module_name), func_name)
    status: int = agent(cfg, args.config)
    return status


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line, run the subcommand, map errors to exit status 2."""
    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging(args.log_level, args.log_format or "text")
    try:
        status: int = args.func(args)
    except ConfigError as exc:
        for line in exc.lines:
            print(line, file=sys.stderr)
        return 2
    except EdgeError as exc:
        print(f"edge: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return status


if __name__ == "__main__":
    sys.exit(main())
