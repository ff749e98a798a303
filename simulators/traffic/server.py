"""A real-time simulated WIM DAQ on TCP: frames paced by the wall clock, to every client.

Faults on demand (`inject_garbage`, `corrupt_next`, `skip_frames`) exercise a reader's
resync and gap counting; `on_vehicle` tells a camera simulator which vehicle is on the
sensors.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import queue
import selectors
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from types import FrameType, TracebackType

import numpy as np

from simulators.errors import SimulatorError
from simulators.traffic.layout import make_layout
from simulators.traffic.sensors import SensorParams
from simulators.traffic.stream import TrafficDaq
from simulators.traffic.world import ROADS, TrafficParams, Vehicle, traffic
from wim_station.daq.codec import encode

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class VehicleEvent:
    """A vehicle reaching the sensors (what a roadside camera would see)."""

    time_us: int  # DAQ clock: first axle over row 0
    lane: int
    plate: str
    plate_color: str
    class_code: str
    kind: str  # car | light_truck | truck
    axle_count: int
    speed_kmh: float
    gvw_kg: float
    vehicle_id: int


def vehicle_event(v: Vehicle, start_us: int) -> VehicleEvent:
    return VehicleEvent(
        time_us=start_us + round(v.t_first_s * 1e6),
        lane=v.lane,
        plate=v.plate,
        plate_color=v.plate_color,
        class_code=v.code,
        kind=v.kind,
        axle_count=len(v.axles),
        speed_kmh=round(v.speed_mps * 3.6, 2),
        gvw_kg=round(v.gvw_kg, 1),
        vehicle_id=v.id,
    )


class _Client:
    def __init__(self, sock: socket.socket, addr: object) -> None:
        self.sock = sock
        self.addr = addr
        self.out = bytearray()
        self.dropped_frames = 0


class TrafficDaqServer:
    """Serves an endless simulated traffic stream as DAQ frames to any TCP client."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        layout: str = "two-strips",
        lanes: int = 1,
        road: str = "smooth",
        seed: int = 1,
        traffic_params: TrafficParams | None = None,
        sensors: SensorParams | None = None,
        speed: float = 1.0,
        max_client_buffer: int = 1 << 20,
    ) -> None:
        if road not in ROADS:
            raise SimulatorError(f"unknown road {road!r} (choose from {', '.join(ROADS)})")
        self.layout = make_layout(layout, lanes)
        self.params = replace(
            traffic_params or TrafficParams(),
            lanes=lanes,
            road=ROADS[road],
            site_length_m=self.layout.last_position_m + 0.5,
            lane_width_m=self.layout.lane_width_m,
        )
        self.sensors = sensors or SensorParams()
        self.seed = seed
        self.speed = speed
        self.max_client_buffer = max_client_buffer
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self._listener.bind((host, port))
        except OSError as exc:
            self._listener.close()
            raise SimulatorError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
        self._listener.listen(8)
        self._listener.setblocking(False)
        self.address: tuple[str, int] = self._listener.getsockname()[:2]
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._listener, selectors.EVENT_READ, None)
        self._clients: list[_Client] = []
        self._lock = threading.Lock()
        self._garbage = 0
        self._corrupt = 0
        self._skip = 0
        self._fault_rng = np.random.default_rng(seed + 7919)
        self._callbacks: list[Callable[[VehicleEvent], None]] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.frames_sent = 0
        self.frames_produced = 0
        self.start_us = 0

    @property
    def url(self) -> str:
        """The URL a DAQ reader opens to reach this server."""
        return f"socket://{self.address[0]}:{self.address[1]}"

    # -- observers and faults ------------------------------------------------------------
    def on_vehicle(self, callback: Callable[[VehicleEvent], None]) -> None:
        """Call `callback(event)` (from the server thread) for every vehicle on the sensors."""
        with self._lock:
            self._callbacks.append(callback)

    def subscribe(self, maxsize: int = 1000) -> queue.Queue[VehicleEvent]:
        """A queue receiving every `VehicleEvent` (oldest dropped when full)."""
        q: queue.Queue[VehicleEvent] = queue.Queue(maxsize)

        def put(event: VehicleEvent) -> None:
            if q.full():
                q.get_nowait()
            q.put_nowait(event)

        self.on_vehicle(put)
        return q

    def inject_garbage(self, n_bytes: int = 100) -> None:
        """Send `n_bytes` random bytes before the next frame."""
        with self._lock:
            self._garbage += n_bytes

    def corrupt_next(self, n_frames: int = 1) -> None:
        """Flip a byte in each of the next frames (bad CRC)."""
        with self._lock:
            self._corrupt += n_frames

    def skip_frames(self, n_frames: int = 1) -> None:
        """Do not send the next frames (the client sees a seq gap)."""
        with self._lock:
            self._skip += n_frames

    @property
    def client_count(self) -> int:
        with self._lock:
            return len(self._clients)

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> TrafficDaqServer:
        self._thread = threading.Thread(target=self._run, name="traffic-daq-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close every socket; safe to call twice."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        for client in list(self._clients):
            self._drop(client)
        if self._listener.fileno() >= 0:
            self._selector.unregister(self._listener)
            self._listener.close()
            self._selector.close()

    def __enter__(self) -> TrafficDaqServer:
        return self.start()

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- the loop --------------------------------------------------------------------------
    def _run(self) -> None:
        wall0, mono0 = time.time(), time.monotonic()
        self.start_us = int(wall0 * 1e6)
        daq = TrafficDaq(
            traffic(self.params, self.seed), self.layout, self.sensors, self.seed, self.start_us
        )
        frame_s = self.sensors.samples_per_frame / self.sensors.sample_rate_hz
        while not self._stop.is_set():
            # A frame leaves the DAQ once its last sample has been measured.
            due = mono0 + (daq.time_s + frame_s) / self.speed
            self._poll(max(0.0, min(due - time.monotonic(), 0.05)))
            if time.monotonic() < due:
                continue
            frame, arriving = daq.next_frame()
            self.frames_produced += 1
            self._broadcast(self._faulted(encode(frame)))
            for v in arriving:
                self._publish(vehicle_event(v, self.start_us))

    def _faulted(self, wire: bytes) -> bytes:
        with self._lock:
            if self._skip:
                self._skip -= 1
                return b""
            garbage, self._garbage = self._garbage, 0
            corrupt = self._corrupt > 0
            self._corrupt -= int(corrupt)
        if corrupt:
            buf = bytearray(wire)
            buf[len(buf) // 2] ^= 0x5A
            wire = bytes(buf)
        if garbage:
            wire = self._fault_rng.integers(0, 256, garbage, dtype=np.uint8).tobytes() + wire
        return wire

    def _publish(self, event: VehicleEvent) -> None:
        with self._lock:
            callbacks = list(self._callbacks)
        for cb in callbacks:
            try:
                cb(event)
            except Exception:  # an observer's bug must not stop the DAQ
                log.exception("on_vehicle callback failed")

    def _poll(self, timeout_s: float) -> None:
        for key, mask in self._selector.select(timeout_s):
            if key.data is None:
                self._accept()
                continue
            client: _Client = key.data
            if mask & selectors.EVENT_READ:
                try:
                    if not client.sock.recv(4096):
                        self._drop(client)
                        continue
                except (BlockingIOError, InterruptedError):
                    pass
                except OSError:
                    self._drop(client)
                    continue
            if mask & selectors.EVENT_WRITE:
                self._flush(client)

    def _accept(self) -> None:
        try:
            sock, addr = self._listener.accept()
        except (BlockingIOError, InterruptedError):
            return
        sock.setblocking(False)
        client = _Client(sock, addr)
        with self._lock:
            self._clients.append(client)
        self._selector.register(sock, selectors.EVENT_READ, client)
        log.info("DAQ client %s connected", addr)

    def _broadcast(self, wire: bytes) -> None:
        if not wire:
            return
        for client in list(self._clients):
            if len(client.out) > self.max_client_buffer:
                client.dropped_frames += 1  # a slow reader loses whole frames: a seq gap
                continue
            client.out += wire
            self._flush(client)
        self.frames_sent += 1

    def _flush(self, client: _Client) -> None:
        try:
            sent = client.sock.send(client.out)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError:
            self._drop(client)
            return
        del client.out[:sent]
        events = selectors.EVENT_READ | (selectors.EVENT_WRITE if client.out else 0)
        self._selector.modify(client.sock, events, client)

    def _drop(self, client: _Client) -> None:
        with self._lock:
            if client not in self._clients:
                return
            self._clients.remove(client)
        with contextlib.suppress(KeyError, ValueError):
            self._selector.unregister(client.sock)
        client.sock.close()
        log.info("DAQ client %s disconnected", client.addr)


def serve_forever(args: argparse.Namespace) -> int:
    """Run the server from the command line until SIGINT/SIGTERM."""
    try:
        server = TrafficDaqServer(
            args.host,
            args.port,
            layout=args.layout,
            lanes=args.lanes,
            road=args.road,
            seed=args.seed,
        )
    except SimulatorError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    if args.vehicles_json:
        server.on_vehicle(lambda e: print(json.dumps(asdict(e), ensure_ascii=False), flush=True))
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    faults = {
        "garbage": args.garbage_every_s,
        "corrupt": args.corrupt_every_s,
        "gap": args.gap_every_s,
    }
    due = {name: time.monotonic() + every for name, every in faults.items() if every > 0}
    with server:
        log.info(
            "serving simulated DAQ frames on %s (%s, %d lane(s), %s road, seed %d)",
            server.url,
            args.layout,
            args.lanes,
            args.road,
            args.seed,
        )
        while not stop.wait(0.1):
            now = time.monotonic()
            for name, t in due.items():
                if now >= t:
                    {
                        "garbage": lambda: server.inject_garbage(200),
                        "corrupt": lambda: server.corrupt_next(1),
                        "gap": lambda: server.skip_frames(3),
                    }[name]()
                    due[name] = now + faults[name]
    return 0
