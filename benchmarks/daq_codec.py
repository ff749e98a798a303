"""DAQ codec throughput: decode a simulated 4-channel, 4 kHz recording as fast as possible.

Prints samples/s and the multiple of real time for the whole recording read (file + codec),
and for the codec alone on bytes already in memory. Target: >= 500x real time.

    .venv/bin/python benchmarks/daq_codec.py [--minutes 20] [--layout two-strips]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

from simulators.traffic.generate import generate
from wim_station.daq.codec import FrameDecoder
from wim_station.daq.recording import open_recording


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--minutes", type=float, default=20.0)
    p.add_argument("--layout", default="two-strips")
    args = p.parse_args()
    # ~4 s per vehicle in one lane: this many vehicles fill the requested duration.
    vehicles = max(1, int(args.minutes * 60 / 4))
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        run = generate(Path(tmp), vehicles=vehicles, layout=args.layout, seed=1)
        gen_s = time.perf_counter() - t
        with open_recording(run.recording) as rec:
            rate, n_channels = rec.header.sample_rate_hz, rec.header.n_channels
            t = time.perf_counter()
            samples = sum(f.n_samples for f in rec.frames())
            file_s = time.perf_counter() - t
        data = run.recording.read_bytes()
        t = time.perf_counter()
        decoder = FrameDecoder()
        chunk = 1 << 20
        for k in range(0, len(data), chunk):
            decoder.feed(data[k : k + chunk])
        mem_s = time.perf_counter() - t
    audio_s = samples / rate
    result = {
        "recording_s": round(audio_s, 1),
        "channels": n_channels,
        "sample_rate_hz": rate,
        "generate_s": round(gen_s, 2),
        "generate_x_realtime": round(audio_s / gen_s, 1),
        "read_s": round(file_s, 3),
        "read_samples_per_s": round(samples * n_channels / file_s),
        "read_x_realtime": round(audio_s / file_s, 1),
        "codec_only_x_realtime": round(audio_s / mem_s, 1),
        "frames": decoder.frames,
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
