"""Vision core on simulated lake scenes: detection, geometry and speed figures.

    .venv/bin/python benchmarks/vision.py [--frames 1000] [--seed 1] [--attitude]

Scenes vary light, sea state, glint, shoreline and the own boat's pitch/roll (see
simulators/lake_camera/scenario.py); a new scene every 100 frames at 10 frames/s. The core
sees only the frame and its time (plus the own pose for geolocation; `--attitude` also gives
it the true pitch/roll with IMU-like noise). Speed is timed on one thread at 1280x720.
"""

from __future__ import annotations

import argparse
import math
import time

import cv2
import numpy as np

from edge.geo import distance_bearing
from simulators.lake_camera.scenario import scenario
from simulators.lake_camera.world import FrameTruth, TruthObject
from vessel.vision.camera import Attitude, CameraModel
from vessel.vision.core import Detection, FrameResult, VisionCore


def match(truth: FrameTruth, result: FrameResult) -> list[tuple[TruthObject, Detection | None]]:
    """Pair each truth object with at most one detection whose waterline lies on it."""
    pairs: list[tuple[TruthObject, Detection | None]] = []
    used: set[int] = set()
    for obj in sorted(truth.objects, key=lambda o: o.range_m):
        x, y, w, h = obj.box
        best, best_d = None, math.inf
        for i, det in enumerate(result.detections):
            if i in used:
                continue
            dx, dy, dw, dh = det.box
            cx, bottom = dx + dw / 2, dy + dh
            if not (x - 3 <= cx <= x + w + 3):
                continue
            if abs(bottom - (y + h)) > max(4.0, 0.5 * h):
                continue
            d = abs(cx - (x + w / 2))
            if d < best_d:
                best, best_d = i, d
        if best is not None:
            used.add(best)
        pairs.append((obj, result.detections[best] if best is not None else None))
    return pairs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--frames", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--attitude", action="store_true", help="give the core noisy true pitch/roll")
    args = ap.parse_args()
    cv2.setNumThreads(1)
    cam = CameraModel(width_px=1280, height_px=720, hfov_deg=70.0, height_m=2.0)
    rng = np.random.default_rng(args.seed)
    boat_tp = boat_n = 0
    person_tp = person_n = 0
    det_tp = det_fp = 0
    kind_ok = kind_n = 0
    bearing_err: list[float] = []
    range_err: list[float] = []
    pos_err_100: list[float] = []
    elapsed = 0.0
    core: VisionCore | None = None
    scene_id = None
    frames = 0
    for sf in scenario(cam, args.seed, args.frames):
        if sf.scene is not scene_id:
            core, scene_id = VisionCore(cam), sf.scene
        assert core is not None
        frame, truth = sf.render()
        att = None
        if args.attitude:
            att = Attitude(
                sf.own.pitch_deg + float(rng.normal(0, 0.1)),
                sf.own.roll_deg + float(rng.normal(0, 0.1)),
            )
        t0 = time.perf_counter()
        result = core.process(frame, sf.t_s, attitude=att, own_pose=sf.own)
        elapsed += time.perf_counter() - t0
        frames += 1
        matched = set()
        for obj, det in match(truth, result):
            if det is not None:
                matched.add(id(det))
            if obj.kind == "boat" and obj.range_m <= 150:
                boat_n += 1
                boat_tp += det is not None
            if obj.kind == "person" and obj.range_m <= 60:
                person_n += 1
                person_tp += det is not None
            if det is None:
                continue
            kind_n += 1
            kind_ok += det.kind == obj.kind
            if det.bearing_deg is not None:
                bearing_err.append(abs(det.bearing_deg - obj.bearing_deg))
            if det.range_m is not None and obj.range_m <= 100:
                range_err.append(abs(det.range_m - obj.range_m) / obj.range_m)
            if det.lat_deg is not None and det.lon_deg is not None and 70 <= obj.range_m <= 130:
                d, _ = distance_bearing(det.lat_deg, det.lon_deg, obj.lat_deg, obj.lon_deg)
                pos_err_100.append(d)
        for det in result.detections:
            if det.range_m is not None and det.range_m > 150:
                continue
            x, _, w, _ = det.box
            if id(det) not in matched and (x <= 2 or x + w >= cam.width_px - 2):
                continue  # a target half out of the picture: truth keeps only >= 50 % visible
            if id(det) in matched:
                det_tp += 1
            else:
                det_fp += 1

    def pct(a: float, b: float) -> str:
        return f"{100.0 * a / b:.1f} %" if b else "n/a"

    def stats(v: list[float], scale: float = 1.0, unit: str = "") -> str:
        if not v:
            return "n/a"
        a = np.array(v) * scale
        return f"median {np.median(a):.2f}{unit}, p90 {np.percentile(a, 90):.2f}{unit} (n={a.size})"

    print(f"frames: {frames} (seed {args.seed}, attitude given: {args.attitude})")
    print(f"boat recall within 150 m:        {pct(boat_tp, boat_n)} ({boat_tp}/{boat_n})")
    print(f"detection precision within 150 m: {pct(det_tp, det_tp + det_fp)} (fp {det_fp})")
    print(f"swimmer recall within 60 m:      {pct(person_tp, person_n)} ({person_tp}/{person_n})")
    print(f"kind correct (matched):          {pct(kind_ok, kind_n)}")
    print(f"bearing error:                   {stats(bearing_err, unit=' deg')}")
    print(f"range error within 100 m:        {stats(range_err, 100.0, ' %')}")
    print(f"position error at 70-130 m:      {stats(pos_err_100, unit=' m')}")
    print(f"core speed 1280x720, 1 thread:   {frames / elapsed:.1f} frames/s")


if __name__ == "__main__":
    main()
