"""A TCP proxy on loopback that can go silent like a dead cellular link (half-open)."""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
from dataclasses import dataclass


@dataclass
class _Pair:
    a: socket.socket
    b: socket.socket
    dead: bool = False


class TcpProxy:
    """Forwards 127.0.0.1:port to a target port. `go_silent()` makes every open connection
    swallow bytes in both directions without closing anything (neither end is told);
    connections made afterwards are forwarded normally."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen()
        self.port: int = self._listener.getsockname()[1]
        self._sel = selectors.DefaultSelector()
        self._sel.register(self._listener, selectors.EVENT_READ, None)
        self._pairs: list[_Pair] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tcp-proxy", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def go_silent(self) -> None:
        for pair in list(self._pairs):
            pair.dead = True

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        for pair in self._pairs:
            pair.a.close()
            pair.b.close()
        self._sel.close()
        self._listener.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            for key, _ in self._sel.select(0.05):
                if key.data is None:
                    self._accept()
                else:
                    self._forward(key.fileobj, key.data)  # type: ignore[arg-type]

    def _accept(self) -> None:
        client, _ = self._listener.accept()
        try:
            upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
        except OSError:
            client.close()
            return
        pair = _Pair(client, upstream)
        self._pairs.append(pair)
        self._sel.register(client, selectors.EVENT_READ, pair)
        self._sel.register(upstream, selectors.EVENT_READ, pair)

    def _forward(self, src: socket.socket, pair: _Pair) -> None:
        try:
            data = src.recv(65536)
        except OSError:
            data = b""
        if not data:
            self._sel.unregister(pair.a)
            self._sel.unregister(pair.b)
            pair.a.close()
            pair.b.close()
            self._pairs.remove(pair)
            return
        if pair.dead:
            return  # swallowed: the far end never hears of it
        dst = pair.b if src is pair.a else pair.a
        with contextlib.suppress(OSError):
            dst.sendall(data)
