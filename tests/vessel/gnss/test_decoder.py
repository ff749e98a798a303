"""The pure path: framing, checksums, field validation, epochs and counters."""

from __future__ import annotations

import datetime as dt

import pytest

from vessel.gnss import Fix, NmeaDecoder
from vessel.gnss.nmea_out import gga, hdt, rmc, sentence, ths, vtg, zda
from vessel.gnss.sentence import SentenceRejected, decode

T0 = dt.datetime(2026, 3, 14, 10, 20, 30, tzinfo=dt.UTC)


def run(data: bytes, **options: object) -> tuple[list[Fix], dict[str, int]]:
    decoder = NmeaDecoder(**options)  # type: ignore[arg-type]
    return decoder.feed(data) + decoder.flush(), decoder.counters


def last(fixes: list[Fix]) -> Fix:
    assert fixes, "no epoch"
    return fixes[-1]


def gga_fields(**overrides: str) -> bytes:
    fields = {
        "time": "102030.00", "lat": "4807.038", "ns": "N", "lon": "01131.000", "ew": "E",
        "quality": "1", "sats": "08", "hdop": "0.9", "alt": "545.4",
    }
    fields.update(overrides)
    return sentence("GPGGA", (*fields.values(), "M", "46.9", "M", "", ""))


def test_rmc_gga_epoch_has_everything() -> None:
    data = gga(T0, 48.1173, 11.5166667, 1, 8, 0.9, 545.4) + rmc(T0, 48.1173, 11.5166667, 2.5, 84.4)
    fix = last(run(data)[0])
    assert fix.time == T0 and fix.fix == "3d" and fix.sats == 8 and fix.alt_m == 545.4
    assert fix.lat == pytest.approx(48.1173, abs=1e-7)
    assert fix.lon == pytest.approx(11.5166667, abs=1e-7)
    assert fix.sog_mps == pytest.approx(2.5, abs=1e-3) and fix.cog_deg == 84.4


@pytest.mark.parametrize("ending", [b"\r\n", b"\n", b"\r", b"\n\r"])
def test_any_line_ending(ending: bytes) -> None:
    data = (rmc(T0, 1.0, 2.0, 0.0, 0.0) + gga(T0, 1.0, 2.0)).replace(b"\r\n", ending)
    fixes, counters = run(data)
    assert counters["sentences"] == 2 and last(fixes).lat == pytest.approx(1.0)


def test_junk_binary_and_doubled_dollar() -> None:
    ubx = bytes([0xB5, 0x62, 0x01, 0x07, 0x5C, 0x00, 0x24, 0x0A, 0xFF])  # contains '$' and '\n'
    data = ubx + b"$" + rmc(T0, 1.0, 2.0, 0.0, 0.0) + b"\x00\xff" + gga(T0, 1.0, 2.0)
    fixes, counters = run(data)
    assert counters["sentences"] == 2 and counters["junk_bytes"] >= 8
    assert last(fixes).fix == "2d" or last(fixes).fix == "3d"


def test_truncated_line_then_next_sentence() -> None:
    cut = gga(T0, 1.0, 2.0, alt_m=3.0)[:30]  # receiver reset mid-line, next sentence on the same line
    fixes, counters = run(cut + rmc(T0, 1.0, 2.0, 0.0, 0.0))
    assert counters["truncated"] == 1 and counters["sentences"] == 1
    assert last(fixes).alt_m is None  # nothing from the cut GGA


def test_cut_line_without_checksum_is_truncated() -> None:
    _, counters = run(gga(T0, 1.0, 2.0)[:40] + b"\r\n")
    assert counters["truncated"] == 1 and counters.get("sentences", 0) == 0


def test_overlong_line_is_dropped_and_stream_recovers() -> None:
    good = gga(T0, 1.0, 2.0, alt_m=3.0) + rmc(T0, 1.0, 2.0, 0.0, 0.0)
    fixes, counters = run(b"$GPTXT," + b"A" * 5000 + b"\r\n" + good)
    assert counters["overlong"] == 1 and last(fixes).alt_m is not None
    decoder = NmeaDecoder()
    assert decoder.feed(b"$GPTXT," + b"A" * 5000) == []  # no line end yet: buffer stays bounded
    fixes = decoder.feed(b"AAAA\r\n" + good) + decoder.flush()
    assert decoder.counters["overlong"] == 1 and last(fixes).alt_m is not None


