"""Agent lifecycle: stop signals, progress-gated systemd watchdog, health aggregation."""
