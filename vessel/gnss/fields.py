"""Parsers for single NMEA 0183 fields: strict, so an ill-formed field never becomes a number."""

from __future__ import annotations

import datetime as dt
import re

KNOT_MPS = 1852.0 / 3600.0  # international knot (BIPM SI Brochure, table 8)
KMH_MPS = 1000.0 / 3600.0

_TIME_RE = re.compile(r"(\d\d)(\d\d)(\d\d)(?:\.(\d{1,6}))?\Z")
_LAT_RE = re.compile(r"(\d\d)(\d\d(?:\.\d+)?)\Z")
_LON_RE = re.compile(r"(\d\d\d)(\d\d(?:\.\d+)?)\Z")
_DATE_RE = re.compile(r"(\d\d)(\d\d)(\d\d)\Z")
_NUMBER_RE = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)\Z")
_UINT_RE = re.compile(r"\d+\Z")


class FieldError(ValueError):
    """A field is present but ill-formed (not a value to guess around)."""


def time_of_day_us(text: str) -> int | None:
    """`hhmmss[.sss]` -> microseconds since midnight UTC; None when empty."""
    if not text:
        return None
    m = _TIME_RE.match(text)
    if m is None:
        raise FieldError(f"bad time {text!r}")
    hh, mm, ss = int(m[1]), int(m[2]), int(m[3])
    if hh > 23 or mm > 59 or ss > 59:
        raise FieldError(f"bad time {text!r}")
    frac = m[4] or ""
    micros = int(frac.ljust(6, "0")) if frac else 0
    return ((hh * 60 + mm) * 60 + ss) * 1_000_000 + micros


def date_ddmmyy(text: str) -> dt.date | None:
    """RMC `ddmmyy` -> date (years 80-99 are 19xx, as in NMEA 0183 practice); None when empty."""
    if not text:
        return None
    m = _DATE_RE.match(text)
    if m is None:
        raise FieldError(f"bad date {text!r}")
    yy = int(m[3])
    return calendar_date(int(m[1]), int(m[2]), 1900 + yy if yy >= 80 else 2000 + yy)


def calendar_date(day: int, month: int, year: int) -> dt.date:
    """A validated calendar date."""
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise FieldError(f"bad date {day}/{month}/{year}") from exc


def _angle(
    text: str, hemi: str, pattern: re.Pattern[str], limit: float, signs: str
) -> float | None:
    if not text and not hemi:
        return None
    m = pattern.match(text)
    if m is None or hemi not in signs or len(hemi) != 1:
        raise FieldError(f"bad coordinate {text!r},{hemi!r}")
    minutes = float(m[2])
    if minutes >= 60.0:
        raise FieldError(f"bad minutes {text!r}")
    value = int(m[1]) + minutes / 60.0
    if value > limit:
        raise FieldError(f"coordinate out of range {text!r}")
    return -value if hemi == signs[1] else value


def latitude(text: str, hemi: str) -> float | None:
    """`ddmm.mmmm`,`N|S` -> signed decimal degrees; None when both are empty."""
    return _angle(text, hemi, _LAT_RE, 90.0, "NS")


def longitude(text: str, hemi: str) -> float | None:
    """`dddmm.mmmm`,`E|W` -> signed decimal degrees; None when both are empty."""
    return _angle(text, hemi, _LON_RE, 180.0, "EW")


def number(text: str) -> float | None:
    """A decimal number; None when empty."""
    if not text:
        return None
    if _NUMBER_RE.match(text) is None:
        raise FieldError(f"bad number {text!r}")
    return float(text)


def unsigned(text: str) -> int | None:
    """A non-negative integer; None when empty."""
    if not text:
        return None
    if _UINT_RE.match(text) is None:
        raise FieldError(f"bad integer {text!r}")
    return int(text)


def bearing_deg(text: str) -> float | None:
    """An angle in degrees true, 0 <= x <= 360; None when empty."""
    value = number(text)
    if value is not None and not 0.0 <= value <= 360.0:
        raise FieldError(f"bearing out of range {text!r}")
    return value


def speed_knots_mps(text: str) -> float | None:
    """A speed in knots -> m/s; None when empty."""
    value = number(text)
    if value is None:
        return None
    if value < 0.0:
        raise FieldError(f"negative speed {text!r}")
    return value * KNOT_MPS
