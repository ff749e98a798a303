"""`python -m wim_station calibrate WEIGHTS.csv [--config SITE.yaml] [--json] ...`.

Replays recordings of reference vehicles, fits the calibration (per-channel gains, speed
table) against their static weights and prints the acceptance report (COST 323 classes per
criterion, OIML R134 / JJG 907 classes). `--check` only reports on the current calibration.

WEIGHTS.csv, one row per run (paths relative to the CSV file):

    recording,pass,vehicle,axle_loads_kg,speed_kmh,spacings_m
    runs/a1.wimrec,1,truck-A,6480;11210;11190,60.1,3.40;1.35

`pass` is the run's index among the recording's vehicles (1 = first); a column
`t_first_axle_us` may name the run by its time instead. `speed_kmh` and `spacings_m` (from a
reference measurement) are optional.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import logging
import sys
from collections import defaultdict
from pathlib import Path
from typing import TextIO

import yaml

from edge.errors import ConfigError
from edge.logs import setup_logging
from wim_station.calibration.acceptance import Pi0Points
from wim_station.calibration.fit import Reference, fit, neutral
from wim_station.calibration.report import acceptance_report
from wim_station.config import CalibrationSection, WimSiteConfig
from wim_station.core import AxleLoadCore, Passage, SiteLayout
from wim_station.core.layout import LayoutError
from wim_station.daq.recording import open_recording
from wim_station.errors import WimError

log = logging.getLogger("wim_station.calibrate")
_MATCH_US = 500_000


class CalibrationInputError(WimError):
    """The weights file or a run in it cannot be used."""


@dataclasses.dataclass(frozen=True, slots=True)
class Run:
    recording: Path
    pass_index: int
    t_first_axle_us: int | None
    ref: Reference
    where: str  # file:line, for messages


def _floats(text: str, where: str, name: str) -> tuple[float, ...]:
    try:
        values = tuple(float(x) for x in text.replace(",", ";").split(";") if x.strip())
    except ValueError as exc:
        raise CalibrationInputError(f"{where}: {name}: {text!r} is not a ';' list of numbers"
                                    ) from exc
    if not values or any(v <= 0 for v in values):
        raise CalibrationInputError(f"{where}: {name}: {text!r} needs positive numbers")
    return values


def read_runs(path: Path) -> list[Run]:
    """Parse the weights CSV (raises CalibrationInputError naming file:line)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise CalibrationInputError(f"{path}: cannot read ({exc.strerror})") from exc
    reader = csv.DictReader(text.splitlines())
    missing = {"recording", "axle_loads_kg"} - set(reader.fieldnames or ())
    if missing:
        raise CalibrationInputError(f"{path}:1: missing column(s) {', '.join(sorted(missing))}")
    runs = []
    for line, row in enumerate(reader, start=2):
        where = f"{path}:{line}"
        try:
            pass_index = int(row.get("pass") or 1)
            t_first = int(row["t_first_axle_us"]) if row.get("t_first_axle_us") else None
            speed = float(row["speed_kmh"]) if row.get("speed_kmh") else None
        except ValueError as exc:
            raise CalibrationInputError(f"{where}: {exc}") from exc
        spacings = (_floats(row["spacings_m"], where, "spacings_m")
                    if row.get("spacings_m") else None)
        ref = Reference(vehicle=row.get("vehicle") or f"run{line}",
                        axle_loads_kg=_floats(row["axle_loads_kg"], where, "axle_loads_kg"),
                        speed_kmh=speed, spacings_m=spacings)
        runs.append(Run(path.parent / row["recording"], pass_index, t_first, ref, where))
    if not runs:
        raise CalibrationInputError(f"{path}: no runs")
    return runs


def measure(recording: Path, config: WimSiteConfig | None,
            calibration: CalibrationSection) -> list[Passage]:
    """Every passage of a recording under the given calibration."""
    with open_recording(recording) as rec:
        site = dataclasses.replace(SiteLayout.from_header(rec.header, config),
                                   calibration=calibration)
        core = AxleLoadCore(site)
        out: list[Passage] = []
        for item in rec.items():
            out += core.feed(item)
        out += core.flush()
    return out


def _pick(run: Run, passages: list[Passage]) -> Passage | None:
    t_run = run.t_first_axle_us
    if t_run is not None:
        best = min(passages, key=lambda p: abs(p.t_first_axle_us - t_run), default=None)
        if best is None or abs(best.t_first_axle_us - t_run) > _MATCH_US:
            return None
        return best
    return passages[run.pass_index - 1] if 0 < run.pass_index <= len(passages) else None


