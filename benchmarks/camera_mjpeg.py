"""MJPEG camera throughput and cost: own reader (JPEG kept) vs OpenCV FFmpeg (decoded).

Serves a 1920x1080 JPEG over loopback HTTP as fast as the client takes it for a few
seconds and prints, per reader: frames/s received and this process's CPU ms per frame
(the grab thread's cost, which is what a 2-core site box pays per camera), plus the cost of
decoding one frame on demand and of a ring `closest()` lookup.

    .venv/bin/python benchmarks/camera_mjpeg.py [--seconds 5] [--fps 25]
"""

from __future__ import annotations

import argparse
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from socketserver import ThreadingMixIn

import cv2
import numpy as np

from edge.camera import FrameRing, TimedFrame, open_frame_source


class _Server(ThreadingMixIn, HTTPServer):
    daemon_threads = False
    block_on_close = True


def serve(jpeg: bytes, fps: float, stop: threading.Event) -> _Server:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
            self.end_headers()
            head = b"--frame\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n" % len(jpeg)
            try:
                while not stop.wait(1.0 / fps):
                    self.wfile.write(head + jpeg + b"\r\n")
            except OSError:
                pass

    server = _Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--fps", type=float, default=25.0)
    args = parser.parse_args()
    rng = np.random.default_rng(1)
    image = cv2.GaussianBlur(rng.integers(0, 255, (1080, 1920, 3), dtype=np.uint8), (9, 9), 3)
    jpeg = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 85])[1].tobytes()
    print(f"frame: 1920x1080 JPEG {len(jpeg) / 1024:.0f} KiB, served at {args.fps} fps")
    for prefix in ("", "ffmpeg+"):
        stop = threading.Event()
        server = serve(jpeg, args.fps, stop)
        url = f"{prefix}http://127.0.0.1:{server.server_address[1]}/stream.mjpg"
        source = open_frame_source(url, buffer_s=10.0)
        time.sleep(1.0)  # connect and warm up
        frames0, cpu0, t0 = source.health().frames, time.process_time(), time.monotonic()
        time.sleep(args.seconds)
        frames = source.health().frames - frames0
        cpu_ms = (time.process_time() - cpu0) * 1000
        wall = time.monotonic() - t0
        latest = source.latest()
        source.close()
        stop.set()
        server.shutdown()
        server.server_close()
        label = "own MJPEG reader (JPEG kept)" if not prefix else "OpenCV FFmpeg (decoded)"
        per_frame_ms = cpu_ms / max(frames, 1)
        print(
            f"{label:32s} {frames / wall:6.1f} frames/s  {per_frame_ms:6.2f} ms CPU/frame (+server)"
        )
        if latest is not None and not prefix:
            t = time.perf_counter()
            for _ in range(20):
                cv2.imdecode(np.frombuffer(latest.jpeg(), np.uint8), cv2.IMREAD_COLOR)
            decode_ms = (time.perf_counter() - t) / 20 * 1000
            print(f"{'decode one frame on demand':32s} {decode_ms:6.2f} ms")
    ring = FrameRing(max_age_s=10.0)
    for i in range(250):
        ring.push(TimedFrame(i / 25, i, jpeg))
    t = time.perf_counter()
    for i in range(1000):
        ring.closest(i % 250 / 25 + 0.013)
    print(
        f"{'ring closest() over 250 frames':32s} {(time.perf_counter() - t) / 1000 * 1e6:6.1f} µs"
    )


if __name__ == "__main__":
    main()
