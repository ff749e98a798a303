"""The agent's MQTT link: drains the outbox in a window, applies acks, answers commands.

- Never more than `max_inflight` un-PUBACKed messages are handed to paho (it would otherwise
  queue the whole backlog at once after a reconnect).
- A PUBACK with a failure reason code (MQTT 5: e.g. 0x87 not authorized) is counted and
  reported; the record stays in the outbox.
- A record leaves the outbox only when `down/ack` names it. Everything un-acked is sent
  again, with the same record_id, after each reconnect and after `ack_timeout_s`.
"""

from __future__ import annotations

import collections
import json
import logging
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.reasoncodes import ReasonCode

from edge.commands.registry import CommandRegistry
from edge.config.common import BrokerSection
from edge.evidence.record import format_time
from edge.mqtt.session import IDLE_WAIT_S, MqttSession
from edge.mqtt.topics import down_topic, up_topic
from edge.outbox.store import Outbox, OutboxItem

log = logging.getLogger(__name__)

MAX_ACK_BYTES = 1024 * 1024
LIVE_QUEUE_MAX = 1000


class Link(MqttSession):
    """The one thread that talks to the broker for an agent."""

    def __init__(self, broker: BrokerSection, kind: str, device: str, *,
                 outbox: Outbox, birth: Mapping[str, Any],
                 commands: CommandRegistry | None = None,
                 health_source: Callable[[], dict[str, Any]] | None = None,
                 health_interval_s: float = 30.0, client_id: str | None = None) -> None:
        super().__init__(broker, client_id or broker.client_id or f"{kind}-{device}",
                         thread_name=f"mqtt-link-{device}")
        self.kind, self.device = kind, device
        self.outbox = outbox
        self.birth = dict(birth)
        self.commands = commands
        self.health_source = health_source
        self.health_interval_s = health_interval_s
        self._next_health = 0.0
        self._inflight: dict[int, OutboxItem] = {}
        self._cursors: dict[int, int] = {}
        self._awaiting: dict[str, float] = {}  # record_id -> first sent (monotonic)
        self._more = True
        self._acks: list[str] = []
        self._live: collections.deque[tuple[str, bytes, int, bool]] = collections.deque()
        self.counters = {"published": 0, "acked": 0, "refused": 0, "resends": 0,
                         "evidence_missing": 0, "live_dropped": 0, "bad_acks": 0,
                         "commands": 0, "inflight_peak": 0}
        outbox.on_enqueue(self._outbox_changed)

    # -- public ----------------------------------------------------------------------------

    def publish_live(self, suffix: str, payload: Mapping[str, Any], qos: int = 0,
                     retain: bool = False) -> None:
        """Send now if connected, else drop (health, state): never queued on disk."""
        if len(self._live) >= LIVE_QUEUE_MAX:
            self._live.popleft()
            self.counters["live_dropped"] += 1
        self._live.append((up_topic(self.kind, self.device, suffix),
                           json.dumps(payload, ensure_ascii=False).encode("utf-8"), qos, retain))
        self.wake()

    def health(self) -> dict[str, Any]:
        return {**self.link_health(), "inflight": len(self._inflight),
                "awaiting_ack": len(self._awaiting), **self.counters}

    # -- session hooks ---------------------------------------------------------------------

    def _outbox_changed(self) -> None:
        self._more = True
        self.wake()

    def _offline(self) -> str:
        return json.dumps({"online": False, "boot_id": self.birth.get("boot_id")})

    def _configure(self, client: mqtt.Client) -> None:
        client.will_set(up_topic(self.kind, self.device, "state"), self._offline(), qos=1,
                        retain=True)

    def _on_connected(self, client: mqtt.Client) -> None:
        client.subscribe([(down_topic(self.kind, self.device, "ack"), 1),
                          (down_topic(self.kind, self.device, "command"), 1)])
        client.publish(up_topic(self.kind, self.device, "state"), json.dumps(self.birth),
                       qos=1, retain=True)
        self._reset_sending()
        self._next_health = 0.0

    def _on_lost(self) -> None:
        self._inflight.clear()
        self._live.clear()

    def _reset_sending(self) -> None:
        """Send every un-acked row again from the start of each class."""
        self._inflight.clear()
        self._cursors = {}
        self._awaiting.clear()
        self._more = True

    def _on_stop(self, client: mqtt.Client) -> None:
        # A graceful goodbye does not fire the will; say offline ourselves.
        client.publish(up_topic(self.kind, self.device, "state"), self._offline(), qos=1,
                       retain=True)

    def _on_published(self, mid: int, reason: ReasonCode | None) -> None:
        item = self._inflight.pop(mid, None)
        if item is None:
            return
        self._more = True
        if reason is not None and reason.is_failure:
            self.counters["refused"] += 1
            self.last_error = (f"broker refused publish to .../up/{item.topic_suffix}: "
                               f"{reason}")
            log.error("publish refused", extra={"record_id": item.record_id,
                                                "reason": str(reason)})
        else:
            self.counters["published"] += 1

    def _on_message(self, client: mqtt.Client, message: mqtt.MQTTMessage) -> None:
        if message.topic.endswith("/down/ack"):
            self._queue_ack(bytes(message.payload))
        elif message.topic.endswith("/down/command") and self.commands is not None:
            self.counters["commands"] += 1
            result = self.commands.handle(bytes(message.payload), datetime.now(UTC))
            client.publish(up_topic(self.kind, self.device, "command-result"),
                           json.dumps(result.as_payload()), qos=1)

    def _queue_ack(self, payload: bytes) -> None:
        ids: Any = None
        if len(payload) <= MAX_ACK_BYTES:
            try:
                ids = json.loads(payload).get("record_ids")
            except (ValueError, AttributeError, UnicodeDecodeError):
                ids = None
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            self.counters["bad_acks"] += 1
            log.warning("ignored a malformed down/ack")
            return
        self._acks.extend(ids)

    def _apply_acks(self) -> None:
        """Remove acknowledged records, in one transaction per loop turn."""
        ids, self._acks = self._acks, []
        if not ids:
            return
        self.outbox.ack(ids)
        for rid in ids:
            if self._awaiting.pop(rid, None) is not None:
                self.counters["acked"] += 1
                self._more = True

    def _pump(self, client: mqtt.Client) -> float:
        now = time.monotonic()
        if self._awaiting:
            oldest = next(iter(self._awaiting.values()))
            if now - oldest > self.broker.ack_timeout_s and not self._inflight:
                self.counters["resends"] += 1
                log.warning("no ack in time: sending un-acked records again",
                            extra={"awaiting": len(self._awaiting)})
                self._reset_sending()
        while self._live:
            topic, data, qos, retain = self._live.popleft()
            client.publish(topic, data, qos=qos, retain=retain)
        if self.health_source is not None and now >= self._next_health:
            self._next_health = now + self.health_interval_s
            client.publish(up_topic(self.kind, self.device, "health"),
                           json.dumps(self.health_source(), default=str), qos=0)
        # Publish first, then pay for the ack transaction: new records do not wait for it.
        self._fill_window(client, now)
        self._apply_acks()
        # Acks may have opened the window: come straight back instead of waiting for I/O.
        return 0.0 if self._more and self._window_free() > 0 else IDLE_WAIT_S

    def _window_free(self) -> int:
        return min(self.broker.max_inflight - len(self._inflight),
                   self.broker.max_unacked - len(self._awaiting))

    def _fill_window(self, client: mqtt.Client, now: float) -> None:
        free = self._window_free()
        if free <= 0 or not self._more:
            return
        items = self.outbox.next_batch(self._cursors, free)
        if len(items) < free:
            self._more = False
        for item in items:
            try:
                data = self.outbox.message_for(item)
            except OSError as exc:
                self.counters["evidence_missing"] += 1
                self.last_error = f"evidence file unreadable: {exc}"
                log.error("evidence file unreadable", extra={"record_id": item.record_id,
                                                             "error": str(exc)})
                self._cursors[item.prio] = item.id
                continue
            info = client.publish(up_topic(self.kind, self.device, item.topic_suffix), data,
                                  qos=1)
            if info.rc != mqtt.MQTT_ERR_SUCCESS:
                self._more = True
                return
            self._inflight[info.mid] = item
            self.counters["inflight_peak"] = max(self.counters["inflight_peak"],
                                                 len(self._inflight))
            self._cursors[item.prio] = item.id
            self._awaiting.setdefault(item.record_id, now)


def birth_message(*, boot_id: str, software: str, config_version: str, public_key_b64: str,
                  since: datetime | None = None) -> dict[str, Any]:
    """The retained `up/state` birth payload (specs/mqtt.md)."""
    started = (since or datetime.now(UTC)).astimezone(UTC)
    return {"online": True, "boot_id": boot_id, "software": software,
            "config_version": config_version,
            "since": format_time(started),
            "public_key": public_key_b64, "signature_alg": "ed25519"}