def collect(runs: list[Run], config: WimSiteConfig | None,
            calibration: CalibrationSection) -> tuple[list[Passage], list[Reference]]:
    """The usable (valid, matched, right axle count) runs measured under `calibration`."""
    by_rec: dict[Path, list[Run]] = defaultdict(list)
    for run in runs:
        by_rec[run.recording].append(run)
    passages, refs = [], []
    for recording, rec_runs in by_rec.items():
        measured = measure(recording, config, calibration)
        for run in rec_runs:
            p = _pick(run, measured)
            if p is None:
                log.warning("%s: no vehicle for this run in %s", run.where, recording.name)
            elif not p.valid:
                log.warning("%s: run measured invalid (%s): repeat it", run.where,
                            ", ".join(p.flags))
            elif p.axle_count != len(run.ref.axle_loads_kg):
                log.warning("%s: %d axles measured, %d in the weights file", run.where,
                            p.axle_count, len(run.ref.axle_loads_kg))
            else:
                passages.append(p)
                refs.append(run.ref)
    return passages, refs


def main(argv: list[str] | None = None, out: TextIO | None = None) -> int:
    """Fit and report; 0 on success, 2 on bad arguments or unusable input."""
    parser = argparse.ArgumentParser(prog="python -m wim_station calibrate",
                                     description="Calibrate from reference-vehicle runs.")
    parser.add_argument("weights", metavar="WEIGHTS.csv")
    parser.add_argument("--config", metavar="SITE.yaml", help="site config (kind: wim)")
    parser.add_argument("--version", help="version of the new calibration "
                        "(default: 'cal-' + date of the newest recording)")
    parser.add_argument("--condition", choices=("r1", "r2", "R1", "R2"), default="r2",
                        help="COST 323 test conditions (default r2: extended repeatability)")
    parser.add_argument("--environment", choices=("I", "II", "III"), default="I")
    parser.add_argument("--pi0", metavar="N=PCT,...", type=_pi0_points,
                        help="the COST 323 table's minimum confidence pi0 for these test "
                        "conditions and environment, by sample size, e.g. 10=…,20=…,inf=… "
                        "(without it pi0 is approximated and the report says so)")
    parser.add_argument("--check", action="store_true",
                        help="only report on the current calibration, fit nothing")
    parser.add_argument("--out", metavar="FILE.yaml", help="write the calibration section here")
    parser.add_argument("--json", action="store_true", help="one JSON object")
    args = parser.parse_args(argv)
    stream = out if out is not None else sys.stdout
    if not logging.getLogger().handlers:  # run from a shell, not embedded in a test/agent
        setup_logging()
    try:
        from wim_station.replay import load_site

        config = load_site(args.config) if args.config else None
        base = config.calibration if config else CalibrationSection()
        runs = read_runs(Path(args.weights))
        if args.check:
            calibration = base
        else:
            passages, refs = collect(runs, config, neutral(base))
            if len(passages) < 2:
                raise CalibrationInputError("fewer than 2 usable runs: nothing to fit")
            calibration = fit(passages, refs, base, args.version or _default_version(runs))
        passages, refs = collect(runs, config, calibration)
        if len(passages) < 2:
            raise CalibrationInputError("fewer than 2 usable runs: nothing to report")
        report = acceptance_report(passages, refs, args.condition, args.environment,
                                   calibration.version, args.pi0)
    except (ConfigError, WimError, LayoutError, ValueError) as exc:
        print(f"error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    section = {"calibration": calibration.model_dump(mode="json")}
    if args.out:
        Path(args.out).write_text(yaml.safe_dump(section, sort_keys=False, allow_unicode=True),
                                  encoding="utf-8")
    if args.json:
        stream.write(json.dumps({**section, "report": report.to_json()}) + "\n")
    else:
        stream.write(report.text() + "\n\n" + yaml.safe_dump(section, sort_keys=False))
    return 0


def _pi0_points(text: str) -> Pi0Points:
    """`10=93.3,20=96,inf=98.9` -> ((10, 93.3), (20, 96.0), (inf, 98.9))."""
    try:
        pairs = [item.split("=") for item in text.split(",")]
        points = tuple((float(n), float(pct)) for n, pct in pairs)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected N=PCT,... got {text!r}") from exc
    if any(not (n >= 2 and 0 < pct < 100) for n, pct in points):  # also rejects nan
        raise argparse.ArgumentTypeError(f"need N >= 2 and 0 < PCT < 100: {text!r}")
    return points


def _default_version(runs: list[Run]) -> str:
    dates: list[str] = []
    for run in runs:
        try:
            with open_recording(run.recording) as rec:
                dates.append(rec.header.recorded_at[:10])
        except WimError:
            continue
    return "cal-" + (max(dates) if dates else "unknown")


