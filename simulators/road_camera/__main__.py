"""`python -m simulators.road_camera serve --port 8081`: a simulated enforcement camera."""

from __future__ import annotations

import argparse
import random
import sys
import time

from simulators.road_camera.plates import random_plate
from simulators.road_camera.scene import VEHICLE_CLASSES, SceneOptions
from simulators.road_camera.server import CameraServer, RoadCamera


def main(argv: list[str] | None = None) -> int:
    """Serve until interrupted; `--demo` drives a random vehicle past every few seconds."""
    parser = argparse.ArgumentParser(prog="python -m simulators.road_camera")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve MJPEG, snapshots and truth on loopback")
    serve.add_argument("--port", type=int, default=8081)
    serve.add_argument("--width", type=int, default=1280)
    serve.add_argument("--height", type=int, default=720)
    serve.add_argument("--fps", type=float, default=10.0)
    serve.add_argument("--night", action="store_true", help="infrared night images")
    serve.add_argument("--plate-width-px", type=float, default=200.0)
    serve.add_argument("--demo", action="store_true", help="show random vehicles on its own")
    serve.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    options = SceneOptions(args.width, args.height, args.night, args.plate_width_px)
    camera = RoadCamera(options, seed=args.seed)
    rng = random.Random(args.seed)
    with CameraServer(camera, args.port, fps=args.fps) as server:
        print(f"road camera on http://127.0.0.1:{server.port}/stream.mjpg "
              "(/snapshot.jpg, /truth)", file=sys.stderr, flush=True)
        try:
            while True:
                if args.demo:
                    plate = random_plate(rng)
                    camera.show_vehicle(plate.text, plate.color, rng.choice(VEHICLE_CLASSES),
                                        rng.randint(1, camera.lanes), time.time() + 3.0)
                time.sleep(5.0)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
