"""The lake in real time: GNSS out and helm in over TCP (or GNSS over a pseudo-terminal), truth out.

One thread does everything with a selector: it steps the world every `dt_s` of simulated
time (wall time × `speed`), writes each GNSS epoch to every connected GNSS client, reads
helm commands from any helm client into the simulated motor controller (neutral when they
stop), answers each with a status line, and sends the ground truth (one JSON object per
line) to truth clients. A client that stalls is dropped, never waited for.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import selectors
import socket
import threading
import time
from dataclasses import dataclass, field

from simulators.errors import SimulatorError
from simulators.lake.gnss_feed import GnssEmulator, GnssFaults, GnssNoise
from simulators.lake.helm_port import MotorController
from simulators.lake.world import LakeSpec, LakeWorld, WorldState

log = logging.getLogger(__name__)

_MAX_PENDING_BYTES = 64 * 1024  # a client further behind than this is dropped


@dataclass(frozen=True)
class ServeSpec:
    """Ports (0 = any free port, None = off), rates and faults of a live lake."""

    gnss_port: int | None = 7101
    helm_port: int | None = 7102
    truth_port: int | None = 7103
    gnss_pty: bool = False
    host: str = "127.0.0.1"
    gnss_rate_hz: float = 5.0
    truth_rate_hz: float = 5.0
    neutral_timeout_s: float = 1.0
    dt_s: float = 0.05
    speed: float = 1.0  # simulated seconds per wall second
    seed: int = 0
    faults: GnssFaults = field(default_factory=GnssFaults)
    noise: GnssNoise = field(default_factory=GnssNoise)


class LakeServer:
    """`start()` binds and runs the world thread; `close()` stops it (safe twice)."""

    def __init__(self, lake: LakeSpec, spec: ServeSpec) -> None:
        self.spec = spec
        self.world = LakeWorld(lake)
        self.emulator = GnssEmulator(self.world.frame, lake.start_utc, spec.seed + 1,
                                     spec.noise, spec.faults)
        self.controller = MotorController(spec.neutral_timeout_s)
        self._sel = selectors.DefaultSelector()
        self._listeners: dict[str, socket.socket] = {}
        self._clients: dict[socket.socket, tuple[str, bytearray]] = {}
        self._pty: tuple[int, int] | None = None
        self.pty_path: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._closed = False

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> LakeServer:
        """Bind the ports (and open the pty), then start simulating."""
        s = self.spec
        try:
            for role, port in (("gnss", s.gnss_port), ("helm", s.helm_port),
                               ("truth", s.truth_port)):
                if port is not None:
                    self._listen(role, port)
            if s.gnss_pty:
                master, slave = os.openpty()
                os.set_blocking(master, False)
                self._pty = (master, slave)
                self.pty_path = os.ttyname(slave)
        except OSError as exc:
            self.close()
            raise SimulatorError(f"lake simulator cannot open its ports: {exc}") from exc
        self._thread = threading.Thread(target=self._run, name="lake-sim", daemon=True)
        self._thread.start()
        return self

    def _listen(self, role: str, port: int) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.spec.host, port))
        sock.listen(4)
        sock.setblocking(False)
        self._listeners[role] = sock
        self._sel.register(sock, selectors.EVENT_READ, ("accept", role))

    @property
    def roles(self) -> list[str]:
        """The TCP roles being served."""
        return list(self._listeners)

    def port(self, role: str) -> int:
        """The bound port of `gnss`, `helm` or `truth`."""
        return int(self._listeners[role].getsockname()[1])

    def close(self) -> None:
        """Stop the world thread, close every socket and the pty; safe twice."""
        if self._closed:
            return
        self._closed = True
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        for sock in [*self._clients, *self._listeners.values()]:
            with contextlib.suppress(KeyError, ValueError):
                self._sel.unregister(sock)
            sock.close()
        self._clients.clear()
        self._listeners.clear()
        self._sel.close()
        if self._pty is not None:
            for fd in self._pty:
                with contextlib.suppress(OSError):
                    os.close(fd)
            self._pty = None

    def __enter__(self) -> LakeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the loop --------------------------------------------------------------------------

    def _run(self) -> None:
        s = self.spec
        gnss_every = max(1, round(1.0 / (s.gnss_rate_hz * s.dt_s)))
        truth_every = max(1, round(1.0 / (s.truth_rate_hz * s.dt_s)))
        start = time.monotonic()
        k = 0
        while not self._stop.is_set():
            t_sim = k * s.dt_s
            self._io(max(0.0, start + t_sim / s.speed - time.monotonic()), t_sim)
            with self._lock:
                if k % gnss_every == 0:
                    self._send("gnss", self.emulator.epoch(t_sim, self.world.boat))
                if k % truth_every == 0:
                    line = json.dumps(self.world.state().to_dict()).encode() + b"\n"
                    self._send("truth", line)
                self.world.step(s.dt_s, *self.controller.demand(t_sim))
            k += 1

    def _io(self, wait_s: float, t_sim: float) -> None:
        deadline = time.monotonic() + wait_s
        while True:
            for key, _ in self._sel.select(max(0.0, deadline - time.monotonic())):
                kind, role = key.data
                if kind == "accept":
                    self._accept(key.fileobj, role)  # type: ignore[arg-type]
                else:
                    self._read(key.fileobj, t_sim)  # type: ignore[arg-type]
            if time.monotonic() >= deadline:
                return

    def _accept(self, listener: socket.socket, role: str) -> None:
        with contextlib.suppress(BlockingIOError):
            conn, peer = listener.accept()
            conn.setblocking(False)
            self._clients[conn] = (role, bytearray())
            self._sel.register(conn, selectors.EVENT_READ, ("client", role))
            log.info("lake: %s client %s connected", role, peer)

    def _read(self, conn: socket.socket, t_sim: float) -> None:
        try:
            data = conn.recv(4096)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self._drop(conn)
            return
        role = self._clients[conn][0]
        if role == "helm":
            reply = self.controller.feed(t_sim, data, round(self.world.battery_pct, 1))
            if reply:
                self._write(conn, reply)

    def _send(self, role: str, data: bytes) -> None:
        for conn, (r, _) in list(self._clients.items()):
            if r == role:
                self._write(conn, data)
        if role == "gnss" and self._pty is not None:
            with contextlib.suppress(OSError):  # nobody reading: the line is lost, as on a wire
                os.write(self._pty[0], data)

    def _write(self, conn: socket.socket, data: bytes) -> None:
        pending = self._clients[conn][1]
        pending += data
        try:
            sent = conn.send(pending)
            del pending[:sent]
        except BlockingIOError:
            pass
        except OSError:
            self._drop(conn)
            return
        if len(pending) > _MAX_PENDING_BYTES:
            log.warning("lake: dropping a client that does not read")
            self._drop(conn)

    def _drop(self, conn: socket.socket) -> None:
        with contextlib.suppress(KeyError, ValueError):
            self._sel.unregister(conn)
        self._clients.pop(conn, None)
        conn.close()

    # -- for tests and tools ---------------------------------------------------------------

    def truth(self) -> WorldState:
        """Ground truth now."""
        with self._lock:
            return self.world.state()

    @property
    def helm_timeouts(self) -> int:
        """How often the motor controller fell back to neutral."""
        return self.controller.timeouts
