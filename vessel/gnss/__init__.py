"""GNSS: NMEA 0183 receiver reader, validation, epochs, and an NMEA encoder for simulators."""

from vessel.gnss.decoder import NmeaDecoder
from vessel.gnss.fix import Fix, FixMode

__all__ = ["Fix", "FixMode", "NmeaDecoder"]
