"""The broker check: connect (TLS, credentials) and prove the ACL lets us publish our topics."""

from __future__ import annotations

import json
import ssl
import time
import uuid
from typing import Any

import paho.mqtt.client as mqtt

from edge.check.result import CheckResult
from edge.config.common import BrokerSection
from edge.mqtt.client import LinkError, connect, make_client, parse_broker_url, release
from edge.mqtt.topics import down_topic, up_topic

# The receiver ignores topics it does not know, so a check message disturbs nothing.
CHECK_SUFFIX = "check"


def check_broker(broker: BrokerSection, kind: str, device_id: str,
                 timeout_s: float) -> CheckResult:
    """CONNACK, SUBACK on our own down/ topic, PUBACK (and the echo) on our own up/ topic."""
    name = f"broker {broker.url}"
    tls = parse_broker_url(broker.url).tls
    # A client id of its own: reusing the agent's would disconnect the running agent.
    client_id = f"{device_id}-check-{uuid.uuid4().hex[:6]}"
    state: dict[str, Any] = {}
    up = up_topic(kind, device_id, CHECK_SUFFIX)
    try:
        client = make_client(broker, client_id)
    except LinkError as exc:
        return CheckResult(name, False, str(exc))
    client.on_connect = lambda c, u, f, rc, p=None: state.__setitem__("connack", rc)
    client.on_subscribe = lambda c, u, mid, rcs, p=None: state.setdefault("suback", {}).__setitem__(
        mid, list(rcs))
    client.on_publish = lambda c, u, mid, rc, p=None: state.__setitem__("puback", rc)
    client.on_message = lambda c, u, m: state.__setitem__("echo", m.topic == up)
    v5 = broker.protocol == "5"
    deadline = time.monotonic() + timeout_s

    def pump(until: str) -> bool:
        while until not in state and time.monotonic() < deadline:
            if client.loop(timeout=0.1) != mqtt.MQTT_ERR_SUCCESS and "connack" not in state:
                state["lost"] = True
                return False
        return until in state

    try:
        connect(client, broker)
        if not pump("connack"):
            return CheckResult(name, False, "TCP connects but no CONNACK in "
                               f"{timeout_s:.0f} s (wrong port or protocol?)")
        connack = state["connack"]
        if connack.is_failure:
            return CheckResult(name, False, f"broker refuses the connection: {connack} "
                               "(check username/password_file)")
        sub_mid = client.subscribe([(down_topic(kind, device_id, CHECK_SUFFIX), 1),
                                    (up, 1)])[1]
        pump("suback")
        granted = state.get("suback", {}).get(sub_mid, [])
        read_ok = bool(granted) and not _failed(granted[0])
        echo_ok = len(granted) > 1 and not _failed(granted[1])
        body = json.dumps({"check": client_id, "time": time.time()}).encode()
        client.publish(up, body, qos=1)
        if not pump("puback"):
            return CheckResult(name, False, f"no PUBACK for {up} in {timeout_s:.0f} s")
        puback = state["puback"]
        if v5 and puback.is_failure:
            return CheckResult(name, False, f"publish to {up} refused: {puback} "
                               f"(ACL must allow write enf/v1/+/{device_id}/up/#)")
        if echo_ok:
            pump("echo")
    except ssl.SSLError as exc:
        return CheckResult(name, False, f"TLS handshake failed: {exc.reason or exc}")
    except OSError as exc:
        return CheckResult(name, False, f"cannot reach the broker: {exc.strerror or exc}")
    finally:
        if "connack" in state:
            client.disconnect()
        release(client)
    parts = [f"MQTT {broker.protocol}", "TLS" if tls else "no TLS",
             f"user {broker.username}" if broker.username else "anonymous"]
    if not read_ok:
        return CheckResult(name, False, ", ".join(parts) + ": subscribing to its own "
                           f"down/ topics is refused (ACL must allow read "
                           f"enf/v1/+/{device_id}/down/#)")
    if state.get("echo"):
        parts.append("publish on up/ delivered back")
    elif v5:
        parts.append(f"publish on up/ accepted ({state['puback']})")
    else:
        parts.append("publish on up/ acknowledged (MQTT 3.1.1 cannot tell an ACL drop)")
    return CheckResult(name, True, ", ".join(parts) + ", down/ readable",
                       {"tls": tls, "echo": bool(state.get("echo"))})


def _failed(code: Any) -> bool:
    # paho gives ReasonCode objects for both protocols (3.1.1: 0x80 = failure).
    return bool(getattr(code, "is_failure", False)) or getattr(code, "value", code) == 0x80
