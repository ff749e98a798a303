"""Helpers for the gpsd regression captures in `<repo>/../shared/conformance/gpsd` (test-only)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[3] / ".." / "shared"
GPSD_DIR = SHARED / "conformance" / "gpsd"

MODE_NAMES = {0: "none", 1: "none", 2: "2d", 3: "3d"}
GPS_WEEK_ROLLOVER = dt.timedelta(weeks=1024)


def captures() -> list[Path]:
    """Every capture file (or skip the whole module when shared/ is absent)."""
    if not GPSD_DIR.is_dir():
        pytest.skip(f"gpsd captures not found at {GPSD_DIR} (shared/ checkout absent)",
                    allow_module_level=True)
    return sorted([*GPSD_DIR.glob("*.log"), GPSD_DIR / "sample.aivdm"])


def receiver_bytes(capture: Path) -> bytes:
    """What the receiver sent: the capture without its `#` header/comment lines."""
    lines = capture.read_bytes().splitlines(keepends=True)
    return b"".join(line for line in lines if not line.startswith(b"#"))


def gpsd_epochs(capture: Path, skip_after_rmc_v: bool = False) -> dict[str, dict[str, object]]:
    """gpsd's timed TPVs keyed by `time`, merged last-wins.

    With `skip_after_rmc_v`, TPVs printed in answer to an RMC with status V are left out: gpsd
    gives those no time of their own, so they land on the previous epoch's key.
    """
    epochs: dict[str, dict[str, object]] = {}
    last_sentence = ""
    for line in Path(f"{capture}.chk").read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.startswith("{"):
            last_sentence = line
            continue
        report = json.loads(line)
        if report.get("class") != "TPV" or "time" not in report:
            continue
        fields = last_sentence.split(",")
        if skip_after_rmc_v and fields[0].endswith("RMC") and fields[2:3] == ["V"]:
            continue
        epochs.setdefault(report["time"], {}).update(report)
    return epochs


def shift_time(iso: str, delta: dt.timedelta) -> str:
    """`2034-11-01T17:19:26.000Z` moved by `delta`, same format."""
    t = dt.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%S.%fZ") + delta
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"
