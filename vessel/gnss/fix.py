"""The navigation fix: what one receiver epoch says about where we are."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

FixMode = Literal["none", "2d", "3d"]


@dataclass(frozen=True, slots=True)
class Fix:
    """One navigation epoch. Positions WGS-84 decimal degrees; None = not known."""

    time: dt.datetime | None  # UTC; None while the date is unknown
    fix: FixMode
    lat: float | None = None  # None without a valid fix
    lon: float | None = None
    sog_mps: float | None = None
    cog_deg: float | None = None
    heading_deg: float | None = None  # true heading (HDT/THS)
    hdop: float | None = None
    sats: int | None = None
    alt_m: float | None = None  # above mean sea level
    quality: int | None = None  # GGA quality indicator (4 RTK fixed, 5 RTK float ...)
    time_of_day_s: float | None = None  # UTC seconds since midnight, known even without the date

    @property
    def has_position(self) -> bool:
        """True when lat/lon come from a valid fix."""
        return self.fix != "none" and self.lat is not None and self.lon is not None

    def to_json(self) -> dict[str, Any]:
        """The record of `python -m vessel.gnss --json` (tools.md)."""
        return {
            "time": iso_utc_ms(self.time),
            "fix": self.fix,
            "lat": self.lat,
            "lon": self.lon,
            "sog_mps": self.sog_mps,
            "cog_deg": self.cog_deg,
            "heading_deg": self.heading_deg,
            "hdop": self.hdop,
            "sats": self.sats,
            "alt_m": self.alt_m,
        }


def iso_utc_ms(t: dt.datetime | None) -> str | None:
    """`2014-12-31T03:07:19.000Z`, or None."""
    if t is None:
        return None
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"
