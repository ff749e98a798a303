"""A whole simulated patrol vessel from a vessel config (`python -m simulators.vessel_site`).

Starts, on the ports the config names:
- the lake simulator (`gnss.url`, `helm.url`; ground truth on `--truth-port`): the own boat,
  other boats and swimmers;
- the forward camera (`camera.url`, `http://host:port/stream.mjpg`): the lake as seen from
  the own boat's true pose, rendered by `simulators.lake_camera` from the lake world (plus
  any scripted targets), at `--fps`; `/snap.jpg` (or `/snapshot.jpg`) and `/truth` (JSON) too;
- the onboard screen controller simulator (`screen.url`), writing PNGs and `history.jsonl`.

Then `edge run` the same config and the agent patrols, watches and warns end to end.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlsplit

from edge.closing import ClosedOnExit
from edge.config.loader import load_config
from edge.errors import ConfigError
from edge.geo import destination_point
from simulators.errors import SimulatorError
from simulators.lake.closed_loop import lake_spec_for
from simulators.lake.environment import EnvironmentSpec
from simulators.lake.server import LakeServer, ServeSpec
from simulators.lake_camera.scene import LakeScene
from simulators.lake_camera.server import LakeCameraServer
from simulators.lake_camera.world import OwnPose, Target
from simulators.sign import SignSimulator
from vessel.config import VesselConfig
from vessel.vision.camera import CameraModel

log = logging.getLogger(__name__)

_BOUNDARY = "frame"


@dataclass(frozen=True)
class ScriptedTarget:
    """A target on a straight course from `t0_s` (wall clock), for scenes a test needs."""

    target: Target  # position at t0_s; heading_deg and speed_mps give the course
    t0_s: float

    def at(self, t_s: float) -> Target:
        """Where it is at `t_s` (it waits at its start before t0_s)."""
        d = max(0.0, t_s - self.t0_s) * self.target.speed_mps
        lat, lon = destination_point(self.target.lat_deg, self.target.lon_deg,
                                     self.target.heading_deg, d)
        return replace(self.target, lat_deg=lat, lon_deg=lon)


def _host_port(url: str, what: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if parts.port is None:
        raise SimulatorError(f"{what} URL {url!r} names no port to simulate")
    return parts.hostname or "127.0.0.1", parts.port


class LakeCameraFeed(ClosedOnExit):
    """Renders the own boat's camera view of a world at `fps` into a lake camera server."""

    def __init__(self, camera: CameraModel, world: Any, *, host: str = "127.0.0.1",
                 port: int = 0, fps: float = 5.0, seed: int = 0, quality: int = 85) -> None:
        self.world = world  # () -> (OwnPose, targets, t_s)
        self.period_s = 1.0 / fps
        self.frames = 0
        self._server = LakeCameraServer(LakeScene(camera, seed), host, port, quality=quality)
        self.port = self._server.port
        self.url = f"http://{host}:{self.port}/stream.mjpg"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._render_loop, name="lake-camera-render")
        self._thread.start()

    def _render_loop(self) -> None:
        next_t = time.monotonic()
        while not self._stop.is_set():
            try:
                own, targets, t_s = self.world()
                self._server.update(own, list(targets), t_s)
                self.frames += 1
            except Exception:  # a bad world state must not kill the camera
                log.exception("lake camera: frame not rendered")
            next_t += self.period_s
            self._stop.wait(max(0.0, next_t - time.monotonic()))
            if time.monotonic() - next_t > 5 * self.period_s:
                next_t = time.monotonic()  # rendering is slower than the rate: do not burst

    def close(self) -> None:
        """Stop rendering and serving; safe twice."""
        if self._stop.is_set():
            return
        self._stop.set()
        self._thread.join()
        self._server.close()


