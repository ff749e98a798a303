"""`python -m wim_station {replay,calibrate,record} ...`: the WIM field tools (tools.md)."""

from __future__ import annotations

import sys

_USAGE = "usage: python -m wim_station {replay,calibrate,record} ..."


def main(argv: list[str] | None = None) -> int:
    """Dispatch to a subcommand; exit 2 on an unknown one."""
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in ("-h", "--help"):
        print(_USAGE, file=sys.stderr if not args else sys.stdout)
        return 2 if not args else 0
    command, rest = args[0], args[1:]
    if command == "replay":
        from wim_station import replay

        return replay.main(rest)
    if command == "calibrate":
        from wim_station.calibration import cli

        return cli.main(rest)
    if command == "record":
        from wim_station import record

        return record.main(rest)
    print(f"error: unknown command {command!r}\n{_USAGE}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
