"""A whole simulated WIM site from a site config: `python -m simulators.wim_site --config X`.

Starts, on the ports the config names:
- the traffic DAQ server (`daq.url`, `socket://host:port`), serving exactly the config's
  channel table (zero counts and gains included), so the agent's loads come out right;
- one road camera per `cameras[]` entry (`http://host:port/...`), showing each vehicle of
  its lane as it approaches and crosses the sensors (the same seeded traffic as the DAQ);
- the sign controller simulator (`sign.url`), writing PNGs and `history.jsonl`.

Then `edge run` the same config and the agent weighs simulated traffic end to end.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from urllib.parse import urlsplit

from edge.config.loader import load_config
from edge.errors import ConfigError
from simulators.errors import SimulatorError
from simulators.road_camera.scene import SceneOptions
from simulators.road_camera.server import CameraServer, Frame, RoadCamera
from simulators.sign import SignSimulator
from simulators.traffic.layout import LAYOUTS, Layout, SensorRow
from simulators.traffic.server import TrafficDaqServer, VehicleEvent
from simulators.traffic.world import TrafficParams
from simulators.traffic.world import traffic as vehicle_stream
from wim_station.config import WimSiteConfig
from wim_station.daq import ChannelInfo

log = logging.getLogger(__name__)

# A vehicle comes into the cameras' view this long (traffic time) before its first axle
# reaches the sensors, and stays this long after its last axle has left them.
CAMERA_LEAD_S = 0.5
SHOW_AFTER_S = 0.5
# Vehicles are handed to a camera's renderer this long (wall clock) before they are due.
PRERENDER_S = 3.0
_CAMERA_CLASS = {"car": "car", "light_truck": "truck", "truck": "truck"}


@dataclasses.dataclass(frozen=True, slots=True)
class ConfigLayout(Layout):
    """A simulator layout whose channel table is the site config's own."""

    table: tuple[ChannelInfo, ...] = ()

    def channels(self) -> list[ChannelInfo]:
        return list(self.table)


@dataclasses.dataclass(frozen=True, slots=True)
class _Scene:
    show_at_s: float
    until_s: float
    frame: Frame


class ScheduledRoadCamera(RoadCamera):
    """A road camera showing each vehicle exactly when it is due, whatever rendering costs.

    `RoadCamera.frame()` renders a changed scene on the spot (a few hundred ms at 720p, up
    to a second on a busy machine), stalling its stream and showing the vehicle late, which
    no real camera does. Here vehicles are scheduled ahead of time; a thread renders them
    (on a second `RoadCamera`, through its public API) and `frame()` serves the scene due
    now, stamped now, without ever waiting.
    """

    def __init__(self, options: SceneOptions, lanes: int, seed: int) -> None:
        super().__init__(options, lanes=lanes, seed=seed)
        self._renderer = RoadCamera(options, lanes=lanes, seed=seed)
        self._idle = self._renderer.frame()
        self._todo: queue.Queue[tuple[str, str, str, int, float, float]] = queue.Queue()
        self._scenes: list[_Scene] = []
        self._scenes_lock = threading.Lock()
        self._render_stop = threading.Event()
        self._render_thread = threading.Thread(target=self._render_loop,
                                               name="road-camera-render", daemon=True)
        self._render_thread.start()
        self.late_renders = 0

    def schedule(self, plate_text: str, plate_color: str, vehicle_class: str, lane: int,
                 show_at_s: float, until_s: float) -> None:
        """Show this vehicle from `show_at_s` to `until_s` (host clock); call well ahead."""
        self._todo.put((plate_text, plate_color, vehicle_class, lane, show_at_s, until_s))

    def frame(self) -> Frame:
        now = time.time()
        with self._scenes_lock:
            self._scenes = [s for s in self._scenes if s.until_s > now]
            due = [s for s in self._scenes if s.show_at_s <= now]
        shown = due[-1].frame if due else self._idle
        return Frame(shown.jpeg, int(now * 1e6), shown.truths)

    def close(self) -> None:
        """Stop the render thread; safe twice."""
        self._render_stop.set()
        if self._render_thread.is_alive():
            self._render_thread.join()

    def _render_loop(self) -> None:
        while not self._render_stop.is_set():
            try:
                plate, color, vclass, lane, show_at, until = self._todo.get(timeout=0.1)
            except queue.Empty:
                continue
            self._renderer.show_vehicle(plate, color, vclass, lane, time.time() + 3600)
            scene = _Scene(show_at, until, self._renderer.frame())
            self.late_renders += time.time() > show_at
            with self._scenes_lock:
                self._scenes.append(scene)
                self._scenes.sort(key=lambda s: s.show_at_s)


