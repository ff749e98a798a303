"""GNSS: NMEA 0183 receiver reader, validation, epochs, and an NMEA encoder for simulators.

Pure path: `NmeaDecoder.feed(bytes) -> list[Fix]`. Shells: `open_gnss(url)` -> `GnssSource`
(`read(timeout_s)`, iteration, `start(on_fix)`, `health()`, `fix_age_s()`, `close()`).
"""

from vessel.gnss.config import GnssConfig
from vessel.gnss.decoder import NmeaDecoder
from vessel.gnss.fix import Fix, FixMode
from vessel.gnss.source import GnssSource, GnssSourceError, open_gnss, open_gnss_config

__all__ = [
    "Fix",
    "FixMode",
    "GnssConfig",
    "GnssSource",
    "GnssSourceError",
    "NmeaDecoder",
    "open_gnss",
    "open_gnss_config",
]
