"""The exception tree of the `wim_station` package."""


class WimError(Exception):
    """Base of every error raised by the WIM station."""


class FrameError(WimError):
    """A DAQ frame or recording could not be decoded; `raw` holds the offending bytes."""

    def __init__(self, message: str, raw: bytes = b"") -> None:
        super().__init__(message)
        self.raw = raw
