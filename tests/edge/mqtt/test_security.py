"""Password file, the spec's ACL and TLS with client certificates, on a real mosquitto."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest

from edge.central import CentralReceiver
from edge.config.common import BrokerSection
from edge.evidence import EvidenceFile
from edge.mqtt import EdgeRuntime, LinkError
from edge.mqtt.client import release
from tests.edge.mqtt.helpers import WHEN, agent_config, wait_until
from tests.support.mosquitto import (
    Mosquitto,
    make_tls_files,
    write_password_file,
    write_spec_acl,
)

USERS = {"site-1": "pw-site-1", "site-2": "pw-site-2", "central": "pw-central"}


@pytest.fixture
def secured(tmp_path: Path) -> Iterator[Mosquitto]:
    """mosquitto with a password file and the ACL of specs/mqtt.md."""
    work = tmp_path / "broker"
    pw = write_password_file(work / "passwd", USERS)
    acl = write_spec_acl(work / "acl")
    broker = Mosquitto(work, extra_conf=f"allow_anonymous false\npassword_file {pw}\n"
                                        f"acl_file {acl}\n").start()
    try:
        yield broker
    finally:
        broker.stop()


def creds(tmp: Path, user: str, password: str | None = None) -> dict[str, Any]:
    f = tmp / f"{user}.password"
    f.write_text((password or USERS[user]) + "\n")
    return {"username": user, "password_file": str(f)}


def central(tmp: Path, url: str) -> CentralReceiver:
    return CentralReceiver(BrokerSection(url=url, reconnect_min_s=0.2,
                                         **creds(tmp, "central")),
                           tmp / "central.sqlite")


def test_agent_with_its_own_credentials_delivers(tmp_path: Path, secured: Mosquitto) -> None:
    cfg = agent_config(tmp_path, secured.url, broker=creds(tmp_path, "site-1"))
    with central(tmp_path, secured.url) as rx, EdgeRuntime(cfg) as rt:
        assert rx.wait_connected(10) and rt.wait_connected(10)
        rid = rt.submit_violation("overload", WHEN, None, {}, [EvidenceFile("a.jpg", "image/jpeg", b"x")])
        assert rt.wait_drained(10)
        assert rx.store.record(rid) is not None


def test_agent_cannot_publish_as_another_device_mqtt5(tmp_path: Path, secured: Mosquitto) -> None:
    # Logged in as site-1 but configured as site-2: every publish hits the ACL.
    cfg = agent_config(tmp_path, secured.url, device="site-2", broker=creds(tmp_path, "site-1"))
    with central(tmp_path, secured.url) as rx, EdgeRuntime(cfg) as rt:
        assert rx.wait_connected(10) and rt.wait_connected(10)
        rt.submit_violation("overload", WHEN, None, {})
        wait_until(lambda: rt.health()["link"]["refused"] >= 1, what="a refused PUBACK")
        link = rt.health()["link"]
        assert "Not authorized" in link["last_error"]
        assert rt.outbox.depth()["violation"] == 1  # kept: it never reached the platform
        assert rx.store.count("records") == 0


def test_raw_client_gets_not_authorized_for_foreign_topics(tmp_path: Path,
                                                            secured: Mosquitto) -> None:
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.username_pw_set("site-1", USERS["site-1"])
    codes: dict[int, int] = {}
    done = threading.Event()

    def on_publish(c: mqtt.Client, u: object, mid: int, rc: object, p: object) -> None:
        codes[mid] = getattr(rc, "value", -1)
        if len(codes) == 2:
            done.set()

    client.on_publish = on_publish
    client.connect("127.0.0.1", secured.port)
    client.loop_start()
    try:
        own = client.publish("enf/v1/wim/site-1/up/health", b"{}", qos=1).mid
        foreign = client.publish("enf/v1/wim/site-2/up/violation", b"{}", qos=1).mid
        assert done.wait(10)
        assert codes[own] < 0x80  # success, or 0x10 "no matching subscribers"
        assert codes[foreign] == 0x87  # MQTT 5: not authorized
    finally:
        client.disconnect()
        client.loop_stop()
        release(client)


def test_mqtt311_foreign_publish_is_dropped_and_kept_in_outbox(tmp_path: Path,
                                                                secured: Mosquitto) -> None:
    cfg = agent_config(tmp_path, secured.url, device="site-2",
                       broker={**creds(tmp_path, "site-1"), "protocol": "3.1.1"})
    with central(tmp_path, secured.url) as rx, EdgeRuntime(cfg) as rt:
        assert rx.wait_connected(10) and rt.wait_connected(10)
        rt.submit_violation("overload", WHEN, None, {})
        wait_until(lambda: rt.health()["link"]["published"] >= 1, what="publish")
        time.sleep(0.5)
        assert rx.store.count("records") == 0
        assert rt.outbox.depth()["violation"] == 1


def test_wrong_password_is_a_clear_error(tmp_path: Path, secured: Mosquitto) -> None:
    cfg = agent_config(tmp_path, secured.url, broker=creds(tmp_path, "site-1", "wrong"))
    with EdgeRuntime(cfg) as rt, pytest.raises(LinkError, match="refused the connection"):
        rt.wait_connected(10)
    assert "refused the connection" in str(rt.link.last_error)


def test_tls_with_client_certificates(tmp_path: Path) -> None:
    tls = make_tls_files(tmp_path / "tls")
    broker = Mosquitto(tmp_path / "broker", listener_options=tls.listener_options()).start()
    try:
        assert broker.url.startswith("mqtts://")
        files = {"ca_file": str(tls.ca), "cert_file": str(tls.client_cert),
                 "key_file": str(tls.client_key)}
        cfg = agent_config(tmp_path, broker.url, broker=files)
        rx_broker = BrokerSection(url=broker.url, reconnect_min_s=0.2, **files)
        with CentralReceiver(rx_broker, tmp_path / "c.sqlite") as rx, EdgeRuntime(cfg) as rt:
            assert rx.wait_connected(10) and rt.wait_connected(10)
            rid = rt.submit_violation("overload", WHEN, None, {"tls": True})
            assert rt.wait_drained(10)
            assert json.loads(json.dumps(rx.store.record(rid)))["details"] == {"tls": True}
        # Without a client certificate the broker will not talk to us.
        bare = agent_config(tmp_path / "bare", broker.url, broker={"ca_file": str(tls.ca)})
        with EdgeRuntime(bare) as rt:
            assert not rt.wait_connected(2)
            assert rt.health()["link"]["last_error"]
    finally:
        broker.stop()