def layout_from_config(config: WimSiteConfig) -> ConfigLayout:
    """The sensor rows of lane 1 (every lane must be the same), with the config's channels."""
    lanes = sorted(lane.lane for lane in config.lanes)
    if lanes != list(range(1, len(lanes) + 1)):
        raise SimulatorError(f"the simulator needs lanes numbered 1..n, got {lanes}")
    rows: dict[int, SensorRow] = {}
    for ch in config.channels:
        row = SensorRow(ch.row, ch.position_m, ch.type, ch.length_m)
        if rows.setdefault(ch.row, row) != row:
            raise SimulatorError(f"row {ch.row} differs between channels; the simulator "
                                 "repeats one row layout in every lane")
    table = tuple(
        ChannelInfo(index=c.index, lane=c.lane, row=c.row, position_m=c.position_m, side=c.side,
                    type=c.type, length_m=c.length_m, zero_counts=c.zero_counts,
                    gain_n_per_count=c.gain_n_per_count)
        for c in sorted(config.channels, key=lambda c: c.index))
    if [c.index for c in table] != list(range(len(table))):
        raise SimulatorError("channel indexes must be 0..n-1 for the simulator")
    ordered = tuple(rows[r] for r in sorted(rows))
    name = next((n for n, r in LAYOUTS.items() if r == ordered), "custom")
    return ConfigLayout(name, ordered, len(lanes), table=table)


