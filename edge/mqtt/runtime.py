"""`EdgeRuntime`: what an agent needs to talk to the central platform, in one object.

    from edge.mqtt import EdgeRuntime
    from edge.evidence import EvidenceFile

    with EdgeRuntime(cfg) as rt:                     # cfg: any AgentConfig (wim, vessel)
        rt.register_command("set_mode", SetModeArgs, handle_set_mode)
        rt.add_health_source("gnss", gnss.health)    # merged into up/health every interval
        rid = rt.submit_violation("overload", time=t, position=None, details={...},
                                  evidence_files=[EvidenceFile("plate.jpg", "image/jpeg", jpg)],
                                  clock_source="gnss")
        rt.submit_bulk("passage", {...})             # wim; the vessel uses "track"
        rt.publish_live("health", {...})             # QoS 0, dropped while offline

`submit_*` return once the data is committed to the outbox (fsync'd): from then on it
survives a crash and is delivered when the link allows, exactly as signed.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

from edge import __version__
from edge.commands.registry import CommandRegistry
from edge.config.common import AgentConfig
from edge.evidence.files import EvidenceFile
from edge.evidence.keys import load_or_create_signer
from edge.mqtt.link import Link, birth_message
from edge.outbox.store import Outbox
from edge.outbox.violations import ViolationWriter

log = logging.getLogger(__name__)

BULK_TOPICS = ("passage", "track")


class _Ping(BaseModel):
    model_config = {"extra": "forbid"}


class EdgeRuntime:
    """Outbox + signer + MQTT link + commands + health for one agent; thread-safe."""

    def __init__(self, config: AgentConfig, *, software: str = f"edge {__version__}",
                 client_id: str | None = None) -> None:
        self.config = config
        self.device, self.kind = config.device.id, config.kind
        self.boot_id = str(uuid.uuid4())
        self.clock_source = "unsynced"
        self.clock_offset_s: float | None = None
        self.signer = load_or_create_signer(config.keys.signing_key_file)
        self.outbox = Outbox(config.outbox, self.device)
        self._writer = ViolationWriter(self.outbox, self.signer, self.device, self.kind)
        self.commands = CommandRegistry(memory=self.outbox)
        self.commands.register_command("ping", _Ping, lambda _args: "pong")
        self._health_sources: dict[str, Callable[[], Any]] = {}
        self._lock = threading.Lock()
        self.birth = birth_message(boot_id=self.boot_id, software=software,
                                   config_version=config.config_version,
                                   public_key_b64=self.signer.public_key_b64)
        self.link = Link(config.broker, self.kind, self.device, outbox=self.outbox,
                         birth=self.birth, commands=self.commands, health_source=self.health,
                         health_interval_s=config.health.interval_s, client_id=client_id)

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> EdgeRuntime:
        """Start the link thread (it connects and reconnects on its own)."""
        self.link.start()
        return self

    def stop(self) -> None:
        """Stop the link (graceful offline state) and close the outbox; safe twice."""
        self.link.stop()
        self.outbox.close()

    def __enter__(self) -> EdgeRuntime:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what agents call ------------------------------------------------------------------

    def submit_violation(self, type: str, time: datetime | str, position: Any,
                         details: Mapping[str, Any],
                         evidence_files: Sequence[EvidenceFile] = (),
                         clock_source: str | None = None) -> str:
        """Sign, chain and commit one violation record with its evidence; returns record_id.

        `position` is {"lat", "lon"}, a (lat, lon) pair, an object with .lat/.lon, or None
        for the configured site position. Raises EvidenceError on values the spec forbids
        and OutboxFullError when the disk budget's hard limit is reached.
        """
        if position is None:
            position = self.config.device.position
        record = self._writer.submit(type, time, position, details, evidence_files,
                                     clock_source or self.clock_source)
        return str(record["record_id"])

    def submit_bulk(self, topic_suffix: str, payload: Mapping[str, Any]) -> str | None:
        """Commit one `passage` or `track` message; returns its record_id (added to the
        payload), or None when the disk budget refuses low-priority data."""
        if topic_suffix not in BULK_TOPICS:
            raise ValueError(f"bulk topic must be one of {BULK_TOPICS}, not {topic_suffix!r}")
        return self.outbox.enqueue_bulk(topic_suffix, payload)

    def publish_live(self, topic_suffix: str, payload: Mapping[str, Any], qos: int = 0) -> None:
        """Publish now if online (e.g. an extra health or state message); never queued."""
        self.link.publish_live(topic_suffix, payload, qos=qos)

    def register_command(self, name: str, args_model: type[BaseModel],
                         handler: Callable[[Any], str | None]) -> None:
        """Handle `down/command` with this name: `handler(validated_args) -> detail | None`.

        Raise `edge.commands.CommandRejected("why")` to refuse. Runs on the link thread:
        return quickly.
        """
        self.commands.register_command(name, args_model, handler)

    def add_health_source(self, name: str, source: Callable[[], Any]) -> None:
        """`source()` is called at each health publication; its value goes under `name`."""
        with self._lock:
            self._health_sources[name] = source

    def set_clock(self, source: str, offset_s: float | None = None) -> None:
        """How the clock is set now (`gnss`, `ntp`, `unsynced`); the default for records."""
        self.clock_source, self.clock_offset_s = source, offset_s

    def health(self) -> dict[str, Any]:
        """The `up/health` payload: outbox, disk, link, clock and every added source."""
        out = self.outbox.health()
        body: dict[str, Any] = {
            "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "boot_id": self.boot_id,
            "outbox": out,
            "alarms": list(out["alarms"]),
            "link": self.link.health(),
            "clock": {"source": self.clock_source, "offset_s": self.clock_offset_s},
        }
        with self._lock:
            sources = dict(self._health_sources)
        for name, source in sources.items():
            try:
                body[name] = source()
            except Exception as exc:  # a broken sensor reading must not stop health
                body[name] = {"error": f"{type(exc).__name__}: {exc}"}
        return body

    # -- for tests and tools ---------------------------------------------------------------

    @property
    def public_key_b64(self) -> str:
        return self.signer.public_key_b64

    def wait_connected(self, timeout_s: float) -> bool:
        """True once connected; raises LinkError at once when the broker refused us."""
        return self.link.wait_connected(timeout_s)

    def wait_drained(self, timeout_s: float) -> bool:
        """True once every record has been acknowledged (outbox empty)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not any(self.outbox.depth().values()):
                return True
            time.sleep(0.02)
        return False
