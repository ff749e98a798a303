"""Building paho clients from the broker config (shared by agents and the central receiver)."""

from __future__ import annotations

import contextlib
import random
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from edge.config.common import BrokerSection
from edge.errors import EdgeError


class LinkError(EdgeError):
    """The broker cannot be reached, refuses us, or the settings are unusable."""


@dataclass(frozen=True)
class BrokerAddress:
    host: str
    port: int
    tls: bool


def parse_broker_url(url: str) -> BrokerAddress:
    """mqtt://host[:1883] or mqtts://host[:8883]."""
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "mqtts") or not parts.hostname:
        raise LinkError(f"broker url {url!r} must be mqtt://host:port or mqtts://host:port")
    tls = parts.scheme == "mqtts"
    return BrokerAddress(parts.hostname, parts.port or (8883 if tls else 1883), tls)


def read_password(path: Path | None) -> str | None:
    """The first line of the password file (kept out of the config file)."""
    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8").splitlines()[0] if path.stat().st_size else ""
    except OSError as exc:
        raise LinkError(f"cannot read password file {path}: {exc.strerror}") from exc


def protocol_of(broker: BrokerSection) -> mqtt.MQTTProtocolVersion:
    return mqtt.MQTTv5 if broker.protocol == "5" else mqtt.MQTTv311


def make_client(broker: BrokerSection, client_id: str, *, persistent: bool = False,
                ) -> mqtt.Client:
    """A configured (not yet connected) paho client: protocol, credentials, TLS, inflight.

    `persistent` asks the broker to keep the session (subscriptions and queued QoS 1
    messages) while we are away: the central receiver wants that, agents do not.
    """
    address = parse_broker_url(broker.url)
    protocol = protocol_of(broker)
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id,
                         protocol=protocol,
                         clean_session=None if protocol == mqtt.MQTTv5 else not persistent)
    if broker.username is not None:
        client.username_pw_set(broker.username, read_password(broker.password_file))
    if address.tls or broker.ca_file is not None:
        for name in ("ca_file", "cert_file", "key_file"):
            p = getattr(broker, name)
            if p is not None and not Path(p).is_file():
                raise LinkError(f"broker.{name}: {p} does not exist")
        try:
            client.tls_set(ca_certs=str(broker.ca_file) if broker.ca_file else None,
                           certfile=str(broker.cert_file) if broker.cert_file else None,
                           keyfile=str(broker.key_file) if broker.key_file else None,
                           cert_reqs=ssl.CERT_REQUIRED)
        except (ssl.SSLError, OSError, ValueError) as exc:
            raise LinkError(f"TLS settings unusable: {exc}") from exc
    client.max_inflight_messages_set(broker.max_inflight)
    client.connect_timeout = broker.connect_timeout_s
    return client


# How long the broker keeps a persistent session of a receiver that went away (MQTT 5).
SESSION_EXPIRY_S = 7 * 86400


def connect(client: mqtt.Client, broker: BrokerSection, *, persistent: bool = False) -> None:
    """Open the TCP (and TLS) connection and send CONNECT; CONNACK arrives in the loop.

    Raises OSError (or ssl.SSLError) when the broker cannot be reached.
    """
    address = parse_broker_url(broker.url)
    if protocol_of(broker) == mqtt.MQTTv5:
        props = Properties(PacketTypes.CONNECT)
        if persistent:
            props.SessionExpiryInterval = SESSION_EXPIRY_S
        client.connect(address.host, address.port, broker.keepalive_s,
                       clean_start=not persistent, properties=props)
    else:
        client.connect(address.host, address.port, broker.keepalive_s)
    sock = client.socket()
    if sock is not None:
        # Small packets (PUBACKs, acks) must not wait for Nagle's algorithm.
        with contextlib.suppress(OSError, AttributeError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # type: ignore[attr-defined]


def release(client: mqtt.Client) -> None:
    """Close every socket a client holds (its connection and its wake-up socket pair).

    We build a fresh client per connection so that paho never replays its own copy of the
    in-flight window after a reconnect (the outbox is the only source of truth).
    """
    with contextlib.suppress(AttributeError, OSError):
        client._reset_sockets()  # no public call closes a socket paho still holds


def default_client_id(prefix: str) -> str:
    return f"{prefix}-{random.getrandbits(32):08x}"


class Backoff:
    """Capped exponential backoff with jitter: min_s, 2*min_s, ... up to max_s, each drawn
    uniformly from [delay/2, delay] so a fleet that lost the same broker does not return in
    step."""

    def __init__(self, min_s: float, max_s: float, rng: random.Random | None = None) -> None:
        self.min_s, self.max_s = min_s, max(max_s, min_s)
        self._rng = rng or random.Random()
        self.attempt = 0

    def next_delay(self) -> float:
        delay = min(self.max_s, self.min_s * (2 ** min(self.attempt, 30)))
        self.attempt += 1
        return self._rng.uniform(delay / 2, delay)

    def reset(self) -> None:
        self.attempt = 0
