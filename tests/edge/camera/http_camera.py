"""A tiny loopback HTTP camera for tests: MJPEG at /stream.mjpg, one JPEG at /snap.jpg."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from socketserver import ThreadingMixIn

import cv2
import numpy as np


def jpeg_of(n: int) -> bytes:
    """A 32x24 grey JPEG whose level encodes `n` (n*10 % 250)."""
    image = np.full((24, 32, 3), (n * 10) % 250, np.uint8)
    return cv2.imencode(".jpg", image)[1].tobytes()


class _Server(ThreadingMixIn, HTTPServer):
    daemon_threads = False  # server_close() joins the handlers: nothing outlives a test
    block_on_close = True
    allow_reuse_address = True


class HttpCamera:
    """Serves numbered frames every `period_s`; `stop()` is the cable pulled."""

    def __init__(self, port: int = 0, period_s: float = 0.02, with_length: bool = True) -> None:
        self.period_s = period_s
        self.with_length = with_length
        self.counter = 0
        self.stopping = threading.Event()
        camera = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                if self.path == "/snap.jpg":
                    camera.counter += 1
                    body = jpeg_of(camera.counter)
                    self.send_response(200)
                    self.send_header("Content-Type", "image/jpeg")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                if self.path != "/stream.mjpg":
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
                self.end_headers()
                try:
                    while not camera.stopping.wait(camera.period_s):
                        camera.counter += 1
                        body = jpeg_of(camera.counter)
                        head = b"--frame\r\nContent-Type: image/jpeg\r\n"
                        if camera.with_length:
                            head += b"Content-Length: %d\r\n" % len(body)
                        self.wfile.write(head + b"\r\n" + body + b"\r\n")
                except OSError:
                    pass

        self.server = _Server(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}
        )
        self._thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()
        self._thread.join()
