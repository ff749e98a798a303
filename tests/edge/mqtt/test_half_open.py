"""A link that goes silent (half-open, as a cellular modem does) is noticed and recovered."""

from __future__ import annotations

from pathlib import Path

from edge.central import CentralReceiver
from edge.mqtt import EdgeRuntime
from tests.edge.mqtt.helpers import WHEN, agent_config, wait_until
from tests.edge.mqtt.proxy import TcpProxy
from tests.support.mosquitto import Mosquitto

KEEPALIVE_S = 5


def test_silent_link_is_noticed_within_keepalive_and_recovers(tmp_path: Path,
                                                              mosquitto: Mosquitto) -> None:
    proxy = TcpProxy(mosquitto.port)
    try:
        cfg = agent_config(tmp_path, proxy.url, broker={"keepalive_s": KEEPALIVE_S})
        with CentralReceiver(mosquitto.url, tmp_path / "c.sqlite") as rx, EdgeRuntime(cfg) as rt:
            assert rx.wait_connected(10) and rt.wait_connected(10)
            first = rt.submit_violation("overload", WHEN, None, {"n": 1})
            assert rt.wait_drained(10)
            proxy.go_silent()
            second = rt.submit_violation("overload", WHEN, None, {"n": 2})
            # paho pings after keepalive_s of silence and gives up one keepalive later;
            # "within its keepalive" means at most two periods plus scheduling slack.
            wait_until(lambda: not rt.link.connected, timeout_s=2 * KEEPALIVE_S + 3,
                       what="the link to notice the silent connection")
            assert rt.outbox.depth()["violation"] == 1
            wait_until(lambda: rt.link.connected, timeout_s=10, what="reconnect")
            assert rt.wait_drained(10)
            assert [r["record_id"] for r in rx.store.records()] == [first, second]
            assert rt.link.connects == 2
    finally:
        proxy.close()
