"""The exception tree of the `vessel` package."""


class VesselError(Exception):
    """Base of every error raised by the vessel."""


class NmeaError(VesselError):
    """An NMEA sentence was rejected; `raw` holds the offending bytes."""

    def __init__(self, message: str, raw: bytes = b"") -> None:
        super().__init__(message)
        self.raw = raw
