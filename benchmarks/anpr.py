"""Plate reading on the synthetic set: exact-read rate, confidence calibration, speed.

Run: `.venv/bin/python benchmarks/anpr.py [--frames 240] [--seed 1]`. Timing is per frame on one
core (OpenCV limited to one thread), median over the 1080p frames, as wall time and as the
process's CPU time (the latter is what one free core would take when others load the machine);
the network warm-up happens in the reader's constructor.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simulators.road_camera.dataset import synthetic_frame
from wim_station.anpr import PlateReader


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--frames", type=int, default=240)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--verbose", action="store_true", help="print every miss")
    args = parser.parse_args()
    cv2.setNumThreads(1)
    reader = PlateReader()
    exact = wrong_sure = missed = colour_ok = day = 0
    per_colour: Counter[str] = Counter()
    per_colour_ok: Counter[str] = Counter()
    ms_1080: list[float] = []
    ms_all: list[float] = []
    cpu_1080: list[float] = []  # CPU time: robust when other processes share the cores
    confs_right: list[float] = []
    for i in range(args.frames):
        frame = synthetic_frame(args.seed, i)
        truth = frame.truths[0]
        img = np.asarray(cv2.imdecode(np.frombuffer(frame.jpeg, np.uint8), cv2.IMREAD_COLOR))
        t0, c0 = time.perf_counter(), time.process_time()
        reads = reader.read(img)
        ms = (time.perf_counter() - t0) * 1000
        ms_all.append(ms)
        if frame.options.height_px == 1080:
            ms_1080.append(ms)
            cpu_1080.append((time.process_time() - c0) * 1000)
        key = f"{truth.color}/{'night' if frame.options.night else 'day'}"
        per_colour[key] += 1
        best = reads[0] if reads else None
        if best is None:
            missed += 1
        elif best.text == truth.text:
            exact += 1
            per_colour_ok[key] += 1
            confs_right.append(best.confidence)
        elif best.confidence >= 0.9:
            wrong_sure += 1
        if not frame.options.night:
            day += 1
            colour_ok += best is not None and best.color == truth.color
        if args.verbose and (best is None or best.text != truth.text):
            print(f"  miss #{i}: {truth.text} {key} {frame.options.width_px}p "
                  f"plate {frame.options.plate_width_px:.0f}px -> "
                  f"{(best.text, round(best.confidence, 2)) if best else None}")
    n = args.frames
    print(f"frames: {n} (seed {args.seed}; 720p and 1080p, six colours, day and night, "
          "plates 100-300 px wide)")
    print(f"exact reads: {exact}/{n} = {100 * exact / n:.1f} %  (no read: {missed})")
    print(f"wrong reads with confidence >= 0.9: {wrong_sure}/{n} = {100 * wrong_sure / n:.1f} %")
    print(f"right reads with confidence >= 0.9: "
          f"{sum(c >= 0.9 for c in confs_right)}/{len(confs_right)}")
    print(f"colour right (day frames): {colour_ok}/{day}")
    for key in sorted(per_colour):
        print(f"  {key:20s} {per_colour_ok[key]}/{per_colour[key]}")
    print(f"median ms per 1080p frame (1 thread): {statistics.median(ms_1080):.1f} "
          f"(p95 {sorted(ms_1080)[int(0.95 * len(ms_1080))]:.1f}, n={len(ms_1080)}); "
          f"all frames median {statistics.median(ms_all):.1f}")
    print(f"median CPU ms per 1080p frame (1 thread): {statistics.median(cpu_1080):.1f} "
          f"(p95 {sorted(cpu_1080)[int(0.95 * len(cpu_1080))]:.1f}); "
          f"load average now {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
