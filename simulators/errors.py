"""The exception tree of the `simulators` package."""


class SimulatorError(Exception):
    """Base of every error raised by a simulator."""
