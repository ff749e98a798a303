"""Shared runtime of the enforcement edge agents: config, devices, outbox, MQTT, evidence."""

__version__ = "0.1.0"
