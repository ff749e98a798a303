"""Lake simulator: boat dynamics, current and wind, GNSS and helm over TCP, other targets, truth."""
