"""Config sections every agent has: identity, broker, outbox, keys, logging, health."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator

from edge.config.base import StrictModel

DeviceId = Annotated[str, Field(pattern=r"^[a-z0-9-]{1,64}$")]
"""The device id as the MQTT topic tree allows it (specs/mqtt.md)."""

Latitude = Annotated[float, Field(ge=-90.0, le=90.0)]
Longitude = Annotated[float, Field(ge=-180.0, le=180.0)]


class GeoPoint(StrictModel):
    """A position in decimal degrees, WGS-84."""

    lat: Latitude
    lon: Longitude


class DeviceSection(StrictModel):
    """Who this agent is."""

    id: DeviceId
    name: str = ""
    position: GeoPoint | None = None


class BrokerSection(StrictModel):
    """How to reach the central MQTT broker."""

    url: str = Field(
        default="mqtt://127.0.0.1:1883",
        pattern=r"^mqtts?://[^\s/:]+(:\d{1,5})?/?$",
        description="mqtt://host:port, or mqtts://host:port for TLS",
    )
    protocol: Literal["5", "3.1.1"] = "5"
    client_id: str | None = None
    username: str | None = None
    password_file: Path | None = Field(
        default=None, description="file holding the password (kept out of the config file)"
    )
    ca_file: Path | None = None
    cert_file: Path | None = None
    key_file: Path | None = None
    keepalive_s: Annotated[int, Field(ge=5, le=3600)] = 30
    max_inflight: Annotated[int, Field(ge=1, le=1000)] = 20
    reconnect_min_s: Annotated[float, Field(gt=0, le=60)] = 1.0
    reconnect_max_s: Annotated[float, Field(gt=0, le=3600)] = 60.0
    max_unacked: Annotated[int, Field(ge=1, le=100_000)] = Field(
        default=500,
        description="records sent but not yet named by down/ack; keeps the broker's queue "
        "towards a slow receiver below mosquitto's max_queued_messages (1000 by default), "
        "beyond which it drops QoS 1 messages it has already PUBACKed",
    )
    ack_timeout_s: Annotated[float, Field(ge=1, le=86400)] = Field(
        default=60.0,
        description="re-send records still not named by down/ack this long after sending",
    )
    connect_timeout_s: Annotated[float, Field(gt=0, le=300)] = Field(
        default=10.0, description="give up a connection attempt without CONNACK after this"
    )
    shared_group: str | None = Field(
        default=None, description="receivers only: $share group name to split the load"
    )

    @field_validator("protocol", mode="before")
    @classmethod
    def _protocol_as_text(cls, value: object) -> object:
        # `protocol: 5` in YAML is an int; both spellings mean the same thing.
        return str(value) if isinstance(value, int | float) else value


class OutboxSection(StrictModel):
    """The durable outbox on local disk and its budget."""

    path: Path = Path("var/outbox.sqlite")
    evidence_dir: Path = Path("var/evidence")
    disk_budget_mb: Annotated[float, Field(gt=0)] = 2048.0
    low_priority_share: Annotated[float, Field(gt=0, lt=1)] = Field(
        default=0.8,
        description="fraction of the budget above which passages/tracks are refused",
    )
    max_bulk_records: Annotated[int, Field(ge=100)] = Field(
        default=100_000, description="passages/tracks kept at most; oldest dropped first"
    )
    min_free_disk_mb: Annotated[float, Field(ge=0)] = Field(
        default=64.0,
        description="free space kept on the filesystem whatever the budget says (hard limit)",
    )


class KeysSection(StrictModel):
    """Where the device's Ed25519 signing key lives (created on first start, mode 0600)."""

    signing_key_file: Path = Path("var/keys/device.ed25519")


class LoggingSection(StrictModel):
    """Log level and format."""

    level: Literal["debug", "info", "warning", "error"] = "info"
    format: Literal["text", "json"] = "text"


class HealthSection(StrictModel):
    """How often health is published."""

    interval_s: Annotated[float, Field(ge=1, le=3600)] = 30.0


class AgentConfig(StrictModel):
    """The parts shared by every agent kind; each kind's schema extends this."""

    kind: str
    config_version: str = Field(default="1", description="free text, echoed in the birth message")
    device: DeviceSection
    broker: BrokerSection = BrokerSection()
    outbox: OutboxSection = OutboxSection()
    keys: KeysSection = KeysSection()
    logging: LoggingSection = LoggingSection()
    health: HealthSection = HealthSection()
