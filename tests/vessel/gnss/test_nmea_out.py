"""The NMEA encoder: what it writes, the decoder reads back."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vessel.gnss import NmeaDecoder
from vessel.gnss.nmea_out import gga, hdt, rmc, sentence, vtg, zda


def test_sentence_checksum_matches_a_known_line() -> None:
    assert sentence("GPGSA", ("A", "3", "17", "28", "06", "01", "30", "20", "26", "13", "", "",
                              "", "", "1.8", "1.1", "1.5")) == (
        b"$GPGSA,A,3,17,28,06,01,30,20,26,13,,,,,1.8,1.1,1.5*33\r\n")


def test_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="UTC"):
        zda(dt.datetime(2026, 1, 1))


@settings(max_examples=200, deadline=None)
@given(
    lat=st.floats(-89.999, 89.999), lon=st.floats(-179.999, 179.999),
    sog=st.floats(0, 30), cog=st.floats(0, 359.99), heading=st.floats(0, 359.99),
    seconds=st.integers(0, 10**9), centis=st.integers(0, 99),
)
def test_round_trip(lat: float, lon: float, sog: float, cog: float, heading: float,
                    seconds: int, centis: int) -> None:
    t = dt.datetime(2000, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=seconds,
                                                               milliseconds=10 * centis)
    data = (gga(t, lat, lon, 4, 12, 0.7, 3.5) + rmc(t, lat, lon, sog, cog) + vtg(sog, cog)
            + hdt(heading) + zda(t))
    decoder = NmeaDecoder()
    fix = (decoder.feed(data) + decoder.flush())[-1]
    assert decoder.counters["sentences"] == 5
    assert fix.time == t and fix.fix == "3d" and fix.quality == 4 and fix.sats == 12
    assert fix.lat == pytest.approx(lat, abs=1e-7) and fix.lon == pytest.approx(lon, abs=1e-7)
    assert fix.sog_mps == pytest.approx(sog, abs=1e-3)
    assert fix.cog_deg == pytest.approx(cog, abs=0.006)
    assert fix.heading_deg == pytest.approx(heading, abs=0.006)


def test_no_fix_sentences_decode_as_no_fix() -> None:
    t = dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)
    decoder = NmeaDecoder()
    data = gga(t, 1.0, 2.0, quality=0) + rmc(t, 1.0, 2.0, 1.0, 1.0, valid=False) + vtg(None, None)
    fix = (decoder.feed(data) + decoder.flush())[-1]
    assert fix.fix == "none" and fix.lat is None and decoder.counters["sentences"] == 3
