"""`python -m simulators.lake_camera generate|serve`: the boat camera's view of a lake.

generate --out DIR --frames N --seed S   image folder (frame_00000.jpg ...) + truth.jsonl
serve [--port P] [--seed S] [--fps F]    MJPEG on 127.0.0.1 (/stream.mjpg, /snapshot.jpg,
                                         /truth, POST /world); without a feed it plays a
                                         built-in scenario
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import cv2

from simulators.lake_camera.scenario import scenario
from simulators.lake_camera.server import LakeCameraServer
from vessel.vision.camera import CameraModel


def _camera(path: str | None) -> CameraModel:
    if not path:
        return CameraModel()
    return CameraModel(**json.loads(Path(path).read_text(encoding="utf-8")))


def generate(out: Path, frames: int, seed: int, camera: CameraModel, fps: float) -> None:
    """Write `frames` JPEG frames and their ground truth (one JSON line per frame)."""
    out.mkdir(parents=True, exist_ok=True)
    with (out / "truth.jsonl").open("w", encoding="utf-8") as tf:
        for sf in scenario(camera, seed, frames, fps=fps):
            frame, truth = sf.render()
            name = f"frame_{sf.index:05d}.jpg"
            cv2.imwrite(str(out / name), frame, [cv2.IMWRITE_JPEG_QUALITY, 92])
            tf.write(json.dumps({"frame": sf.index, "image": name, **truth.to_dict()}) + "\n")


def serve(port: int, seed: int, camera: CameraModel, fps: float) -> None:
    """Serve a built-in scenario until interrupted (POST /world overrides it)."""
    frames = scenario(camera, seed, 10**9, fps=fps)
    first = next(frames)
    with LakeCameraServer(first.scene, port=port) as server:
        print(f"lake camera on http://127.0.0.1:{server.port}/stream.mjpg", file=sys.stderr)
        for sf in frames:
            server.scene = sf.scene
            server.update(sf.own, list(sf.targets), sf.t_s)
            time.sleep(1.0 / fps)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m simulators.lake_camera", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("generate", help="write an image folder and truth.jsonl")
    g.add_argument("--out", required=True)
    g.add_argument("--frames", type=int, default=100)
    s = sub.add_parser("serve", help="MJPEG over HTTP on loopback")
    s.add_argument("--port", type=int, default=8091)
    for p in (g, s):
        p.add_argument("--seed", type=int, default=1)
        p.add_argument("--fps", type=float, default=10.0)
        p.add_argument("--camera", help="camera JSON (as for python -m vessel.vision)")
    try:
        args = ap.parse_args(argv)
        camera = _camera(args.camera)
    except SystemExit as exc:
        return 2 if exc.code else 0
    except (OSError, ValueError, TypeError) as exc:
        print(f"lake_camera: {exc}", file=sys.stderr)
        return 2
    try:
        if args.cmd == "generate":
            generate(Path(args.out), args.frames, args.seed, camera, args.fps)
        else:
            serve(args.port, args.seed, camera, args.fps)
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
