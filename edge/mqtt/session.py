"""One thread that owns a paho client: connect with backoff, run the socket, stop cleanly.

The thread runs its own select() over the broker socket and a wake-up socket pair (paho's
external-loop API: loop_read / loop_write / loop_misc), so other threads can nudge it
without ever touching the client. Subclasses fill in what happens on the connection.
"""

from __future__ import annotations

import contextlib
import logging
import select
import socket
import threading
import time
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.reasoncodes import ReasonCode

from edge.config.common import BrokerSection
from edge.mqtt.client import Backoff, LinkError, connect, make_client, release

log = logging.getLogger(__name__)

IDLE_WAIT_S = 0.5
READ_BURST = 500


class MqttSession:
    """Owns the client in one thread; subclasses override the `_on_*` hooks and `_pump`."""

    def __init__(self, broker: BrokerSection, client_id: str, *, persistent: bool = False,
                 thread_name: str = "mqtt") -> None:
        self.broker = broker
        self.client_id = client_id
        self.persistent = persistent
        self._thread_name = thread_name
        self._backoff = Backoff(broker.reconnect_min_s, broker.reconnect_max_s)
        self._client: mqtt.Client | None = None
        self._connected = threading.Event()
        self._subscribed = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._wake_r: socket.socket | None = None
        self._wake_w: socket.socket | None = None
        self._next_attempt = 0.0
        self._attempt_started = 0.0
        self.connected_since: float | None = None
        self.connects = 0
        self.last_error: str | None = None
        self.refused_connect: str | None = None

    # -- public ----------------------------------------------------------------------------

    def start(self) -> None:
        """Start the thread; it connects (and reconnects) on its own."""
        if self._thread is not None:
            return
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._thread = threading.Thread(target=self._run, name=self._thread_name, daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        """Say goodbye to the broker (no last will), stop the thread; safe to call twice."""
        if self._thread is None:
            return
        self._stopping.set()
        self.wake()
        self._thread.join(timeout_s)
        self._thread = None
        for s in (self._wake_r, self._wake_w):
            if s is not None:
                s.close()
        self._wake_r = self._wake_w = None

    def wake(self) -> None:
        """Make the thread look for work now (callable from any thread)."""
        w = self._wake_w
        if w is not None:
            with contextlib.suppress(OSError):  # already awake, or closing
                w.send(b"\0")

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def wait_connected(self, timeout_s: float) -> bool:
        """True once connected and subscribed (the broker then routes messages to us);
        raises LinkError early when the broker refused us."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._subscribed.wait(0.05) and self._connected.is_set():
                return True
            if self.refused_connect is not None:
                raise LinkError(self.refused_connect)
        return False

    def link_health(self) -> dict[str, Any]:
        return {"connected": self.connected, "connects": self.connects,
                "connected_for_s": None if self.connected_since is None else
                round(time.monotonic() - self.connected_since, 1),
                "last_error": self.last_error}

    # -- hooks -----------------------------------------------------------------------------

    def _configure(self, client: mqtt.Client) -> None:
        """Set a will and such before connecting."""

    def _on_connected(self, client: mqtt.Client) -> None:
        """Subscribe, publish a birth message, reset send state."""

    def _on_lost(self) -> None:
        """The connection is gone: forget per-connection state."""

    def _on_message(self, client: mqtt.Client, message: mqtt.MQTTMessage) -> None:
        """A message arrived (runs on the session thread)."""

    def _on_published(self, mid: int, reason: ReasonCode | None) -> None:
        """The broker answered a QoS 1 publish (PUBACK) with this reason code."""

    def _pump(self, client: mqtt.Client) -> float:
        """Do pending work while connected; return how long the thread may sleep."""
        return IDLE_WAIT_S

    def _on_stop(self, client: mqtt.Client) -> None:
        """Last words before a graceful disconnect."""

    # -- the thread ------------------------------------------------------------------------

    def _run(self) -> None:
        try:
            while not self._stopping.is_set():
                try:
                    self._turn()
                except Exception as exc:
                    # A bug or a full disk must not silently end the link: start over.
                    log.exception("MQTT session error; reconnecting")
                    self._drop(f"internal error: {type(exc).__name__}: {exc}")
        finally:
            self._close_gracefully()

    def _turn(self) -> None:
        client = self._client
        if client is None:
            wait = self._next_attempt - time.monotonic()
            if wait > 0:
                self._sleep(min(wait, IDLE_WAIT_S))
            else:
                self._open()
            return
        if not self.connected and (time.monotonic() - self._attempt_started
                                   > self.broker.connect_timeout_s):
            self._drop("no CONNACK within connect_timeout_s")
            return
        timeout = self._pump(client) if self.connected else IDLE_WAIT_S
        self._io(client, timeout)

    def _sleep(self, timeout_s: float) -> None:
        if self._wake_r is not None:
            ready, _, _ = select.select([self._wake_r], [], [], timeout_s)
            if ready:
                self._drain_wake()

    def _drain_wake(self) -> None:
        try:
            while self._wake_r is not None and self._wake_r.recv(4096):
                pass
        except (BlockingIOError, OSError):
            pass

    def _io(self, client: mqtt.Client, timeout_s: float) -> None:
        sock = client.socket()
        if sock is None:
            self._drop(self.last_error or "connection lost")
            return
        rlist: list[Any] = [sock, self._wake_r]
        wlist: list[Any] = [sock] if client.want_write() else []
        pending = sock.pending() if hasattr(sock, "pending") else 0
        try:
            readable, writable, _ = select.select(rlist, wlist, [], 0 if pending else timeout_s)
        except (OSError, ValueError):
            readable, writable = [sock], []
        if self._wake_r in readable:
            self._drain_wake()
        rc = mqtt.MQTT_ERR_SUCCESS
        if sock in readable or pending:
            rc = self._read_burst(client, sock)
        if rc == mqtt.MQTT_ERR_SUCCESS and (sock in writable or client.want_write()):
            rc = client.loop_write()
        if rc == mqtt.MQTT_ERR_SUCCESS:
            rc = client.loop_misc()
        if rc != mqtt.MQTT_ERR_SUCCESS or client.socket() is None:
            if rc not in (mqtt.MQTT_ERR_SUCCESS, mqtt.MQTT_ERR_NO_CONN):
                self.last_error = self.last_error or mqtt.error_string(rc)
            self._drop(self.last_error or mqtt.error_string(rc))

    @staticmethod
    def _read_burst(client: mqtt.Client, sock: Any) -> mqtt.MQTTErrorCode:
        """Read every packet already waiting (paho reads about one per call), so that a
        burst is handled as one batch."""
        rc = client.loop_read()
        for _ in range(READ_BURST):
            if rc != mqtt.MQTT_ERR_SUCCESS or client.socket() != sock:
                break
            if not (sock.pending() if hasattr(sock, "pending") else 0):
                ready, _, _ = select.select([sock], [], [], 0)
                if not ready:
                    break
            rc = client.loop_read()
        return rc

    def _open(self) -> None:
        self._attempt_started = time.monotonic()
        try:
            client = make_client(self.broker, self.client_id, persistent=self.persistent)
        except LinkError as exc:
            self.refused_connect = self.last_error = str(exc)
            self._next_attempt = time.monotonic() + self._backoff.next_delay()
            return
        client.on_connect = self._cb_connect
        client.on_disconnect = self._cb_disconnect
        client.on_message = self._cb_message
        client.on_publish = self._cb_publish
        client.on_subscribe = self._cb_subscribe
        self._configure(client)
        self._client = client
        try:
            connect(client, self.broker, persistent=self.persistent)
        except (OSError, ValueError) as exc:
            self._drop(f"cannot reach broker {self.broker.url}: {exc}")

    def _drop(self, reason: str) -> None:
        """Forget the current client and schedule the next attempt."""
        was_connected = self.connected
        client, self._client = self._client, None
        self._connected.clear()
        self._subscribed.clear()
        self.connected_since = None
        if client is not None:
            release(client)
        self.last_error = reason
        delay = self._backoff.next_delay()
        self._next_attempt = time.monotonic() + delay
        if was_connected:
            log.warning("MQTT connection lost", extra={"reason": reason})
            self._on_lost()
        else:
            log.info("MQTT connect failed", extra={"reason": reason,
                                                   "retry_in_s": round(delay, 2)})

    def _close_gracefully(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            if self.connected:
                try:
                    self._on_stop(client)
                    client.disconnect()
                    deadline = time.monotonic() + 2.0
                    while client.want_write() and time.monotonic() < deadline:
                        if client.loop_write() != mqtt.MQTT_ERR_SUCCESS:
                            break
                except (OSError, ValueError):
                    pass
            release(client)
        self._connected.clear()

    # -- paho callbacks (they run inside loop_read on this thread) -------------------------

    def _cb_connect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: ReasonCode,
                    properties: Any) -> None:
        if reason.is_failure:
            self.refused_connect = f"broker {self.broker.url} refused the connection: {reason}"
            self.last_error = self.refused_connect
            log.error("MQTT connection refused", extra={"reason": str(reason)})
            return  # the loop drops the client when paho closes the socket
        self.refused_connect = None
        self.last_error = None
        self.connects += 1
        self.connected_since = time.monotonic()
        self._backoff.reset()
        self._connected.set()
        log.info("MQTT connected", extra={"broker": self.broker.url})
        self._on_connected(client)

    def _cb_disconnect(self, client: mqtt.Client, userdata: Any, flags: Any,
                       reason: ReasonCode, properties: Any) -> None:
        if reason.is_failure or self.last_error is None:
            self.last_error = self.refused_connect or f"disconnected: {reason}"

    def _cb_message(self, client: mqtt.Client, userdata: Any,
                    message: mqtt.MQTTMessage) -> None:
        try:
            self._on_message(client, message)
        except Exception:
            log.exception("MQTT message handling failed", extra={"topic": message.topic})

    def _cb_subscribe(self, client: mqtt.Client, userdata: Any, mid: int,
                      reasons: list[ReasonCode], properties: Any) -> None:
        refused = [str(r) for r in reasons if r.is_failure]
        if refused:
            self.last_error = f"broker refused a subscription: {', '.join(refused)}"
            log.error("subscription refused", extra={"reasons": refused})
        self._subscribed.set()

    def _cb_publish(self, client: mqtt.Client, userdata: Any, mid: int, reason: ReasonCode,
                    properties: Any) -> None:
        self._on_published(mid, reason)
