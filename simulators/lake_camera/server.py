"""HTTP MJPEG server for the lake camera: loopback, stdlib only.

GET /stream.mjpg (multipart JPEG), GET /snapshot.jpg, GET /truth (JSON of the latest frame);
POST /world with {"t_s", "own": {...OwnPose}, "targets": [{...Target}]} renders a new frame
(the lake simulator feeds it), or call `update()` in-process.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import cv2

from edge.camera.mjpeg import encode_part, stream_content_type
from simulators.errors import SimulatorError
from simulators.lake_camera.scene import LakeScene
from simulators.lake_camera.world import FrameTruth, OwnPose, Target

_BOUNDARY = "lakecamframe"


class LakeCameraServer:
    """Serves the latest rendered frame; `update` renders the next one."""

    def __init__(self, scene: LakeScene, host: str = "127.0.0.1", port: int = 0,
                 quality: int = 90) -> None:
        self.scene = scene
        self.quality = quality
        self._cond = threading.Condition()
        self._jpeg: bytes | None = None
        self._truth: FrameTruth | None = None
        self._seq = 0
        self._closed = False
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                if self.path in ("/snapshot.jpg", "/snap.jpg"):  # both names are in use
                    jpeg, _, _ = server._latest(0, 2.0)
                    if jpeg is None:
                        self.send_error(503, "no frame yet")
                        return
                    self._send(200, "image/jpeg", jpeg)
                elif self.path == "/truth":
                    truth = server._truth
                    body = json.dumps(truth.to_dict() if truth else None).encode()
                    self._send(200, "application/json", body)
                elif self.path == "/stream.mjpg":
                    self._stream()
                else:
                    self.send_error(404)

            def do_POST(self) -> None:
                if self.path != "/world":
                    self.send_error(404)
                    return
                try:
                    length = int(self.headers.get("Content-Length", "0"))
                    data = json.loads(self.rfile.read(min(length, 1_000_000)))
                    own = OwnPose(**data["own"])
                    targets = [Target.from_dict(t) for t in data.get("targets", [])]
                    t_s = float(data["t_s"])
                except (ValueError, KeyError, TypeError) as exc:
                    self.send_error(400, f"bad world state: {exc}")
                    return
                server.update(own, targets, t_s)
                self._send(204, "text/plain", b"")

            def _send(self, code: int, ctype: str, body: bytes) -> None:
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _stream(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", stream_content_type(_BOUNDARY))
                self.end_headers()
                seq = 0
                try:
                    while True:
                        jpeg, seq, closed = server._latest(seq, 1.0)
                        if closed:
                            return
                        if jpeg is None:
                            continue
                        self.wfile.write(encode_part(jpeg, _BOUNDARY))
                except (BrokenPipeError, ConnectionResetError):
                    return

        try:
            self._httpd = ThreadingHTTPServer((host, port), Handler)
        except OSError as exc:
            raise SimulatorError(f"lake camera: cannot listen on {host}:{port}: {exc}") from exc
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="lake-camera-http")
        self._thread.start()

    @property
    def port(self) -> int:
        """The TCP port actually bound."""
        return int(self._httpd.server_address[1])

    def update(self, own: OwnPose, targets: list[Target], t_s: float) -> FrameTruth:
        """Render the world at `t_s` and publish it to every client."""
        frame, truth = self.scene.render(own, targets, t_s)
        ok, buf = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, self.quality])
        if not ok:
            raise SimulatorError("lake camera: JPEG encoding failed")
        with self._cond:
            self._jpeg, self._truth = buf.tobytes(), truth
            self._seq += 1
            self._cond.notify_all()
        return truth

    def _latest(self, after_seq: int, timeout_s: float) -> tuple[bytes | None, int, bool]:
        """The newest frame past `after_seq` (waiting up to timeout_s), its seq, closed flag."""
        with self._cond:
            self._cond.wait_for(lambda: self._seq > after_seq or self._closed, timeout_s)
            if self._seq > after_seq:
                return self._jpeg, self._seq, self._closed
            return None, after_seq, self._closed

    def close(self) -> None:
        """Stop serving; safe to call twice."""
        with self._cond:
            if self._closed:
                return
            self._closed = True
            self._cond.notify_all()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def __enter__(self) -> LakeCameraServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