def test_bytes_fed_one_at_a_time_give_the_same_epochs() -> None:
    data = zda(T0) + gga(T0, 1.0, 2.0, 1, 5, 1.2, 3.0) + vtg(1.0, 10.0) + hdt(12.0)
    decoder = NmeaDecoder()
    fixes = [fix for byte in data for fix in decoder.feed(bytes([byte]))] + decoder.flush()
    assert last(fixes) == last(run(data)[0])


def test_bad_checksum_rejected_and_counted() -> None:
    line = bytearray(gga(T0, 1.0, 2.0))
    line[-4:-2] = b"00" if line[-4:-2] != b"00" else b"11"
    fixes, counters = run(bytes(line))
    assert fixes == [] and counters["bad_checksum"] == 1


def test_missing_checksum_rejected_by_default_accepted_when_configured() -> None:
    line = rmc(T0, 1.0, 2.0, 0.0, 0.0)
    bare = line[: line.rindex(b"*")] + b"\r\n"
    assert run(bare)[0] == []
    assert last(run(bare, require_checksum=False)[0]).lat == pytest.approx(1.0)
    # A present but wrong checksum stays an error even then.
    wrong = line.replace(line[-4:-2], b"00" if line[-4:-2] != b"00" else b"11")
    assert run(wrong, require_checksum=False)[0] == []


@pytest.mark.parametrize(
    "overrides",
    [
        {"lat": "48"}, {"lat": ""}, {"lat": "48x7.038"}, {"lat": "4867.0"}, {"ns": "Q"},
        {"lon": "011"}, {"lon": "19131.000"}, {"ew": ""}, {"time": "1020"}, {"time": "256000"},
        {"quality": ""}, {"hdop": "0.9.1"}, {"sats": "-1"},
    ],
)
def test_ill_formed_fields_never_become_values(overrides: dict[str, str]) -> None:
    fixes, counters = run(gga_fields(**overrides))
    assert fixes == [] and counters["unparseable"] == 1


def test_gga_quality_0_and_rmc_v_are_no_fix() -> None:
    data = gga(T0, None, None, quality=0) + rmc(T0, None, None, None, None, valid=False)
    fix = last(run(data)[0])
    assert fix.fix == "none" and fix.lat is None and fix.lon is None and fix.time == T0


def test_rmc_v_overrules_a_gga_fix_of_the_same_epoch() -> None:
    data = gga(T0, 1.0, 2.0) + rmc(T0, 1.0, 2.0, 0.0, 0.0, valid=False)
    assert last(run(data)[0]).fix == "none"


@pytest.mark.parametrize("talker", ["GP", "GN", "GL", "GA", "BD", "GB", "GQ", "GI"])
def test_every_talker(talker: str) -> None:
    fix = last(run(gga(T0, 1.0, 2.0, alt_m=3.0, talker=talker) + rmc(T0, 1.0, 2.0, 1.0, 5.0, talker=talker))[0])
    assert fix.fix == "3d" and fix.lat == pytest.approx(1.0)


def test_gsa_sets_2d_and_3d() -> None:
    gsa2 = sentence("GNGSA", ("A", "2", "01", "02", "03", *[""] * 9, "2.0", "1.5", "1.2"))
    gsa1 = sentence("GNGSA", ("A", "1", *[""] * 12, "", "", ""))
    assert last(run(gga(T0, 1.0, 2.0, alt_m=5.0) + gsa2)[0]).fix == "2d"
    assert last(run(gga(T0, 1.0, 2.0, alt_m=5.0) + gsa1)[0]).fix == "none"


