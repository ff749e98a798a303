"""A sign/screen controller simulator: speaks `edge.display.protocol` over loopback TCP.

It acknowledges what a real controller would, refuses bad frames (NAK with the reason),
renders every shown message to a PNG and keeps a history of what the sign showed, in
memory (`history()`) and as JSON lines in `<png_dir>/history.jsonl`, so a test or a person
can check what drivers saw.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import cv2

from edge.closing import ClosedOnExit
from edge.display.errors import DisplayProtocolError
from edge.display.protocol import (
    BROADCAST,
    BadFrame,
    Command,
    Frame,
    NakReason,
    decode,
    decode_show,
    encode_frame,
)
from simulators.errors import SimulatorError
from simulators.sign.render import SignGeometry, render_sign

HISTORY_FILE = "history.jsonl"


@dataclass(frozen=True)
class ShownMessage:
    """One change of what the sign shows; `text` None means it was blanked."""

    t_s: float
    text: str | None
    colour: str | None
    effect: str | None
    speed: int | None
    hold_s: float | None
    clipped: bool
    png: str | None


def read_history(png_dir: Path) -> list[ShownMessage]:
    """The history a simulator (maybe another process) wrote to `png_dir`."""
    path = Path(png_dir) / HISTORY_FILE
    if not path.exists():
        return []
    return [ShownMessage(**json.loads(line)) for line in path.read_text("utf-8").splitlines()]


class SignSimulator(ClosedOnExit):
    """TCP server on `host:port` (port 0 picks a free one; see `.port`)."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        png_dir: Path | None = None,
        address: int = 1,
        geometry: SignGeometry | None = None,
    ) -> None:
        self.address = address
        self.geometry = geometry or SignGeometry()
        self.png_dir = Path(png_dir) if png_dir is not None else None
        if self.png_dir is not None:
            self.png_dir.mkdir(parents=True, exist_ok=True)
        self.status_bits = 0
        self.drop_replies = 0
        """Fault injection: the next N commands get no reply (as if the reply was lost)."""
        self.frames_ok = 0
        self.frames_bad = 0
        self.bytes_discarded = 0
        self._history: list[ShownMessage] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._workers: list[threading.Thread] = []
        try:
            self._listener = socket.create_server((host, port))
        except OSError as exc:
            raise SimulatorError(f"sign simulator cannot listen on {host}:{port}: {exc}") from exc
        self._listener.settimeout(0.1)
        self.port: int = self._listener.getsockname()[1]
        self.url = f"socket://{host}:{self.port}"
        self._acceptor = threading.Thread(target=self._accept_loop, name=f"sign-sim {self.port}")
        self._acceptor.start()

    def history(self) -> list[ShownMessage]:
        """Every change of the sign so far, oldest first."""
        with self._lock:
            self._blank_if_hold_ended(time.time())
            return list(self._history)

    def showing(self) -> ShownMessage | None:
        """What the sign shows now (None before the first command)."""
        with self._lock:
            self._blank_if_hold_ended(time.time())
            return self._history[-1] if self._history else None

    def close(self) -> None:
        """Stop serving and join every thread; safe to call twice."""
        self._stop.set()
        if self._acceptor.is_alive():
            self._acceptor.join()
        for worker in self._workers:
            worker.join()
        self._listener.close()


    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            worker = threading.Thread(
                target=self._serve, args=(conn,), name=f"sign-sim conn {self.port}"
            )
            self._workers = [w for w in self._workers if w.is_alive()]
            self._workers.append(worker)
            worker.start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(0.1)
            buf = b""
            while not self._stop.is_set():
                try:
                    chunk = conn.recv(4096)
                except TimeoutError:
                    continue
                except OSError:
                    return
                if not chunk:
                    return
                buf += chunk
                while True:
                    consumed, item, discarded = decode(buf)
                    buf = buf[consumed:]
                    self.bytes_discarded += discarded
                    if item is None:
                        break
                    reply = self._handle(item)
                    if reply is not None:
                        try:
                            conn.sendall(encode_frame(reply))
                        except OSError:
                            return

    def _handle(self, item: Frame | BadFrame) -> Frame | None:
        if isinstance(item, BadFrame):
            self.frames_bad += 1
            if item.address != self.address or item.seq is None:
                return None
            return self._nak(item.seq, 0, NakReason.BAD_CRC)
        if item.address not in (self.address, BROADCAST):
            return None
        self.frames_ok += 1
        reply = self._execute(item)
        if item.address == BROADCAST:
            return None
        if self.drop_replies > 0:
            self.drop_replies -= 1
            return None
        return reply

    def _execute(self, frame: Frame) -> Frame:
        if frame.command == Command.SHOW:
            try:
                show = decode_show(frame.payload)
            except DisplayProtocolError:
                return self._nak(frame.seq, frame.command, NakReason.BAD_PAYLOAD)
            self._record(show.text, show.colour, show.effect, show.speed, show.hold_ds / 10)
        elif frame.command == Command.CLEAR:
            self._record(None, None, None, None, None)
        elif frame.command == Command.STATUS:
            return Frame(
                self.address, Command.ACK, frame.seq, bytes((frame.command, self.status_bits))
            )
        else:
            return self._nak(frame.seq, frame.command, NakReason.UNKNOWN_COMMAND)
        return Frame(self.address, Command.ACK, frame.seq, bytes((frame.command,)))

    def _nak(self, seq: int, command: int, reason: NakReason) -> Frame:
        return Frame(self.address, Command.NAK, seq, bytes((command, reason)))

    def _record(
        self, text: str | None, colour: str | None, effect: str | None, speed: int | None,
        hold_s: float | None,
    ) -> None:  # fmt: skip
        image, clipped = render_sign(text, colour or "amber", effect or "static", self.geometry)
        with self._lock:
            now = time.time()
            self._blank_if_hold_ended(now)
            png = None
            if self.png_dir is not None:
                png_path = self.png_dir / f"sign-{len(self._history):05d}.png"
                cv2.imwrite(str(png_path), image)
                png = str(png_path)
            self._append(ShownMessage(now, text, colour, effect, speed, hold_s, clipped, png))

    def _blank_if_hold_ended(self, now: float) -> None:
        # The controller blanks itself when a message's hold runs out (see the protocol).
        last = self._history[-1] if self._history else None
        if last is not None and last.text is not None and last.hold_s:
            ended = last.t_s + last.hold_s
            if ended <= now:
                self._append(ShownMessage(ended, None, None, None, None, None, False, None))

    def _append(self, shown: ShownMessage) -> None:
        self._history.append(shown)
        if self.png_dir is not None:
            with (self.png_dir / HISTORY_FILE).open("a", encoding="utf-8") as f:
                f.write(json.dumps(asdict(shown), ensure_ascii=False) + "\n")
