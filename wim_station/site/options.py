"""Settings of the WIM agent's violation pipeline (the `violations` section of a site YAML)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from edge.config.base import StrictModel


class ViolationSection(StrictModel):
    """How evidence is picked from the cameras and how the record is made."""

    # A front camera aimed at the sensor rows sees the front plate about when the first
    # axle crosses row 0; frames nearest this long after it are read first. Frames are
    # stamped when they arrive, so this also absorbs the camera's own latency.
    capture_offset_s: Annotated[float, Field(ge=-2, le=5)] = 0.3
    # Frames from `window_before_s` before the first-axle instant to `window_after_s` after
    # it (and never after the last axle) may show the vehicle; outside, the camera may see
    # the previous or the next one.
    window_before_s: Annotated[float, Field(ge=0, le=5)] = 0.0
    window_after_s: Annotated[float, Field(gt=0, le=10)] = 1.5
    # At most this many frames per camera go through the plate reader; it stops early on a
    # read at least `good_confidence` sure (the reader is calibrated so that a wrong read
    # rarely reaches 0.9: benchmarks/anpr.py).
    max_reads: Annotated[int, Field(ge=1, le=20)] = 5
    good_confidence: Annotated[float, Field(gt=0, le=1)] = 0.9
    photo_jpeg_quality: Annotated[int, Field(ge=30, le=100)] = 90
    # Keep the camera's own JPEG beside the annotated one: the untouched original.
    keep_original: bool = True
    # How the DAQ clock that times every passage is disciplined on this site.
    clock_source: Literal["gnss", "ntp", "unsynced"] = "gnss"
    # Passages waiting for the evidence worker; beyond this they are counted and dropped
    # rather than stalling the DAQ (health shows `jobs_dropped`).
    queue_max: Annotated[int, Field(ge=10, le=100_000)] = 1000
    # Colour and priority of the overload message on the sign.
    sign_colour: Literal["red", "green", "amber", "white"] = "red"
    sign_priority: Annotated[int, Field(ge=1, le=100)] = 10
