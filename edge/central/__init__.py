"""The reference central receiver: verifies, stores, acknowledges (specs/mqtt.md)."""

from edge.central.receiver import CentralReceiver
from edge.central.store import CentralStore

__all__ = ["CentralReceiver", "CentralStore"]
