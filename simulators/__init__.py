"""Hardware simulators and world models: they speak the same bytes as the real devices."""
