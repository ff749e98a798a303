"""Merge accepted sentences into navigation epochs (pure: time comes with the data).

A receiver sends several sentences per epoch (GGA, RMC, GSA, VTG ...). Sentences that carry a
UTC time (GGA, RMC, GNS, GLL) open an epoch when their time differs from the current one;
sentences without time (GSA, VTG, HDT, THS) join the current epoch. ZDA sets the date (and
the time of an epoch whose sentences had none, as receivers without a fix send).
The date comes from RMC/ZDA and is carried to later epochs (rolled over at midnight), so a
GGA-only epoch still gets a full time once any date has been seen; until then `time` is None.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from vessel.gnss.fix import Fix, FixMode
from vessel.gnss.sentence import Report

_TIMED = frozenset(("GGA", "RMC", "GNS", "GLL"))
_DAY_US = 86_400_000_000
# The Report fields each sentence can set on its epoch (position and validity are handled apart).
_CARRIED: dict[str, tuple[str, ...]] = {
    "GGA": ("alt_m", "hdop", "sats", "quality"),
    "GNS": ("alt_m", "hdop", "sats"),
    "RMC": ("sog_mps", "cog_deg"),
    "VTG": ("sog_mps", "cog_deg"),
    "GLL": (),
    "GSA": ("fix_dim", "hdop"),
    "HDT": ("heading_deg",),
    "THS": ("heading_deg",),
}


@dataclass
class _Epoch:
    tod_us: int | None
    timed: bool = False  # a sentence that carries time (possibly empty) belongs to this epoch
    date: dt.date | None = None
    said_fix: bool = False
    said_no_fix: bool = False
    fix_dim: int | None = None
    lat: float | None = None
    lon: float | None = None
    alt_m: float | None = None
    hdop: float | None = None
    sats: int | None = None
    quality: int | None = None
    sog_mps: float | None = None
    cog_deg: float | None = None
    heading_deg: float | None = None
    version: int = 0


class EpochAssembler:
    """Reports in, finished or updated `Fix` epochs out."""

    def __init__(self) -> None:
        self._epoch: _Epoch | None = None
        self._date_ref: tuple[dt.date, int] | None = None  # (date, time of day it was valid at)
        self._emitted_version = -1

    def add(self, report: Report) -> Fix | None:
        """Apply one report; return the previous epoch if this report closed it."""
        if report.kind == "ZDA":
            self._take_date(report)
            return None
        closed: Fix | None = None
        epoch = self._epoch
        if report.kind in _TIMED:
            if (epoch is not None and epoch.tod_us is None and not epoch.timed
                    and report.tod_us is not None):
                epoch.tod_us = report.tod_us  # adopt heading/GSA sent before the epoch's time
            elif epoch is None or report.tod_us is None or report.tod_us != epoch.tod_us:
                closed = self.close()
                epoch = self._epoch = _Epoch(report.tod_us)
        elif epoch is None:
            epoch = self._epoch = _Epoch(None)
        epoch.timed = epoch.timed or report.kind in _TIMED
        self._apply(epoch, report)
        return closed

    def snapshot(self) -> Fix | None:
        """The current epoch as it stands, or None when it changed nothing since last emitted."""
        epoch = self._epoch
        if epoch is None or epoch.version == self._emitted_version or epoch.tod_us is None:
            return None
        self._emitted_version = epoch.version
        return self._fix(epoch)

    def close(self) -> Fix | None:
        """Finish the current epoch; return it unless it was already emitted unchanged."""
        epoch = self._epoch
        if epoch is None:
            return None
        fix = self.snapshot()
        self._epoch = None
        self._emitted_version = -1
        date = self._date_of(epoch)
        if date is not None and epoch.tod_us is not None:
            self._date_ref = (date, epoch.tod_us)
        return fix

    def _take_date(self, report: Report) -> None:
        if report.date is None or report.tod_us is None:
            return
        self._date_ref = (report.date, report.tod_us)
        epoch = self._epoch
        if epoch is None:
            return
        if epoch.tod_us is None:  # a no-fix epoch whose GGA had no time: ZDA dates it
            epoch.tod_us = report.tod_us
        if epoch.tod_us == report.tod_us and epoch.date != report.date:
            epoch.date = report.date
            epoch.version += 1

    def _apply(self, epoch: _Epoch, r: Report) -> None:
        epoch.version += 1
        if r.date is not None:
            epoch.date = r.date
        if r.valid is False:
            epoch.said_no_fix = True
        elif r.valid:
            epoch.said_fix = True
            epoch.lat, epoch.lon = r.lat, r.lon
        for name in _CARRIED[r.kind]:
            value = getattr(r, name)
            if value is not None:
                setattr(epoch, name, value)

    def _date_of(self, epoch: _Epoch) -> dt.date | None:
        if epoch.date is not None or self._date_ref is None or epoch.tod_us is None:
            return epoch.date
        date, ref_tod = self._date_ref
        if epoch.tod_us < ref_tod - _DAY_US // 2:  # time of day wrapped: past midnight
            return date + dt.timedelta(days=1)
        return date

    def _fix(self, epoch: _Epoch) -> Fix:
        tod = epoch.tod_us
        assert tod is not None
        date = self._date_of(epoch)
        time = None
        if date is not None:
            time = dt.datetime(date.year, date.month, date.day, tzinfo=dt.UTC) + dt.timedelta(
                microseconds=tod
            )
        mode = _mode(epoch)
        valid = mode != "none"
        return Fix(
            time=time,
            fix=mode,
            lat=epoch.lat if valid else None,
            lon=epoch.lon if valid else None,
            sog_mps=epoch.sog_mps if valid else None,
            cog_deg=epoch.cog_deg if valid else None,
            heading_deg=epoch.heading_deg,
            hdop=epoch.hdop if valid else None,
            sats=epoch.sats,
            alt_m=epoch.alt_m if valid else None,
            quality=epoch.quality,
            time_of_day_s=tod / 1e6,
        )


def _mode(epoch: _Epoch) -> FixMode:
    # A receiver that says "no fix" in any sentence of the epoch is believed.
    if not epoch.said_fix or epoch.said_no_fix or epoch.fix_dim == 1:
        return "none"
    if epoch.fix_dim == 2:
        return "2d"
    if epoch.fix_dim == 3 or epoch.alt_m is not None:
        return "3d"
    return "2d"
