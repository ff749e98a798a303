"""The durable outbox: everything that must reach the central platform, on disk first."""

from edge.outbox.store import (
    BULK,
    EVIDENCE,
    PRIORITY_NAMES,
    VIOLATION,
    Outbox,
    OutboxError,
    OutboxFullError,
    OutboxItem,
)
from edge.outbox.violations import ViolationWriter

__all__ = [
    "BULK",
    "EVIDENCE",
    "PRIORITY_NAMES",
    "VIOLATION",
    "Outbox",
    "OutboxError",
    "OutboxFullError",
    "OutboxItem",
    "ViolationWriter",
]
