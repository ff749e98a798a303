"""What `edge check` accepts as working. Override with `edge check --thresholds FILE.yaml`."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from edge.config.base import StrictModel


class CheckThresholds(StrictModel):
    """Pass/fail limits of the self-test (not the agents' own limits)."""

    # Each device gets this long to open and show what it does; the whole check runs the
    # devices in parallel, so it takes about this long.
    device_timeout_s: Annotated[float, Field(gt=0, le=120)] = 6.0
    # How long a stream is watched to measure rates, zero levels and noise.
    sample_s: Annotated[float, Field(gt=0, le=60)] = 2.0
    # Seconds of samples arriving per second of wall clock: below this the DAQ (or the
    # host reading it) does not keep up and buffers grow. Measured over `sample_s`, so a
    # short burst after a stall still averages out.
    min_daq_realtime_ratio: Annotated[float, Field(gt=0, le=1)] = 0.75
    # A channel's resting level may sit this far from its configured zero_counts (ADC counts)
    # before the channel is reported: a strip this far off has drifted or is damaged.
    max_zero_offset_counts: Annotated[int, Field(ge=0)] = 2000
    # Robust noise (1.4826 × MAD of the resting signal) above this flags a channel.
    max_noise_counts: Annotated[float, Field(gt=0)] = 500.0
    # Cameras must stream at least this frame rate (MJPEG plates need ~5 fps at 60 km/h).
    min_camera_fps: Annotated[float, Field(gt=0)] = 2.0
    # GNSS: the newest position may be at most this old.
    max_fix_age_s: Annotated[float, Field(gt=0)] = 2.0
    min_satellites: Annotated[int, Field(ge=0)] = 4
    # Host clock against its reference (GNSS time or a GNSS-disciplined DAQ): evidence is
    # stamped by the host, and a vehicle at 100 km/h moves 14 m in 0.5 s.
    max_clock_offset_s: Annotated[float, Field(gt=0)] = 0.5
