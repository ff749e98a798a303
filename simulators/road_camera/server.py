"""An enforcement camera on loopback: HTTP MJPEG stream, snapshots and the ground truth.

Endpoints: `/stream.mjpg` (multipart/x-mixed-replace), `/snapshot.jpg`, `/truth` (JSON).
Every frame carries `X-Timestamp-Us` (µs since epoch on the camera clock). The traffic
simulator drives the scene through `RoadCamera.show_vehicle`; an idle road is shown otherwise.
"""

from __future__ import annotations

import json
import random
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from edge.camera.mjpeg import encode_part, stream_content_type
from edge.closing import ClosedOnExit
from simulators.errors import SimulatorError
from simulators.road_camera.plates import COLORS, PlateSpec
from simulators.road_camera.scene import (
    VEHICLE_CLASSES,
    PlateTruth,
    SceneOptions,
    encode_jpeg,
    render_scene,
)

_BOUNDARY = "roadcameraframe"


@dataclass(frozen=True)
class Frame:
    """One served frame: JPEG bytes, camera-clock timestamp and the plates in view."""

    jpeg: bytes
    timestamp_us: int
    truths: tuple[PlateTruth, ...]


@dataclass(frozen=True)
class _Shown:
    plate: PlateSpec
    vehicle_class: str
    lane: int
    until_s: float
    seed: int


class RoadCamera:
    """The scene in front of one camera; thread-safe. Frames are rendered once per scene change."""

    def __init__(self, options: SceneOptions | None = None, lanes: int = 2,
                 clock: Callable[[], float] = time.time, seed: int = 0) -> None:
        self.options = options or SceneOptions(1280, 720)
        self.lanes = lanes
        self._clock = clock
        self._seed = seed
        self._lock = threading.Lock()
        self._shown: _Shown | None = None
        self._shows = 0
        self._cache: tuple[_Shown | None, bytes, tuple[PlateTruth, ...]] | None = None

    def show_vehicle(self, plate_text: str, plate_color: str, vehicle_class: str = "truck",
                     lane: int = 1, until_s: float | None = None) -> None:
        """Put a vehicle with this plate in view until `until_s` (camera clock, s since epoch)."""
        if plate_color not in COLORS:
            raise SimulatorError(f"plate_color {plate_color!r} is not one of {COLORS}")
        if vehicle_class not in VEHICLE_CLASSES:
            raise SimulatorError(f"vehicle_class {vehicle_class!r} not in {VEHICLE_CLASSES}")
        if not 1 <= lane <= self.lanes:
            raise SimulatorError(f"lane {lane} outside 1..{self.lanes}")
        if len(plate_text) not in (7, 8):
            raise SimulatorError(f"plate_text {plate_text!r} must have 7 or 8 characters")
        double = plate_color == "yellow" and vehicle_class != "car" and zlib.crc32(
            plate_text.encode()) % 2 == 0  # trucks' rear plates: half the yellow ones
        with self._lock:
            self._shows += 1
            self._shown = _Shown(PlateSpec(plate_text, plate_color, double), vehicle_class, lane,
                                 until_s if until_s is not None else self._clock() + 2.0,
                                 zlib.crc32(plate_text.encode()) ^ self._shows ^ self._seed)

    def clear(self) -> None:
        """Back to the idle road."""
        with self._lock:
            self._shown = None

    def frame(self) -> Frame:
        """The current frame (rendered on the first request after a scene change)."""
        now = self._clock()
        with self._lock:
            if self._shown is not None and now >= self._shown.until_s:
                self._shown = None
            shown = self._shown
            if self._cache is None or self._cache[0] != shown:
                self._cache = (shown, *self._render(shown))
            _, jpeg, truths = self._cache
        return Frame(jpeg, int(now * 1e6), truths)

    def _render(self, shown: _Shown | None) -> tuple[bytes, tuple[PlateTruth, ...]]:
        if shown is None:
            img, truths = render_scene(random.Random(self._seed), None, self.options)
        else:
            img, truths = render_scene(random.Random(shown.seed), shown.plate, self.options,
                                       shown.vehicle_class, (shown.lane - 0.5) / self.lanes)
        return encode_jpeg(img, self.options.jpeg_quality), tuple(truths)


class CameraServer(ClosedOnExit):
    """Serves a `RoadCamera` over HTTP on loopback; `close()` stops streams and joins threads."""

    def __init__(self, camera: RoadCamera, port: int = 0, host: str = "127.0.0.1",
                 fps: float = 10.0) -> None:
        self.camera = camera
        self._stop = threading.Event()
        handler = _handler_class(camera, self._stop, 1.0 / fps)
        self._httpd = ThreadingHTTPServer((host, port), handler)
        self._httpd.daemon_threads = False
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={
            "poll_interval": 0.1}, name="road-camera-http", daemon=True)
        self._thread.start()
        self._closed = False

    @property
    def port(self) -> int:
        """The TCP port actually bound."""
        return int(self._httpd.server_address[1])

    def close(self) -> None:
        """Stop serving; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        self._stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()  # joins the request threads
        self._thread.join()



def _handler_class(camera: RoadCamera, stop: threading.Event,
                   period_s: float) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def log_message(self, format: str, *args: object) -> None:
            pass  # one line per frame would drown the logs

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            try:
                if path == "/snapshot.jpg":
                    self._snapshot()
                elif path == "/stream.mjpg":
                    self._stream()
                elif path == "/truth":
                    self._truth()
                else:
                    self.send_error(404, "try /stream.mjpg, /snapshot.jpg or /truth")
            except (BrokenPipeError, ConnectionResetError):
                pass  # the viewer went away

        def _snapshot(self) -> None:
            frame = camera.frame()
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(len(frame.jpeg)))
            self.send_header("X-Timestamp-Us", str(frame.timestamp_us))
            self.end_headers()
            self.wfile.write(frame.jpeg)

        def _truth(self) -> None:
            frame = camera.frame()
            body = json.dumps({"timestamp_us": frame.timestamp_us,
                               "plates": [t.to_json() for t in frame.truths]},
                              ensure_ascii=False).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _stream(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", stream_content_type(_BOUNDARY))
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            while not stop.is_set():
                frame = camera.frame()
                self.wfile.write(encode_part(frame.jpeg, _BOUNDARY, frame.timestamp_us))
                self.wfile.flush()
                stop.wait(period_s)

    return Handler