def _host_port(url: str, what: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if not parts.hostname or parts.port is None:
        raise SimulatorError(f"{what} URL {url!r} names no host:port to serve on")
    return parts.hostname, parts.port


class SimulatedSite:
    """Traffic DAQ + road cameras + sign simulator for one site config.

    `use_config_ports=False` binds free ports instead (tests); `ports()` tells which, and
    `site_urls()` gives the URLs to put in the agent's config. `speed` > 1 runs the traffic
    faster than real time (cameras follow: a vehicle stays in view for its scaled time).
    """

    def __init__(self, config: WimSiteConfig, *, seed: int = 1, road: str = "smooth",
                 traffic: TrafficParams | None = None, speed: float = 1.0,
                 png_dir: Path | None = None, scene: SceneOptions | None = None,
                 camera_fps: float = 10.0, use_config_ports: bool = True) -> None:
        self.config = config
        self.speed = speed
        self.events: list[VehicleEvent] = []
        self._callbacks: list[Callable[[VehicleEvent], None]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._camera_driver = threading.Thread(target=self._drive_cameras,
                                               name="wim-site-cameras", daemon=True)
        self.layout = layout = layout_from_config(config)
        host, port = _host_port(config.daq.url, "daq") if use_config_ports else ("127.0.0.1", 0)
        self.traffic = TrafficDaqServer(host, port, layout="two-strips", lanes=layout.lanes,
                                        road=road, seed=seed, traffic_params=traffic,
                                        speed=speed)
        self.traffic.layout = layout  # serve the config's channel table, not a preset's
        self.traffic.params = dataclasses.replace(
            self.traffic.params, site_length_m=layout.last_position_m + 0.5)
        self.cameras: dict[str, tuple[int, ScheduledRoadCamera, CameraServer]] = {}
        self.sign: SignSimulator | None = None
        try:
            for cam in config.cameras:
                cam_port = _host_port(cam.url, f"camera {cam.id}")[1] if use_config_ports else 0
                road_camera = ScheduledRoadCamera(scene or SceneOptions(1280, 720),
                                                  layout.lanes, seed * 1000 + cam.lane)
                self.cameras[cam.id] = (cam.lane, road_camera,
                                        CameraServer(road_camera, cam_port, fps=camera_fps))
            if config.sign is not None:
                sign_host, sign_port = (_host_port(config.sign.url, "sign") if use_config_ports
                                        else ("127.0.0.1", 0))
                self.sign = SignSimulator(host=sign_host, port=sign_port, png_dir=png_dir,
                                          address=config.sign.address)
        except BaseException:
            self.stop()
            raise
        self.traffic.on_vehicle(self._on_vehicle)

    def start(self) -> SimulatedSite:
        self.traffic.start()
        self._camera_driver.start()
        return self

    def stop(self) -> None:
        """Stop every simulator; safe twice."""
        self._stop.set()
        if self._camera_driver.is_alive():
            self._camera_driver.join()
        self.traffic.stop()
        for cam_id in list(self.cameras):
            self.unplug_camera(cam_id)
        if self.sign is not None:
            self.sign.close()

    def __enter__(self) -> SimulatedSite:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def on_vehicle(self, callback: Callable[[VehicleEvent], None]) -> None:
        """Also call `callback(event)` for every vehicle reaching the sensors."""
        with self._lock:
            self._callbacks.append(callback)

    def unplug_camera(self, camera_id: str) -> None:
        """Take a camera off the network (its server stops; the agent sees it die)."""
        entry = self.cameras.pop(camera_id, None)
        if entry is not None:
            entry[2].close()
            entry[1].close()

    def ports(self) -> dict[str, int]:
        """The TCP port of each simulator: `daq`, `sign` and each camera id."""
        out = {"daq": self.traffic.address[1]}
        if self.sign is not None:
            out["sign"] = self.sign.port
        out.update({cid: server.port for cid, (_, _, server) in self.cameras.items()})
        return out

    def site_urls(self) -> dict[str, str]:
        """URLs for the agent's config: `daq`, `sign` and each camera id."""
        out = {"daq": self.traffic.url}
        if self.sign is not None:
            out["sign"] = self.sign.url
        out.update({cid: f"http://127.0.0.1:{server.port}/stream.mjpg"
                    for cid, (_, _, server) in self.cameras.items()})
        return out

    def _on_vehicle(self, event: VehicleEvent) -> None:
        with self._lock:
            self.events.append(event)
            callbacks = list(self._callbacks)
        for callback in callbacks:
            callback(event)

    def _drive_cameras(self) -> None:
        """Schedule each vehicle on its lane's cameras as it approaches and crosses the sensors.

        The traffic is deterministic (same parameters and seed as the DAQ server), so the
        cameras know each vehicle ahead: it comes into view `CAMERA_LEAD_S` before its first
        axle (a camera aimed at the sensors sees the truck approaching) and leaves
        `SHOW_AFTER_S` after its last axle; it is handed to the renderer `PRERENDER_S` of
        wall-clock time before that.
        """
        while not self._stop.is_set() and not self.traffic.start_us:
            self._stop.wait(0.01)
        start_s = self.traffic.start_us / 1e6
        for vehicle in vehicle_stream(self.traffic.params, self.traffic.seed):
            show_at = start_s + (vehicle.t_first_s - CAMERA_LEAD_S) / self.speed
            if self._stop.wait(max(0.0, show_at - PRERENDER_S - time.time())):
                return
            last_axle_s = vehicle.t_first_s + vehicle.crossing_tau(len(vehicle.axles) - 1,
                                                                   self.layout.last_position_m)
            until = start_s + (last_axle_s + SHOW_AFTER_S) / self.speed
            for lane, road_camera, _server in list(self.cameras.values()):
                if lane == vehicle.lane:
                    road_camera.schedule(vehicle.plate, vehicle.plate_color,
                                         _CAMERA_CLASS.get(vehicle.kind, "truck"),
                                         vehicle.lane, show_at, until)


def main(argv: list[str] | None = None) -> int:
    """Serve a simulated site for a config until SIGINT/SIGTERM."""
    parser = argparse.ArgumentParser(prog="python -m simulators.wim_site", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path, required=True, help="the site YAML (kind: wim)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--road", default="smooth", choices=["smooth", "medium", "rough"])
    parser.add_argument("--speed", type=float, default=1.0,
                        help="traffic time per wall-clock second (1 = real time)")
    parser.add_argument("--mean-gap-s", type=float, default=None,
                        help="mean time gap between vehicles in a lane (denser traffic)")
    parser.add_argument("--png-dir", type=Path, default=Path("var/sign"),
                        help="where the sign simulator writes PNGs and history.jsonl")
    parser.add_argument("--vehicles-json", action="store_true",
                        help="print one JSON line per vehicle reaching the sensors")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print("\n".join(exc.lines), file=sys.stderr)
        return 2
    if not isinstance(config, WimSiteConfig):
        print(f"{args.config}: kind {config.kind!r} is not a WIM site", file=sys.stderr)
        return 2
    traffic = TrafficParams()
    if args.mean_gap_s is not None:
        traffic = dataclasses.replace(traffic, mean_gap_s=args.mean_gap_s)
    try:
        site = SimulatedSite(config, seed=args.seed, road=args.road, traffic=traffic,
                             speed=args.speed, png_dir=args.png_dir)
    except SimulatorError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    if args.vehicles_json:
        site.on_vehicle(lambda e: print(json.dumps(dataclasses.asdict(e), ensure_ascii=False),
                                        flush=True))
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    with site:
        print(f"simulated site {config.device.id}: " + ", ".join(
            f"{k} {v}" for k, v in site.site_urls().items()), file=sys.stderr, flush=True)
        # Poll: a signal delivered to another thread wakes no one blocked without a timeout.
        while not stop.wait(0.2):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
