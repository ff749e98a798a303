"""The topic tree `enf/v1/{kind}/{device}/{up|down}/...` (specs/mqtt.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass

ROOT = "enf/v1"
UP_WILDCARD = f"{ROOT}/+/+/up/#"
_DEVICE = re.compile(r"^[a-z0-9-]{1,64}$")
KINDS = ("vessel", "wim")


def up_topic(kind: str, device: str, suffix: str) -> str:
    """e.g. up_topic("wim", "site-1", "violation") -> enf/v1/wim/site-1/up/violation."""
    return f"{ROOT}/{kind}/{device}/up/{suffix}"


def down_topic(kind: str, device: str, suffix: str) -> str:
    """e.g. down_topic("wim", "site-1", "ack") -> enf/v1/wim/site-1/down/ack."""
    return f"{ROOT}/{kind}/{device}/down/{suffix}"


def shared(topic_filter: str, group: str | None) -> str:
    """The `$share/{group}/...` form of a filter when a group is configured."""
    return f"$share/{group}/{topic_filter}" if group else topic_filter


@dataclass(frozen=True)
class Topic:
    """A parsed topic: `suffix` is what follows up/ or down/ (e.g. `evidence/{record_id}`)."""

    kind: str
    device: str
    direction: str
    suffix: str


def parse_topic(topic: str) -> Topic | None:
    """The parts of one of our topics, or None for anything else."""
    parts = topic.split("/", 5)
    if len(parts) != 6 or f"{parts[0]}/{parts[1]}" != ROOT:
        return None
    _, _, kind, device, direction, suffix = parts
    if kind not in KINDS or not _DEVICE.match(device) or direction not in ("up", "down"):
        return None
    return Topic(kind, device, direction, suffix)
