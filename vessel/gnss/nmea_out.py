"""Build NMEA 0183 sentences from numbers (for simulators and tests): correct checksums,
fields formatted as real receivers send them. The inverse of `vessel.gnss.sentence`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from vessel.gnss.fields import KMH_MPS, KNOT_MPS
from vessel.gnss.sentence import checksum


def sentence(address: str, fields: Iterable[str], start: str = "$") -> bytes:
    """`$ADDRESS,f1,f2*HH\\r\\n` with its checksum; `address` is talker + formatter (`GPGGA`)."""
    body = ",".join((address, *fields)).encode("ascii")
    return b"%s%s*%02X\r\n" % (start.encode("ascii"), body, checksum(body))


def _hhmmss(t: dt.datetime | None) -> str:
    if t is None:
        return ""
    t = _utc(t)
    return f"{t:%H%M%S}.{t.microsecond // 10_000:02d}"


def _utc(t: dt.datetime) -> dt.datetime:
    if t.tzinfo is None:
        raise ValueError("NMEA times are UTC: pass an aware datetime")
    return t.astimezone(dt.UTC)


def _lat(lat: float | None) -> tuple[str, str]:
    if lat is None:
        return "", ""
    if not -90.0 <= lat <= 90.0:
        raise ValueError(f"latitude {lat} out of range")
    deg, minutes = divmod(abs(lat) * 60.0, 60.0)  # work in minutes to keep rounding in one place
    text = f"{int(deg):02d}{minutes:08.5f}"
    if text[2:4] == "60":  # 59.999996' rounds up: carry into the degrees
        text = f"{int(deg) + 1:02d}{0.0:08.5f}"
    return text, "N" if lat >= 0 else "S"


def _lon(lon: float | None) -> tuple[str, str]:
    if lon is None:
        return "", ""
    if not -180.0 <= lon <= 180.0:
        raise ValueError(f"longitude {lon} out of range")
    deg, minutes = divmod(abs(lon) * 60.0, 60.0)
    text = f"{int(deg):03d}{minutes:08.5f}"
    if text[3:5] == "60":
        text = f"{int(deg) + 1:03d}{0.0:08.5f}"
    return text, "E" if lon >= 0 else "W"


def _num(value: float | None, digits: int) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def gga(
    time_utc: dt.datetime | None, lat: float | None, lon: float | None, quality: int = 1,
    sats: int | None = None, hdop: float | None = None, alt_m: float | None = None,
    geoid_sep_m: float | None = None, talker: str = "GP",
) -> bytes:
    """GGA: time, position, fix quality (0 = no fix), satellites used, HDOP, altitude MSL."""
    lat_f, lat_h = _lat(lat if quality else None)
    lon_f, lon_h = _lon(lon if quality else None)
    return sentence(f"{talker}GGA", (
        _hhmmss(time_utc), lat_f, lat_h, lon_f, lon_h, str(quality),
        "" if sats is None else f"{sats:02d}", _num(hdop, 1), _num(alt_m, 1), "M",
        _num(geoid_sep_m, 1), "M", "", "",
    ))


def rmc(
    time_utc: dt.datetime, lat: float | None, lon: float | None, sog_mps: float | None,
    cog_deg: float | None, valid: bool = True, talker: str = "GP",
) -> bytes:
    """RMC (NMEA 2.3+): status A/V, position, speed (knots on the wire), course, date."""
    t = _utc(time_utc)
    lat_f, lat_h = _lat(lat if valid else None)
    lon_f, lon_h = _lon(lon if valid else None)
    knots = None if sog_mps is None or not valid else sog_mps / KNOT_MPS
    return sentence(f"{talker}RMC", (
        _hhmmss(t), "A" if valid else "V", lat_f, lat_h, lon_f, lon_h, _num(knots, 3),
        _num(cog_deg if valid else None, 2), f"{t:%d%m%y}", "", "", "A" if valid else "N",
    ))


def vtg(sog_mps: float | None, cog_deg: float | None, talker: str = "GP") -> bytes:
    """VTG: course over ground (true) and speed in knots and km/h; mode N when unknown."""
    if sog_mps is None:
        return sentence(f"{talker}VTG", ("", "T", "", "M", "", "N", "", "K", "N"))
    return sentence(f"{talker}VTG", (
        _num(cog_deg, 2), "T", "", "M", _num(sog_mps / KNOT_MPS, 3), "N",
        _num(sog_mps / KMH_MPS, 3), "K", "A",
    ))


def hdt(heading_deg: float | None, talker: str = "GP") -> bytes:
    """HDT: true heading."""
    return sentence(f"{talker}HDT", (_num(heading_deg, 2), "T"))


def ths(heading_deg: float | None, talker: str = "GN") -> bytes:
    """THS: true heading with status (A valid, V invalid)."""
    return sentence(f"{talker}THS", (_num(heading_deg, 2), "A" if heading_deg is not None else "V"))


def zda(time_utc: dt.datetime, talker: str = "GP") -> bytes:
    """ZDA: UTC time and full date."""
    t = _utc(time_utc)
    return sentence(f"{talker}ZDA", (_hhmmss(t), f"{t:%d}", f"{t:%m}", f"{t:%Y}", "00", "00"))
