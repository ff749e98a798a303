"""Vision core on simulated lake scenes: detection, geometry and speed figures.

    .venv/bin/python benchmarks/vision.py [--frames 1000] [--seed 1] [--attitude] [--chart]
        [--breakdown]

Scenes vary light, sea state, glint, shoreline and the own boat's pitch/roll (see
simulators/lake_camera/scenario.py); a new scene every 100 frames at 10 frames/s. The core
sees only the frame and its time (plus the own pose for geolocation; `--attitude` also gives
it the true pitch/roll with IMU-like noise, from which it learns the shore's dip; `--chart`
gives it the shore distance, as a chart and the own position would). Speed is timed on one
thread at 1280x720.

Conventions: truth range and position are the target's centre. The core measures range to
the nearest waterline point (`Detection.range_m`) and places a boat's centre
`boat_centre_beyond_contact_m` further; "range error" compares that centre estimate with
the truth centre, "near waterline" compares `range_m` with the range at the lowest image
point of the truth hull's waterline. `--breakdown` splits the 70-130 m errors by source.
"""

from __future__ import annotations

import argparse
import math
import time

import cv2
import numpy as np
import numpy.typing as npt

from edge.geo import destination_point, distance_bearing
from simulators.lake_camera.scenario import SimFrame, scenario
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
    ap.add_argument(
        "--chart",
        action="store_true",
        help="give the core the shore distance (as a chart would) for the water edge's dip",
    )
    ap.add_argument(
        "--breakdown", action="store_true", help="print where the range/position error comes from"
    )
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
    near_err: list[float] = []
    pos_err_100: list[float] = []
    # (truth range, det range, range at the det's contact with the true attitude,
    #  near-hull range, per-frame position error, track position error, bearing err,
    #  pitch err, roll err, kind)
    rows: list[tuple[float, ...]] = []
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
        shore = sf.scene.look.shore_distance_m if args.chart else None
        result = core.process(frame, sf.t_s, attitude=att, own_pose=sf.own, shore_distance_m=shore)
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
                # Like with like: truth is to the target's centre, the core measures the near
                # waterline; its centre estimate adds the configured hull allowance.
                centre_m = det.range_m + (
                    core.cfg.boat_centre_beyond_contact_m if det.kind == "boat" else 0.0
                )
                range_err.append(abs(centre_m - obj.range_m) / obj.range_m)
                near_m = _near_range(
                    cam, sf, obj.target_id, Attitude(sf.own.pitch_deg, sf.own.roll_deg)
                )
                near_err.append(abs(det.range_m - near_m) / near_m)
            if det.lat_deg is not None and det.lon_deg is not None and 70 <= obj.range_m <= 130:
                d, _ = distance_bearing(det.lat_deg, det.lon_deg, obj.lat_deg, obj.lon_deg)
                pos_err_100.append(d)
                if args.breakdown and det.range_m is not None and det.bearing_deg is not None:
                    true_att = Attitude(sf.own.pitch_deg, sf.own.roll_deg)
                    # The detection's contact pixel, re-measured with the true attitude.
                    px = cam.world_to_pixel(det.bearing_deg, det.range_m, 0.0, result.attitude)
                    r_true = cam.pixel_to_range_m(*px, true_att) if px else None
                    centre_m = det.range_m + (
                        core.cfg.boat_centre_beyond_contact_m if det.kind == "boat" else 0.0
                    )
                    lat1, lon1 = destination_point(
                        sf.own.lat_deg,
                        sf.own.lon_deg,
                        sf.own.heading_deg + cam.mount_yaw_deg + det.bearing_deg,
                        centre_m,
                    )
                    d1, _ = distance_bearing(lat1, lon1, obj.lat_deg, obj.lon_deg)
                    rows.append(
                        (
                            obj.range_m,
                            det.range_m,
                            r_true or math.nan,
                            _near_range(cam, sf, obj.target_id, true_att),
                            d1,
                            d,
                            det.bearing_deg - obj.bearing_deg,
                            result.attitude.pitch_deg - sf.own.pitch_deg,
                            result.attitude.roll_deg - sf.own.roll_deg,
                            1.0 if obj.kind == "boat" else 0.0,
                        )
                    )
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
    print(f"  near waterline vs truth's:     {stats(near_err, 100.0, ' %')}")
    print(f"position error at 70-130 m:      {stats(pos_err_100, unit=' m')}")
    if args.breakdown and rows:
        _breakdown(np.array(rows), cam.focal_px * cam.height_m)
    print(f"core speed 1280x720, 1 thread:   {frames / elapsed:.1f} frames/s")


def _near_range(cam: CameraModel, sf: SimFrame, target_id: int, att: Attitude) -> float:
    """Range at the lowest image point of a target's waterline (what an ideal detector sees)."""
    tgt = next(t for t in sf.targets if t.target_id == target_id)
    dist, brg = distance_bearing(sf.own.lat_deg, sf.own.lon_deg, tgt.lat_deg, tgt.lon_deg)
    rel = math.radians(brg - sf.own.heading_deg)
    fwd, stbd = dist * math.cos(rel), dist * math.sin(rel)
    head = math.radians(tgt.heading_deg - sf.own.heading_deg)
    ax, ay = math.cos(head), math.sin(head)
    hl, hb = tgt.length_m / 2, tgt.beam_m / 2
    pts = [
        [fwd + a * ax - c * ay, stbd + a * ay + c * ax, cam.height_m]
        for a, c in ((-hl, -hb), (hl * 0.55, -hb), (hl, 0.0), (hl * 0.55, hb), (-hl, hb))
    ]
    u, v, _ = cam.level_to_pixel(pts, att)
    vmax = float(np.nanmax(v))
    r = cam.pixel_to_range_m(float(np.nanmean(u)), vmax, att)
    return r if r is not None else math.nan


def _breakdown(a: npt.NDArray[np.float64], f_h: float) -> None:
    """Print the range/position error split by source; `f_h` is focal px x camera height m."""
    truth, det, r_true, near, e_frame, e_track, e_brg, e_pitch, e_roll, boat = a.T

    def q(v: npt.NDArray[np.float64], label: str) -> None:
        v = v[np.isfinite(v)]
        p10, p50, p90 = np.percentile(v, [10, 50, 90])
        print(
            f"  {label:52s} p10 {p10:+7.2f} p50 {p50:+7.2f} p90 {p90:+7.2f}"
            f"  |p90| {np.percentile(np.abs(v), 90):6.2f}"
        )

    print(f"breakdown at 70-130 m (n={len(a)}, boats {int(boat.sum())}):")
    q(det - truth, "range error total, m")
    q(det - r_true, "  from attitude/horizon (det vs true att), m")
    q(r_true - truth, "  from contact point vs centre, m")
    q(r_true - near, "    detector's contact vs ideal near waterline, m")
    q(f_h / near - f_h / r_true, "      same in rows (+: contact found above, too far)")
    q(near - truth, "    ideal near waterline vs centre (hull), m")
    q(e_pitch, "pitch error, deg")
    q(e_roll, "roll error, deg")
    q(e_brg, "bearing error, deg")
    q(truth * np.radians(e_brg), "  cross-range error, m")
    q(e_frame, "position error, per-frame range+bearing (+centre), m")
    q(e_track, "position error, reported (track), m")


if __name__ == "__main__":
    main()
