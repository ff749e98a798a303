"""Hypothesis: garbage never raises, and a corrupted sentence never yields a fix."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from vessel.gnss import NmeaDecoder
from vessel.gnss.sentence import checksum

from .gpsd_captures import GPSD_DIR, receiver_bytes

FUZZ = settings(max_examples=200, deadline=None)

# Real position sentences with a fix, from the gpsd captures (a fixed fallback if absent).
_FALLBACK = [
    b"$GPGGA,030719.000,3747.0873,S,17518.8938,E,1,08,1.1,59.9,M,23.7,M,,0000*7D\r\n",
    b"$GPRMC,030719.000,A,3747.0873,S,17518.8938,E,0.69,181.39,311214,,,A*7D\r\n",
]


def _real_sentences() -> list[bytes]:
    if not GPSD_DIR.is_dir():
        return _FALLBACK
    wanted = re.compile(rb"\$G[PNLAB](GGA|RMC|GNS|GLL),")
    found: list[bytes] = []
    for name in ("bu353s4.log", "telit-pls83-w.log", "hemi.log", "ublox-zed-f9p-nmea.log"):
        for line in receiver_bytes(GPSD_DIR / name).splitlines():
            has_fix = b",A," in line or b",1," in line
            if wanted.match(line) and has_fix and _intact(line + b"\r\n"):
                found.append(line.rstrip() + b"\r\n")
    return found[:200] or _FALLBACK


_SENTENCE_RE = re.compile(rb"\$([\x20-\x7e]*)\*([0-9A-Fa-f]{2})\r\n\Z")


def _intact(line: bytes) -> bool:
    """Independent check: one `$...*HH` line whose checksum matches."""
    m = _SENTENCE_RE.match(line)
    return (m is not None and b"$" not in m[1] and b"*" not in m[1]
            and checksum(m[1]) == int(m[2], 16))


REAL = _real_sentences()


def decode_alone(data: bytes) -> list[object]:
    decoder = NmeaDecoder()
    return list(decoder.feed(data) + decoder.flush())


@FUZZ
@given(st.binary(max_size=600))
def test_random_bytes_never_raise(data: bytes) -> None:
    decoder = NmeaDecoder()
    decoder.feed(data)
    decoder.flush()
    counters = decoder.counters
    # Nothing is accepted as a sentence without a `$` to start it.
    assert counters.get("sentences", 0) == 0 or b"$" in data


@FUZZ
@given(st.lists(st.binary(max_size=40), max_size=20), st.sampled_from(REAL))
def test_random_chunks_around_real_sentences_never_raise(chunks: list[bytes], line: bytes) -> None:
    decoder = NmeaDecoder()
    for chunk in chunks:
        decoder.feed(chunk + line[: len(chunk) % len(line)])
    decoder.flush()


@st.composite
def mutated(draw: st.DrawFn) -> tuple[bytes, bytes]:
    line = draw(st.sampled_from(REAL))
    body = bytearray(line)
    kind = draw(st.sampled_from(["replace", "delete", "insert", "truncate"]))
    at = draw(st.integers(0, len(body) - 1))
    if kind == "replace":
        # Not a mere change of case: the checksum's hex digits are case-insensitive.
        body[at] = draw(st.integers(0, 255).filter(lambda b: chr(b).upper() != chr(body[at]).upper()))
    elif kind == "delete":
        del body[at]
    elif kind == "insert":
        body.insert(at, draw(st.integers(0, 255)))
    else:
        del body[at:]
    return line, bytes(body)


@FUZZ
@given(mutated())
def test_corrupted_sentence_never_yields_a_fix(case: tuple[bytes, bytes]) -> None:
    original, corrupted = case
    fixes = decode_alone(corrupted)
    if original.rstrip(b"\r\n") not in corrupted:  # else only junk or the line end was touched
        assert fixes == [], corrupted


@FUZZ
@given(mutated(), st.sampled_from(REAL))
def test_corruption_does_not_leak_into_the_next_sentence(
    case: tuple[bytes, bytes], following: bytes
) -> None:
    original, corrupted = case
    alone = decode_alone(following)
    after = decode_alone(corrupted + b"\r\n" + following)
    assert alone
    if original.rstrip(b"\r\n") not in corrupted:
        assert after == alone
