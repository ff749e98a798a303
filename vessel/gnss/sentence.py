"""Validate one NMEA 0183 line and decode it into a `Report` (pure, no I/O).

pynmea2 is not used on this path: it accepts ill-formed fields (a truncated latitude parses)
and does not know every sentence we need (THS). Every field here is checked by `fields`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from vessel.errors import NmeaError
from vessel.gnss import fields as f

# Discard reasons, the keys of the decoder's counters.
BAD_CHECKSUM = "bad_checksum"
TRUNCATED = "truncated"
UNPARSEABLE = "unparseable"
UNKNOWN_SENTENCE = "unknown_sentence"
PROPRIETARY = "proprietary"
AIS = "ais"


class SentenceRejected(NmeaError):
    """A line was not accepted; `reason` is one of the discard reasons above."""

    def __init__(self, reason: str, raw: bytes, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason, raw)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Report:
    """What one accepted sentence says about the current epoch; None = not said."""

    kind: str  # sentence formatter: GGA, RMC, GNS, GLL, GSA, VTG, ZDA, HDT, THS
    talker: str
    tod_us: int | None = None  # UTC time of day, microseconds
    date: dt.date | None = None
    valid: bool | None = None  # False: the receiver says it has no fix
    lat: float | None = None
    lon: float | None = None
    alt_m: float | None = None
    hdop: float | None = None
    sats: int | None = None
    quality: int | None = None  # GGA fix quality (1 GPS, 2 DGPS, 4 RTK fixed, 5 RTK float ...)
    fix_dim: int | None = None  # GSA: 1 none, 2 2D, 3 3D
    sog_mps: float | None = None
    cog_deg: float | None = None
    heading_deg: float | None = None


def checksum(body: bytes) -> int:
    """XOR of the bytes between `$`/`!` and `*`."""
    x = 0
    for b in body:
        x ^= b
    return x


_HEX = frozenset(b"0123456789ABCDEFabcdef")


def split_fields(line: bytes, require_checksum: bool = True) -> list[str]:
    """Verify framing and checksum of a line starting with `$`/`!`; return its fields."""
    line = line.rstrip(b" \t")
    star = line.rfind(b"*")
    if star < 0:
        if require_checksum:
            raise SentenceRejected(TRUNCATED, line, "no checksum")
        body = line[1:]
    else:
        body = line[1:star]
        given = line[star + 1 :]
        if len(given) != 2 or given[0] not in _HEX or given[1] not in _HEX:
            raise SentenceRejected(TRUNCATED, line, "cut checksum")
        if int(given, 16) != checksum(body):
            raise SentenceRejected(BAD_CHECKSUM, line)
    if not body.isascii():
        raise SentenceRejected(UNPARSEABLE, line, "non-ASCII bytes")
    text = body.decode("ascii")
    if not text.isprintable():
        raise SentenceRejected(UNPARSEABLE, line, "control characters")
    return text.split(",")


def decode(line: bytes, require_checksum: bool = True) -> Report:
    """One line (from `$`/`!` to the checksum, no line end) -> Report, or SentenceRejected."""
    if line[:1] == b"!":  # AIS (AIVDM/AIVDO), often with trailing receiver metadata: not ours
        raise SentenceRejected(AIS, line)
    parts = split_fields(line, require_checksum)
    address = parts[0]
    if address[:1] == "P":
        raise SentenceRejected(PROPRIETARY, line)
    kind = address[2:]
    parse = _PARSERS.get(kind) if len(address) == 5 else None
    if parse is None:
        raise SentenceRejected(UNKNOWN_SENTENCE, line, address)
    need = _MIN_FIELDS[kind]
    if len(parts) <= need:
        raise SentenceRejected(TRUNCATED, line, f"{kind} has {len(parts) - 1} fields")
    try:
        return parse(address[:2], parts)
    except f.FieldError as exc:
        raise SentenceRejected(UNPARSEABLE, line, str(exc)) from exc
    except IndexError as exc:
        raise SentenceRejected(TRUNCATED, line, f"{kind} is missing fields") from exc


_GGA_FIX_QUALITIES = frozenset((1, 2, 3, 4, 5))  # GPS, DGPS, PPS, RTK fixed, RTK float


def _gga(talker: str, p: list[str]) -> Report:
    quality = f.unsigned(p[6])
    if quality is None:
        raise f.FieldError("empty GGA quality")
    tod = f.time_of_day_us(p[1])
    sats = f.unsigned(p[7])
    if quality not in _GGA_FIX_QUALITIES or sats == 0:
        # 0 invalid, 6 dead reckoning, 7 manual, 8 simulator; a "fix" from zero satellites
        # (seen from Hemisphere receivers losing lock) is not a satellite fix either.
        return Report("GGA", talker, tod_us=tod, valid=False, quality=quality, sats=sats)
    lat, lon = f.latitude(p[2], p[3]), f.longitude(p[4], p[5])
    if lat is None or lon is None:
        raise f.FieldError("GGA fix without position")
    alt = f.number(p[9])
    if alt is not None and p[10] not in ("M", ""):
        raise f.FieldError(f"altitude unit {p[10]!r}")
    return Report(
        "GGA", talker, tod_us=tod, valid=True, lat=lat, lon=lon, alt_m=alt,
        hdop=f.number(p[8]), sats=sats, quality=quality,
    )


def _status_valid(status: str, mode: str) -> bool:
    if status not in ("A", "V"):
        raise f.FieldError(f"bad status {status!r}")
    return status == "A" and mode != "N"


def _rmc(talker: str, p: list[str]) -> Report:
    tod = f.time_of_day_us(p[1])
    date = f.date_ddmmyy(p[9])
    valid = _status_valid(p[2], p[12] if len(p) > 12 else "")
    if not valid:
        return Report("RMC", talker, tod_us=tod, date=date, valid=False)
    lat, lon = f.latitude(p[3], p[4]), f.longitude(p[5], p[6])
    if lat is None or lon is None:
        raise f.FieldError("RMC fix without position")
    return Report(
        "RMC", talker, tod_us=tod, date=date, valid=True, lat=lat, lon=lon,
        sog_mps=f.speed_knots_mps(p[7]), cog_deg=f.bearing_deg(p[8]),
    )


_GNS_FIX_MODES = frozenset("ADPRF")  # autonomous, differential, precise, RTK fixed/float


def _gns(talker: str, p: list[str]) -> Report:
    tod = f.time_of_day_us(p[1])
    modes = p[6]
    if not modes or not modes.isalpha():
        raise f.FieldError(f"bad GNS mode {modes!r}")
    if not _GNS_FIX_MODES.intersection(modes):
        return Report("GNS", talker, tod_us=tod, valid=False)
    lat, lon = f.latitude(p[2], p[3]), f.longitude(p[4], p[5])
    if lat is None or lon is None:
        raise f.FieldError("GNS fix without position")
    return Report(
        "GNS", talker, tod_us=tod, valid=True, lat=lat, lon=lon,
        sats=f.unsigned(p[7]), hdop=f.number(p[8]), alt_m=f.number(p[9]),
    )


def _gll(talker: str, p: list[str]) -> Report:
    tod = f.time_of_day_us(p[5])
    valid = _status_valid(p[6], p[7] if len(p) > 7 else "")
    if not valid:
        return Report("GLL", talker, tod_us=tod, valid=False)
    lat, lon = f.latitude(p[1], p[2]), f.longitude(p[3], p[4])
    if lat is None or lon is None:
        raise f.FieldError("GLL fix without position")
    return Report("GLL", talker, tod_us=tod, valid=True, lat=lat, lon=lon)


def _gsa(talker: str, p: list[str]) -> Report:
    dim = f.unsigned(p[2])
    if dim not in (1, 2, 3):
        raise f.FieldError(f"bad GSA fix type {p[2]!r}")
    return Report("GSA", talker, fix_dim=dim, hdop=f.number(p[16]) if dim > 1 else None)


def _vtg(talker: str, p: list[str]) -> Report:
    if p[2] == "T":  # NMEA 2.3+: value,unit pairs
        cog, knots, kmh = p[1], p[5], p[7]
        mode = p[9] if len(p) > 9 else ""
    else:  # NMEA 1.x: cog_true, cog_mag, knots, kmh
        cog, knots, kmh, mode = p[1], p[3], p[4], ""
    if mode == "N":
        return Report("VTG", talker)
    sog = f.speed_knots_mps(knots)
    if sog is None:
        kmh_value = f.number(kmh)
        sog = None if kmh_value is None else kmh_value * f.KMH_MPS
    return Report("VTG", talker, sog_mps=sog, cog_deg=f.bearing_deg(cog))


def _zda(talker: str, p: list[str]) -> Report:
    tod = f.time_of_day_us(p[1])
    day, month, year = f.unsigned(p[2]), f.unsigned(p[3]), f.unsigned(p[4])
    if day is None or month is None or year is None:
        return Report("ZDA", talker, tod_us=tod)
    if year < 1980:
        raise f.FieldError(f"ZDA year {year}")
    return Report("ZDA", talker, tod_us=tod, date=f.calendar_date(day, month, year))


def _hdt(talker: str, p: list[str]) -> Report:
    return Report("HDT", talker, heading_deg=f.bearing_deg(p[1]))


def _ths(talker: str, p: list[str]) -> Report:
    # Mode A = autonomous; E estimated (dead reckoning), M manual, S simulator, V invalid.
    if p[2] != "A":
        return Report("THS", talker)
    return Report("THS", talker, heading_deg=f.bearing_deg(p[1]))


_PARSERS: dict[str, Callable[[str, list[str]], Report]] = {
    "GGA": _gga, "RMC": _rmc, "GNS": _gns, "GLL": _gll, "GSA": _gsa,
    "VTG": _vtg, "ZDA": _zda, "HDT": _hdt, "THS": _ths,
}
# Highest field index each parser reads unconditionally (fewer fields = a truncated sentence).
_MIN_FIELDS = {
    "GGA": 10, "RMC": 9, "GNS": 9, "GLL": 6, "GSA": 16,
    "VTG": 4, "ZDA": 4, "HDT": 1, "THS": 2,
}
