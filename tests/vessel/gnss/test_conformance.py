"""gpsd regression captures replayed through our reader: epochs must agree with gpsd's TPVs.

Every capture goes through the pure decoder; every capture also goes byte by byte through a
real pseudo-terminal into `open_gnss(<slave path>)`, exactly as a USB receiver would, and must
give the same epochs. gpsd quirks (MANIFEST.md) are named per capture in GPSD_QUIRKS.
MANIFEST's third quirk (gpsd keeps the GGA position when GGA and RMC of one epoch disagree)
never shows: no capture has such an epoch (checked); our rule is that the epoch's last
position sentence wins.
"""

from __future__ import annotations

import os
import select
import threading
import tty
from collections.abc import Iterator
from pathlib import Path

import pytest

from vessel.gnss import Fix, NmeaDecoder
from vessel.gnss.fix import iso_utc_ms
from vessel.gnss.nmea_out import sentence
from vessel.gnss.source import open_gnss

from .gpsd_captures import (
    GPS_WEEK_ROLLOVER,
    MODE_NAMES,
    captures,
    gpsd_epochs,
    receiver_bytes,
    shift_time,
)

CAPTURES = captures()

WEEK_ROLLOVER = "week_rollover"
RMC_V_TIME = "rmc_v_time"
GSA_2D_IGNORED = "gsa_2d_ignored"
DERIVED_VELOCITY = "derived_velocity"

# gpsd's own behaviour, not receiver truth: capture -> {quirk: why}.
GPSD_QUIRKS: dict[str, dict[str, str]] = {
    "neo-m8n.log": {
        WEEK_ROLLOVER: "MANIFEST: gpsd shifts this receiver's (2015) dates forward by 1024 weeks",
    },
    "rst39.log": {
        WEEK_ROLLOVER: "MANIFEST: gpsd shifts this receiver's (2014) dates forward by 1024 weeks",
        DERIVED_VELOCITY: "the 10 Hz GGA-only epochs carry no speed/course; gpsd computes them "
        "from successive positions, we report only what the receiver says. Not in MANIFEST.",
    },
    "unicore-um621.log": {
        RMC_V_TIME: "MANIFEST: gpsd omits the time of RMC status V, so its no-fix report for "
        "00:07:06 is keyed to the previous epoch 00:07:05 (which had a 3D fix)",
    },
    "telit-pls83-w.log": {
        GSA_2D_IGNORED: "gpsd reports its TPV at RMC, before the GSA that says 2D (fix type 2, "
        "altitude held at 250.8 m); we believe the receiver's GSA. Not in MANIFEST: reported.",
    },
}

# Tolerances from the issue: lat/lon 1e-7 deg, speed 1e-3 m/s, course 1e-3 deg.
FIELDS = (("lat", "lat", 1e-7), ("lon", "lon", 1e-7), ("speed", "sog_mps", 1e-3),
          ("track", "cog_deg", 1e-3))


def decode_all(data: bytes) -> tuple[list[Fix], dict[str, int]]:
    decoder = NmeaDecoder()
    fixes = decoder.feed(data) + decoder.flush()
    return fixes, decoder.counters


def merged(fixes: list[Fix]) -> dict[str, Fix]:
    """Our epochs keyed by time, last wins (as tools.md tells consumers to merge)."""
    return {key: fix for fix in fixes if (key := iso_utc_ms(fix.time)) is not None}


def disagreements(
    capture: Path, ours: dict[str, Fix], quirks: dict[str, str] | None = None
) -> list[str]:
    """Where our epochs differ from gpsd's, allowing for the capture's named quirks."""
    quirks = GPSD_QUIRKS.get(capture.name, {}) if quirks is None else quirks
    problems = []
    for gpsd_time, tpv in gpsd_epochs(capture, skip_after_rmc_v=RMC_V_TIME in quirks).items():
        key = shift_time(gpsd_time, -GPS_WEEK_ROLLOVER) if WEEK_ROLLOVER in quirks else gpsd_time
        fix = ours.get(key)
        if fix is None:
            problems.append(f"{key}: gpsd reports an epoch we do not")
            continue
        mode = MODE_NAMES[int(tpv.get("mode", 0))]  # type: ignore[call-overload]
        if mode != fix.fix and not (GSA_2D_IGNORED in quirks and (mode, fix.fix) == ("3d", "2d")):
            problems.append(f"{key}: fix {fix.fix}, gpsd {mode}")
        for gpsd_name, our_name, tolerance in FIELDS:
            theirs, mine = tpv.get(gpsd_name), getattr(fix, our_name)
            if theirs is None and mine is None:
                continue
            if DERIVED_VELOCITY in quirks and mine is None and our_name in ("sog_mps", "cog_deg"):
                continue
            if theirs is None or mine is None or abs(float(theirs) - mine) > tolerance:  # type: ignore[arg-type]
                problems.append(f"{key}: {our_name} {mine}, gpsd {gpsd_name} {theirs}")
    return problems


