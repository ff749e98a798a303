"""Loopback servers that play recorded streams back on one shared, paced timeline."""

from __future__ import annotations

import contextlib
import logging
import selectors
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from edge.camera.mjpeg import encode_part, stream_content_type
from edge.recorder.streams import TimedChunk

log = logging.getLogger(__name__)

_BOUNDARY = "frame"


class ReplayClock:
    """Recorded host time `t0_s` plays at the wall-clock instant `start()` is called."""

    def __init__(self, t0_s: float, speed: float = 1.0) -> None:
        self.t0_s = t0_s
        self.speed = speed
        self.stopped = threading.Event()
        self._started = threading.Event()
        self._wall0 = 0.0

    def start(self) -> None:
        self._wall0 = time.time()
        self._started.set()

    def stop(self) -> None:
        self.stopped.set()
        self._started.set()

    def wait_until(self, t_rec_s: float) -> bool:
        """Sleep until the recorded instant plays; False once stopped."""
        self._started.wait()
        while not self.stopped.is_set():
            delay = self._wall0 + (t_rec_s - self.t0_s) / self.speed - time.time()
            if delay <= 0:
                return True
            self.stopped.wait(min(delay, 0.2))
        return False


class _Server:
    """A listener on 127.0.0.1 (`port` 0 picks a free one) with one worker thread."""

    def __init__(self, name: str, port: int) -> None:
        self.name = name
        self.listener = socket.create_server(("127.0.0.1", port))
        self.port: int = self.listener.getsockname()[1]
        self.clients: list[socket.socket] = []
        self.ever_connected = threading.Event()
        self.done = threading.Event()
        self._lock = threading.Lock()
        self._sel = selectors.DefaultSelector()
        self._sel.register(self.listener, selectors.EVENT_READ, None)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"replay {name}")

    def start(self) -> None:
        self._thread.start()

    def _poll(self, timeout_s: float) -> None:
        """Accept newcomers; read and discard what clients send; drop the ones that left."""
        for key, _ in self._sel.select(timeout_s):
            if key.fileobj is self.listener:
                conn, _ = self.listener.accept()
                conn.settimeout(2.0)
                self._sel.register(conn, selectors.EVENT_READ, None)
                with self._lock:
                    self.clients.append(conn)
                self.ever_connected.set()
            else:
                conn = key.fileobj  # type: ignore[assignment]
                try:
                    data = conn.recv(65536)
                except OSError:
                    data = b""
                if not data:
                    self._drop(conn)

    def _drop(self, conn: socket.socket) -> None:
        with self._lock:
            if conn in self.clients:
                self.clients.remove(conn)
                self._sel.unregister(conn)
                conn.close()

    def send(self, data: bytes) -> None:
        with self._lock:
            clients = list(self.clients)
        for conn in clients:
            try:
                conn.sendall(data)
            except OSError:
                self._drop(conn)

    def close(self) -> None:
        """Stop and close every socket; safe twice."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        with self._lock:
            for conn in self.clients:
                conn.close()
            self.clients.clear()
        self._sel.close()
        self.listener.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._poll(0.1)


class PacedByteServer(_Server):
    """Serves timed chunks (NMEA lines, DAQ bytes) to every client at their recorded times."""

    def __init__(self, name: str, chunks: list[TimedChunk], clock: ReplayClock,
                 port: int = 0) -> None:
        super().__init__(name, port)
        self.chunks = chunks
        self.clock = clock
        self.sent = 0

    def _run(self) -> None:
        feeder = threading.Thread(target=self._feed, name=f"replay {self.name} feed")
        feeder.start()
        try:
            super()._run()
        finally:
            feeder.join()  # the owner stops the clock first: the feeder never waits long

    def _feed(self) -> None:
        for t_s, data in self.chunks:
            if self._stop.is_set() or not self.clock.wait_until(t_s):
                break
            self.send(data)
            self.sent += 1
        self.done.set()


class SinkServer(_Server):
    """Accepts connections and discards what arrives (a helm during a replay)."""


class MjpegReplayServer:
    """Serves recorded JPEG files as `multipart/x-mixed-replace` at their recorded times."""

    def __init__(self, name: str, frames: list[tuple[float, Path]], clock: ReplayClock,
                 port: int = 0) -> None:
        self.name = name
        self.frames = frames
        self.clock = clock
        self.sent = 0
        self.ever_connected = threading.Event()
        self.done = threading.Event()
        self._cond = threading.Condition()
        self._jpeg: bytes | None = None
        self._seq = 0
        self._stop = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                if urlsplit(self.path).path.endswith((".jpg", ".jpeg")):
                    seq, jpeg = server.wait_frame(-1, 5.0)
                    if jpeg is None:
                        self.send_error(503, "no frame yet")
                        return
                    self.send_response(200)
                    self.send_header("Content-Type", "image/jpeg")
                    self.send_header("Content-Length", str(len(jpeg)))
                    self.end_headers()
                    self.wfile.write(jpeg)
                    return
                server.ever_connected.set()
                self.send_response(200)
                self.send_header("Content-Type", stream_content_type(_BOUNDARY))
                self.end_headers()
                seq = -1
                with contextlib.suppress(OSError):
                    while not server._stop.is_set():
                        seq, jpeg = server.wait_frame(seq, 0.5)
                        if jpeg is not None:
                            self.wfile.write(encode_part(jpeg, _BOUNDARY))

        class Server(ThreadingHTTPServer):
            daemon_threads = False
            block_on_close = True
            allow_reuse_address = True

        self._http = Server(("127.0.0.1", port), Handler)
        self.port: int = self._http.server_address[1]
        self._threads = [
            threading.Thread(target=self._http.serve_forever, kwargs={"poll_interval": 0.1},
                             name=f"replay {name} http"),
            threading.Thread(target=self._feed, name=f"replay {name} feed"),
        ]

    def start(self) -> None:
        for t in self._threads:
            t.start()

    def wait_frame(self, after_seq: int, timeout_s: float) -> tuple[int, bytes | None]:
        with self._cond:
            self._cond.wait_for(lambda: self._seq > after_seq or self._stop.is_set(), timeout_s)
            if self._seq > after_seq and self._jpeg is not None:
                return self._seq, self._jpeg
            return after_seq, None

    def _feed(self) -> None:
        for t_s, path in self.frames:
            if self._stop.is_set() or not self.clock.wait_until(t_s):
                break
            try:
                jpeg = path.read_bytes()
            except OSError as exc:
                log.warning("replay %s: %s", self.name, exc)
                continue
            with self._cond:
                self._jpeg = jpeg
                self._seq += 1
                self._cond.notify_all()
            self.sent += 1
        self.done.set()

    def close(self) -> None:
        """Stop serving; safe twice."""
        if self._stop.is_set():
            return
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        if self._threads[0].is_alive():
            self._http.shutdown()
        for t in self._threads:
            if t.is_alive():
                t.join()
        self._http.server_close()
