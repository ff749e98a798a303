"""`python -m vessel.gnss (--port URL [--baud N] | --replay FILE) [--json]` (specs/tools.md)."""

from __future__ import annotations

import argparse
import json
import logging
import sys

from vessel.gnss.fix import Fix, iso_utc_ms
from vessel.gnss.source import GnssSource, GnssSourceError, open_gnss

log = logging.getLogger("vessel.gnss")


class _ArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # tools.md: exit 2 with a one-line reason (argparse would print the usage too).
        sys.stderr.write(f"{self.prog}: {message}\n")
        raise SystemExit(2)


def _parser() -> argparse.ArgumentParser:
    p = _ArgumentParser(prog="python -m vessel.gnss", description="Print NMEA 0183 epochs.")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--port", help="device path or pyserial URL (socket://host:port ...)")
    src.add_argument("--replay", help="capture file to replay (lines starting with # are comments)")
    p.add_argument("--baud", type=int, default=9600, help="serial speed (default 9600)")
    p.add_argument("--json", action="store_true", help="one JSON object per epoch on stdout")
    p.add_argument("--no-checksum-required", action="store_true",
                   help="accept sentences without a checksum (a wrong one is still rejected)")
    return p


def _text(fix: Fix) -> str:
    def f(value: float | None, fmt: str) -> str:
        return "-" if value is None else format(value, fmt)

    return (f"{iso_utc_ms(fix.time) or '(no date)':24} {fix.fix:4} lat {f(fix.lat, '.7f')} "
            f"lon {f(fix.lon, '.7f')} sog {f(fix.sog_mps, '.2f')} m/s cog {f(fix.cog_deg, '.1f')} "
            f"hdg {f(fix.heading_deg, '.1f')} hdop {f(fix.hdop, '.1f')} "
            f"sats {'-' if fix.sats is None else fix.sats} alt {f(fix.alt_m, '.1f')} m")


def main(argv: list[str] | None = None) -> int:
    """Run the command; return the exit status."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.baud <= 0:
        sys.stderr.write(f"python -m vessel.gnss: --baud must be positive, not {args.baud}\n")
        return 2
    url = args.port if args.port is not None else "file://" + args.replay
    try:
        source: GnssSource = open_gnss(url, args.baud,
                                       require_checksum=not args.no_checksum_required)
    except GnssSourceError as exc:
        sys.stderr.write(f"python -m vessel.gnss: {exc}\n")
        return 2
    try:
        with source:
            for fix in source:
                line = json.dumps(fix.to_json()) if args.json else _text(fix)
                sys.stdout.write(line + "\n")
                sys.stdout.flush()
    except GnssSourceError as exc:
        sys.stderr.write(f"python -m vessel.gnss: {exc}\n")
        return 2
    except KeyboardInterrupt:
        pass
    except BrokenPipeError:
        return 0
    log.info("stopped: %s", json.dumps(source.health()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
