"""`python -m wim_station replay RECORDING.wimrec [--config SITE.yaml] [--json]`.

Streams a recording through the complete axle-load core and the overload rules as fast as
the machine allows and prints one line per vehicle (tools.md). Without `--config` the
recording's header gives the layout and the default rules apply. Never loads the file.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from edge.errors import ConfigError
from edge.logs import setup_logging
from wim_station.config import WimSiteConfig
from wim_station.core import AxleLoadCore, Passage, SiteLayout
from wim_station.core.layout import LayoutError
from wim_station.daq.recording import open_recording
from wim_station.drift import DriftMonitor
from wim_station.errors import WimError
from wim_station.rules import decide

log = logging.getLogger("wim_station.replay")


def load_site(path: str | Path) -> WimSiteConfig:
    """Load and validate a `kind: wim` site config (raises ConfigError with file:line)."""
    from edge.config.loader import load_config

    config = load_config(path)
    if not isinstance(config, WimSiteConfig):
        raise ConfigError([f"{path}: kind {config.kind!r} is not a WIM site config (kind: wim)"])
    return config


def passage_record(passage: Passage, site: SiteLayout) -> dict[str, Any]:
    """The replay JSON object of one vehicle: the passage and its overload decision."""
    decision = decide(passage, site.rules)
    return {**passage.to_json(), **decision.to_json()}


def replay(path: str | Path, config: WimSiteConfig | None = None) -> Iterator[dict[str, Any]]:
    """Yield one record per vehicle of a recording, in order of passage (streamed)."""
    with open_recording(path) as rec:
        site = SiteLayout.from_header(rec.header, config)
        if config is not None:
            _warn_layout_differences(rec.header.channels, config)
        core = AxleLoadCore(site)
        drift = DriftMonitor(config.drift if config else None)
        for item in rec.items():
            for passage in core.feed(item):
                drift.observe(passage)
                yield passage_record(passage, site)
        for passage in core.flush():
            drift.observe(passage)
            yield passage_record(passage, site)
        counters = {**rec.counters(), **core.counters()}
    log.info("replay done: %s", " ".join(f"{k}={v}" for k, v in counters.items()))
    for lane in drift.status():
        log.log(logging.WARNING if lane.alarm else logging.INFO, "drift lane %d: %s",
                lane.lane, json.dumps(lane.to_json()))


def _warn_layout_differences(channels: Any, config: WimSiteConfig) -> None:
    by_index = {c.index: c for c in config.channels}
    for ch in channels:
        cfg = by_index.get(ch.index)
        same = cfg is not None and (cfg.lane, cfg.row, cfg.side, cfg.type) == (
            ch.lane, ch.row, ch.side, ch.type)
        if not same:
            log.warning("channel %d differs between the recording and the config; "
                        "the recording's channel table is used", ch.index)


def _text(record: dict[str, Any]) -> str:
    loads = " ".join(f"{a['load_kg'] / 1000:.1f}" for a in record["axles"])
    verdict = ("INVALID " + ",".join(record["flags"]) if not record["valid"]
               else record["severity"].upper())
    return (f"lane {record['lane']} t={record['t_first_axle_us']} "
            f"{record['speed_kmh']:.1f} km/h {record['class_code']} axles[t]={loads} "
            f"gvw={record['gvw_kg'] / 1000:.2f} t limit={record['limit_kg'] / 1000:.0f} t "
            f"excess={record['excess_pct']:+.1f}% {verdict}")


def main(argv: list[str] | None = None, out: TextIO | None = None) -> int:
    """Run the replay command; 0 on success, 2 on bad arguments or unreadable input."""
    parser = argparse.ArgumentParser(prog="python -m wim_station replay",
                                     description="Replay a .wimrec through the axle-load core.")
    parser.add_argument("recording", metavar="RECORDING.wimrec")
    parser.add_argument("--config", metavar="SITE.yaml", help="site config (kind: wim)")
    parser.add_argument("--json", action="store_true", help="one JSON object per vehicle")
    args = parser.parse_args(argv)
    stream = out if out is not None else sys.stdout
    if not logging.getLogger().handlers:  # run from a shell, not embedded in a test/agent
        setup_logging()
    try:
        config = load_site(args.config) if args.config else None
        for record in replay(args.recording, config):
            line = json.dumps(record, ensure_ascii=False) if args.json else _text(record)
            stream.write(line + "\n")
    except (ConfigError, WimError, LayoutError) as exc:
        print(f"error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    stream.flush()
    return 0


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())
