"""Test support: real services (mosquitto) and resource-leak checks."""
