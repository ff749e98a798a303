"""`python -m wim_station record`: write a DAQ stream to a `.wimrec` with its channel table."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from edge.errors import ConfigError
from edge.logs import setup_logging
from wim_station.daq.header import HeaderError, LaneInfo, RecordingHeader
from wim_station.daq.recording import RecordingWriter
from wim_station.daq.source import open_daq
from wim_station.errors import WimError

log = logging.getLogger("wim_station.record")


def header_from_site(config: Any, recorded_at: str) -> RecordingHeader:
    """The recording header of a validated `WimSiteConfig`."""
    return RecordingHeader(
        site_id=config.device.id,
        recorded_at=recorded_at,
        sample_rate_hz=config.daq.sample_rate_hz,
        lanes=[LaneInfo(lane=lane.lane, direction=lane.direction) for lane in config.lanes],
        channels=[ch.model_dump() for ch in config.channels],
    )


def header_from_json(path: Path, recorded_at: str) -> RecordingHeader:
    """A header from a JSON channel table: a full §3 header, missing keys defaulted."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise HeaderError(f"{path}: cannot read channel table ({exc})") from exc
    if isinstance(data, dict):
        data.setdefault("site_id", "unknown")
        data.setdefault("recorded_at", recorded_at)
        data["recorded_at"] = recorded_at
        if "lanes" not in data and isinstance(data.get("channels"), list):
            lanes = {c.get("lane") for c in data["channels"] if isinstance(c, dict)}
            data["lanes"] = [{"lane": n} for n in sorted(x for x in lanes if isinstance(x, int))]
    return RecordingHeader.from_mapping(data, str(path))


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m wim_station record",
        description="Record a DAQ stream (frames exactly as received) to a .wimrec file.",
    )
    p.add_argument("--port", help="DAQ URL (default: daq.url of --config)")
    p.add_argument("--out", required=True, type=Path, help="recording to write (.wimrec)")
    p.add_argument("--config", type=Path, help="site config: channel table, lanes, site id")
    p.add_argument(
        "--channels",
        type=Path,
        help="JSON channel table (wim-daq.md §3 header) when there is no --config",
    )
    p.add_argument("--baud", type=int, help="serial baud rate (default: daq.baudrate or 921600)")
    p.add_argument("--seconds", type=float, help="stop after this long (default: until Ctrl-C)")
    p.add_argument("--json", action="store_true", help="print the summary as one JSON line")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    try:
        args = parse(argv)
    except SystemExit as exc:
        return 2 if exc.code else 0
    if not logging.getLogger().handlers:  # run from a shell, not embedded in an agent/test
        setup_logging()
    recorded_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    url, baud = args.port, args.baud
    try:
        if args.config is not None:
            from edge.config.loader import load_config

            config = load_config(args.config)
            if getattr(config, "kind", None) != "wim":
                raise HeaderError(f"{args.config}: not a WIM site config (kind: wim)")
            header = header_from_site(config, recorded_at)
            url = url or config.daq.url  # type: ignore[attr-defined]
            baud = baud or config.daq.baudrate  # type: ignore[attr-defined]
        elif args.channels is not None:
            header = header_from_json(args.channels, recorded_at)
        else:
            raise HeaderError(
                "need --config SITE.yaml or --channels TABLE.json for the channel table"
            )
        if not url:
            raise HeaderError("need --port URL (or daq.url in --config)")
    except (ConfigError, WimError) as exc:
        print(f"record: {exc}", file=sys.stderr)
        return 2
    return _record(url, baud or 921_600, args.out, header, args.seconds, args.json)


def _record(
    url: str, baud: int, out: Path, header: RecordingHeader, seconds: float | None, as_json: bool
) -> int:
    stop = threading.Event()
    restore = _on_signals(stop)
    started = time.monotonic()
    summary: dict[str, Any] = {}
    try:
        with RecordingWriter(out, header) as writer, open_daq(url, baud, tee=writer) as source:
            checked = False
            next_log = started + 10.0
            while not stop.is_set():
                if seconds is not None and time.monotonic() - started >= seconds:
                    break
                if source.eof:
                    break
                frame = source.read(0.5)
                if frame is not None and not checked:
                    checked = True
                    _check_layout(frame.n_channels, frame.sample_rate_hz, header)
                if time.monotonic() >= next_log:
                    next_log += 10.0
                    log.info("recording %s: %s", out, source.health())
            summary = {
                "out": str(out),
                "seconds": round(time.monotonic() - started, 3),
                "bytes": writer.bytes_written,
                **source.health(),
            }
    except WimError as exc:
        print(f"record: {exc}", file=sys.stderr)
        return 2
    finally:
        restore()
    print(
        json.dumps(summary, ensure_ascii=False)
        if as_json
        else f"recorded {summary['frames']} frames ({summary['bytes']} bytes) to {out}"
    )
    return 0 if summary["frames"] else 1


def _check_layout(n_channels: int, rate_hz: int, header: RecordingHeader) -> None:
    # Recorded anyway (the raw bytes are the evidence), but the table will not fit them.
    if n_channels != header.n_channels:
        log.warning(
            "DAQ sends %d channels, the channel table has %d", n_channels, header.n_channels
        )
    if rate_hz != header.sample_rate_hz:
        log.warning("DAQ samples at %d Hz, the header says %d Hz", rate_hz, header.sample_rate_hz)


def _on_signals(stop: threading.Event) -> Any:
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    old = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}

    def restore() -> None:
        for s, h in old.items():
            signal.signal(s, h)

    return restore


if __name__ == "__main__":
    sys.exit(main())
