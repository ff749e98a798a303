"""Replay speed and memory: a 20-minute 4-channel 4 kHz recording through the whole CLI.

    .venv/bin/python benchmarks/wim_replay_speed.py [--minutes 20] [--layout two-strips]

Prints the recording's length, the wall time of `python -m wim_station replay --json` as a
separate process (start-up included), the factor over real time and the peak RSS.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from simulators.traffic.generate import generate  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=20.0)
    parser.add_argument("--layout", default="two-strips")
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs")
    args = parser.parse_args(argv)
    # ~14.6 vehicles a minute at the simulator's default mean gap of 4 s + passage time.
    vehicles = max(1, int(args.minutes * 14.7))
    with tempfile.TemporaryDirectory() as tmp:
        gen = generate(tmp, vehicles=vehicles, layout=args.layout, seed=7, name="speed")
        size_mb = gen.recording.stat().st_size / 1e6
        best = best_cpu = float("inf")
        lines = 0
        for _ in range(args.repeat):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "-m", "wim_station", "replay", str(gen.recording), "--json"],
                cwd=REPO, capture_output=True, text=True, check=True,
            )
            best = min(best, time.perf_counter() - t0)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            best_cpu = min(best_cpu, cpu)
            lines = proc.stdout.count("\n")
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"recording: {gen.duration_s / 60:.1f} min, {size_mb:.0f} MB, layout {args.layout}, "
          f"{vehicles} vehicles simulated, {lines} reported")
    print(f"replay (whole process, best of {args.repeat}): wall {best:.2f} s = "
          f"{gen.duration_s / best:.0f}x real time; CPU {best_cpu:.2f} s = "
          f"{gen.duration_s / best_cpu:.0f}x real time per core")
    print(f"peak RSS of the replay process: {peak_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
