"""Sentences per second through the GNSS reader's full validation path (target >= 50,000/s).

Framing, checksum, field validation and epoch assembly, as `NmeaDecoder.feed` runs them on a
live stream. Input: a realistic 10 Hz mix (GGA, RMC, GSA, VTG, HDT, GSV) made with the encoder,
fed in 4 KiB chunks as a serial port delivers them.

    .venv/bin/python benchmarks/gnss_reader.py [--seconds-of-data N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import time

from vessel.gnss import NmeaDecoder
from vessel.gnss.nmea_out import gga, hdt, rmc, sentence, vtg


def stream(epochs: int) -> tuple[bytes, int]:
    """A receiver's output for `epochs` 10 Hz epochs, and how many sentences it holds."""
    t0 = dt.datetime(2026, 5, 1, 6, 0, tzinfo=dt.UTC)
    gsa = sentence("GNGSA", ("A", "3", "01", "03", "08", "11", "14", "17", "22", "28", "", "", "",
                             "", "1.6", "0.9", "1.3"))
    gsv = sentence("GPGSV", ("3", "1", "11", "01", "40", "083", "46", "03", "21", "311", "38",
                             "08", "61", "201", "45", "11", "33", "054", "42"))
    chunks, count = [], 0
    for i in range(epochs):
        t = t0 + dt.timedelta(milliseconds=100 * i)
        lat, lon = 59.3293 + 1e-6 * i, 18.0686 + 2e-6 * math.sin(i / 50)
        chunks += [gga(t, lat, lon, 1, 12, 0.9, 12.5, 23.1, talker="GN"),
                   rmc(t, lat, lon, 2.1, 87.5, talker="GN"), gsa, vtg(2.1, 87.5, "GN"),
                   hdt(88.2, "GN")]
        count += 5
        if i % 10 == 0:
            chunks.append(gsv)
            count += 1
    return b"".join(chunks), count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds-of-data", type=int, default=2000, help="10 Hz epochs / 10")
    args = parser.parse_args()
    data, sentences = stream(args.seconds_of_data * 10)
    best = math.inf
    for _ in range(3):
        decoder = NmeaDecoder()
        start = time.perf_counter()
        epochs = 0
        for at in range(0, len(data), 4096):
            epochs += len(decoder.feed(data[at : at + 4096]))
        epochs += len(decoder.flush())
        best = min(best, time.perf_counter() - start)
        assert decoder.counters["sentences"] + decoder.counters["unknown_sentence"] == sentences
    print(f"{sentences} sentences ({len(data) / 1e6:.1f} MB), {epochs} epochs out, "
          f"best of 3: {best:.3f} s")
    print(f"gnss reader: {sentences / best:,.0f} sentences/s through the full validation path "
          f"(target >= 50,000)")


if __name__ == "__main__":
    main()