class SimulatedVessel:
    """Lake simulator, lake camera and screen simulator on the config's ports."""

    def __init__(self, config: VesselConfig, *, seed: int = 0, boats: int = 3,
                 swimmers: int = 2, fps: float = 5.0, png_dir: Path | None = None,
                 truth_port: int | None = None, start_heading_deg: float = 90.0,
                 environment: EnvironmentSpec | None = None, speed: float = 1.0) -> None:
        self.config = config
        self.seed, self.fps, self.png_dir = seed, fps, png_dir
        self.lake_spec = lake_spec_for(config, boats=boats, swimmers=swimmers, seed=seed,
                                       start_heading_deg=start_heading_deg,
                                       environment=environment or EnvironmentSpec())
        gnss = _host_port(config.gnss.url, "gnss")
        helm = _host_port(config.helm.url, "helm")
        self.serve_spec = ServeSpec(gnss_port=gnss[1], helm_port=helm[1], truth_port=truth_port,
                                    host=gnss[0], seed=seed, speed=speed,
                                    neutral_timeout_s=config.helm.neutral_timeout_s)
        self.lake: LakeServer | None = None
        self.camera: LakeCameraFeed | None = None
        self.screen: SignSimulator | None = None
        self._scripted: list[ScriptedTarget] = []
        self._lock = threading.Lock()

    def add_target(self, scripted: ScriptedTarget) -> None:
        """Show one more target to the camera (not in the lake world's own truth stream)."""
        with self._lock:
            self._scripted.append(scripted)

    def world(self) -> tuple[OwnPose, list[Target], float]:
        """What the camera sees now: the own pose and every target (lake + scripted)."""
        assert self.lake is not None
        state = self.lake.truth()
        own = OwnPose(state.own.lat_deg, state.own.lon_deg, state.own.heading_deg)
        now = time.time()
        targets = [Target.from_dict(t.to_dict()) for t in state.targets]
        with self._lock:
            targets += [s.at(now) for s in self._scripted]
        return own, targets, state.t_s

    def start(self) -> SimulatedVessel:
        """Start every simulator (lake first: the camera renders its world)."""
        cfg = self.config
        try:
            self.lake = LakeServer(self.lake_spec, self.serve_spec).start()
            if cfg.camera is not None:
                host, port = _host_port(cfg.camera.url, "camera")
                model = CameraModel(cfg.camera.width_px, cfg.camera.height_px, cfg.camera.hfov_deg,
                                    cfg.camera.height_m, cfg.camera.pitch_deg, 0.0,
                                    cfg.camera.mount_yaw_deg)
                self.camera = LakeCameraFeed(model, self.world, host=host, port=port,
                                               fps=self.fps, seed=self.seed)
            if cfg.screen is not None and cfg.screen.url.startswith("socket://"):
                host, port = _host_port(cfg.screen.url, "screen")
                self.screen = SignSimulator(host=host, port=port, png_dir=self.png_dir,
                                            address=cfg.screen.address)
        except BaseException:
            self.stop()
            raise
        log.info("simulated vessel: GNSS %s, helm %s, camera %s, screen %s", cfg.gnss.url,
                 cfg.helm.url, self.camera.url if self.camera else None,
                 self.screen.url if self.screen else None)
        return self

    def stop(self) -> None:
        """Stop everything; safe twice."""
        for part in (self.camera, self.screen, self.lake):
            if part is not None:
                part.close()

    def __enter__(self) -> SimulatedVessel:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    """`python -m simulators.vessel_site --config config/vessel.yaml`: run until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m simulators.vessel_site",
                                     description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--config", required=True, type=Path, help="vessel config YAML")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--boats", type=int, default=3)
    parser.add_argument("--swimmers", type=int, default=2)
    parser.add_argument("--fps", type=float, default=5.0, help="camera frame rate")
    parser.add_argument("--truth-port", type=int, default=None,
                        help="TCP port of the lake's ground truth stream (off by default)")
    parser.add_argument("--png-dir", type=Path, default=None, help="screen simulator PNGs")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    if not isinstance(config, VesselConfig):
        print(f"{args.config}: not a vessel config (kind: {config.kind})", file=sys.stderr)
        return 2
    stop = threading.Event()

    def _stop(signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        site = SimulatedVessel(config, seed=args.seed, boats=args.boats, swimmers=args.swimmers,
                               fps=args.fps, png_dir=args.png_dir,
                               truth_port=args.truth_port).start()
    except SimulatorError as exc:
        print(f"simulated vessel: {exc}", file=sys.stderr)
        return 2
    try:
        stop.wait()
    finally:
        site.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
