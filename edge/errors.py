"""The exception tree of the `edge` package."""


class EdgeError(Exception):
    """Base of every error raised by the shared runtime."""


class ConfigError(EdgeError):
    """A configuration file is unreadable or invalid; `lines` holds one message per problem."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


class DeviceError(EdgeError):
    """A device could not be opened, read or written."""