@pytest.mark.parametrize("capture", CAPTURES, ids=lambda p: p.name)
def test_decoder_agrees_with_gpsd(capture: Path) -> None:
    fixes, counters = decode_all(receiver_bytes(capture))
    ours = merged(fixes)
    assert disagreements(capture, ours) == []
    if capture.name in ("ais-raw-messages.log", "sample.aivdm"):
        assert ours == {} and counters["ais"] > 100 and counters.get("sentences", 0) == 0


@pytest.mark.parametrize(
    ("name", "quirk"), [(n, q) for n, qs in GPSD_QUIRKS.items() for q in qs], ids="-".join
)
def test_every_named_quirk_is_needed(name: str, quirk: str) -> None:
    # A quirk is an excuse for exactly the epochs it explains, not a blanket one.
    capture = next(c for c in CAPTURES if c.name == name)
    ours = merged(decode_all(receiver_bytes(capture))[0])
    others = {q: why for q, why in GPSD_QUIRKS[name].items() if q != quirk}
    assert disagreements(capture, ours, others) != []


def test_every_capture_with_positions_gives_epochs() -> None:
    # Guards the comparison itself: an empty gpsd side would make the test above vacuous.
    compared = [c for c in CAPTURES if gpsd_epochs(c)]
    assert len(compared) >= 15


def test_bad_checksum_lines_are_counted_not_used() -> None:
    capture = next(c for c in CAPTURES if c.name == "firefly-II.log")
    fixes, counters = decode_all(receiver_bytes(capture))
    assert counters["bad_checksum"] == 23  # every GGA of this capture
    assert all(fix.alt_m is None for fix in fixes)  # GGA alone carries altitude


def test_doubled_dollar_lines_are_decoded() -> None:
    capture = next(c for c in CAPTURES if c.name == "st-teseo-liv4f.log")
    fixes, counters = decode_all(receiver_bytes(capture))
    assert counters["sentences"] > 100 and counters["bad_checksum"] == 1
    assert any(fix.fix == "3d" for fix in fixes)


def test_heading_from_ths_and_hdt() -> None:
    capture = next(c for c in CAPTURES if c.name == "skytraq-PX1172RH_DS.log")
    fixes, _ = decode_all(receiver_bytes(capture))
    assert 240.0 < (merged(fixes)["2022-03-29T00:38:32.000Z"].heading_deg or 0.0) < 250.0


def _sentinel_bytes() -> bytes:
    """A GGA at 23:59:59.99, a time no capture has: when it comes out, the capture is through."""
    return sentence("GPGGA", ("235959.99", "", "", "", "", "0", "", "", "", "M", "", "M", "", ""))


@pytest.fixture
def pty_pair() -> Iterator[tuple[int, str]]:
    master, slave = os.openpty()
    tty.setraw(slave)  # no line discipline: bytes pass exactly as a USB-serial port passes them
    try:
        yield master, os.ttyname(slave)
    finally:
        os.close(master)
        os.close(slave)





@pytest.mark.parametrize("capture", CAPTURES, ids=lambda p: p.name)
def test_pty_replay_agrees_with_gpsd(capture: Path, pty_pair: tuple[int, str]) -> None:
    master, slave_path = pty_pair
    data = receiver_bytes(capture) + _sentinel_bytes()
    fixes: list[Fix] = []
    with open_gnss(slave_path, 115200) as source:

        stop = threading.Event()

        def write_byte_by_byte() -> None:
            os.set_blocking(master, False)  # so a stalled reader cannot wedge this thread
            i = 0
            while i < len(data) and not stop.is_set():
                try:
                    i += os.write(master, data[i : i + 1])
                except BlockingIOError:
                    select.select([], [master], [], 0.1)

        writer = threading.Thread(target=write_byte_by_byte)
        writer.start()
        try:
            while True:
                fix = source.read(10.0)
                assert fix is not None, "reader stalled"
                if fix.time_of_day_s == 86399.99:
                    break
                fixes.append(fix)
        finally:
            stop.set()
            writer.join()
        counters = source.health()
    direct, direct_counters = decode_all(receiver_bytes(capture))
    assert merged(fixes) == merged(direct)
    assert disagreements(capture, merged(fixes)) == []
    for reason in ("bad_checksum", "truncated", "unparseable", "unknown_sentence", "ais"):
        assert counters.get(reason, 0) == direct_counters.get(reason, 0), reason
