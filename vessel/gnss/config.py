"""Configuration of the GNSS receiver link."""

from __future__ import annotations

from pydantic import Field

from edge.config.base import StrictModel


class GnssConfig(StrictModel):
    """Where the receiver is and how strictly its sentences are checked."""

    url: str = "/dev/ttyUSB0"  # any pyserial URL (socket://, rfc2217://) or file:// for a replay
    # IEC 61162-1 (NMEA 0183) specifies 4800 baud; most USB receivers ship at 9600.
    baud: int = Field(9600, gt=0)
    require_checksum: bool = True  # NMEA 0183 makes the checksum optional; real lines are noisy
    # NMEA 0183 caps a sentence at 82 characters; proprietary lines run longer (u-blox PUBX ~ 150).
    max_line_bytes: int = Field(512, ge=82)
    reconnect_initial_s: float = Field(0.5, gt=0)  # first retry after the port vanished
    # Backoff ceiling: a USB receiver re-enumerates within a few seconds after a reset.
    reconnect_max_s: float = Field(5.0, gt=0)