def test_gns_and_gll() -> None:
    gns = sentence("GNGNS", ("102030.00", "4807.038", "N", "01131.000", "E", "AAN", "12", "0.8",
                             "545.4", "46.9", "", ""))
    fix = last(run(gns + rmc(T0, 48.1173, 11.5166667, 0.0, 0.0))[0])
    assert fix.fix == "3d" and fix.sats == 12
    gns_none = gns.replace(b"AAN", b"NNN")
    gns_none = sentence("GNGNS", gns_none[7 : gns_none.index(b"*")].decode().split(","))
    assert last(run(gns_none)[0]).fix == "none"
    gll = sentence("GPGLL", ("4807.038", "N", "01131.000", "E", "102030.00", "A", "A"))
    assert last(run(zda(T0) + gll)[0]).lat == pytest.approx(48.1173)


def test_vtg_both_formats_and_heading() -> None:
    old_vtg = sentence("GPVTG", ("054.7", "034.4", "005.5", "010.2"))
    fix = last(run(gga(T0, 1.0, 2.0) + old_vtg + hdt(271.5))[0])
    assert fix.cog_deg == 54.7 and fix.sog_mps == pytest.approx(5.5 * 1852 / 3600)
    assert fix.heading_deg == 271.5
    assert last(run(gga(T0, 1.0, 2.0) + ths(12.25))[0]).heading_deg == 12.25
    invalid_ths = sentence("GNTHS", ("12.25", "V"))
    assert last(run(gga(T0, 1.0, 2.0) + invalid_ths)[0]).heading_deg is None


def test_gga_only_epochs_time_null_until_date_known_then_carried() -> None:
    t1, t2 = T0 + dt.timedelta(seconds=1), T0 + dt.timedelta(seconds=2)
    fixes, _ = run(gga(T0, 1.0, 2.0, alt_m=3.0) + rmc(t1, 1.0, 2.0, 0.0, 0.0) + gga(t1, 1.0, 2.0)
                   + gga(t2, 1.0, 2.0))
    assert fixes[0].time is None and fixes[0].time_of_day_s == pytest.approx(37230.0)
    assert fixes[0].fix == "3d"
    assert [f.time for f in fixes[1:]] == [t1, t2]


def test_zda_gives_the_date_and_midnight_rolls_it() -> None:
    before = dt.datetime(2026, 12, 31, 23, 59, 59, tzinfo=dt.UTC)
    after = before + dt.timedelta(seconds=1)
    fixes, _ = run(zda(before) + gga(before, 1.0, 2.0) + gga(after, 1.0, 2.0))
    assert [f.time for f in fixes] == [before, after]


def test_proprietary_ais_and_unknown_are_counted_not_errors() -> None:
    data = (sentence("PUBX", ("00", "1")) + b"!AIVDM,1,1,,A,13aEOK?P00PD2wVMdLDRhgvL289?,0*26\r\n"
            + sentence("GPGSV", ("1", "1", "00")) + sentence("GPXYZ12", ("1",)))
    fixes, counters = run(data)
    assert fixes == []
    assert counters["proprietary"] == 1 and counters["ais"] == 1
    assert counters["unknown_sentence"] == 2


def test_decode_raises_with_the_raw_line() -> None:
    with pytest.raises(SentenceRejected) as err:
        decode(b"$GPGGA,1*00")
    assert err.value.reason == "bad_checksum" and err.value.raw == b"$GPGGA,1*00"


def test_short_sentence_is_truncated() -> None:
    _, counters = run(sentence("GPGGA", ("102030.00", "4807.038", "N")))
    assert counters["truncated"] == 1


def test_heading_before_the_first_timed_sentence_joins_its_epoch() -> None:
    fix = last(run(hdt(45.0) + gga(T0, 1.0, 2.0, alt_m=3.0))[0])
    assert fix.heading_deg == 45.0 and fix.fix == "3d"


def test_timeless_no_fix_does_not_poison_the_next_epoch() -> None:
    timeless = sentence("GPGGA", ("", "", "", "", "", "0", "00", "", "", "M", "", "M", "", ""))
    fixes, counters = run(timeless + gga(T0, 1.0, 2.0, alt_m=3.0) + rmc(T0, 1.0, 2.0, 0.0, 0.0))
    assert counters["sentences"] == 3 and last(fixes).fix == "3d"
    # A ZDA dates the no-fix epoch of a receiver that has the time but no position yet.
    fixes, _ = run(timeless + zda(T0))
    assert last(fixes).fix == "none" and last(fixes).time == T0
