"""Config section for one camera, for agents to embed in their schemas."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from edge.config.base import StrictModel


class CameraConfig(StrictModel):
    """A camera by URL and how its ring buffer and reconnection behave."""

    url: str = Field(
        description=(
            "rtsp://…, http(s)://…/stream.mjpg (MJPEG), snapshot+http(s)://…/snap.jpg, "
            "ffmpeg+http(s)://… (MJPEG through OpenCV's FFmpeg), "
            "device://0 or /dev/video0, file:///video.mp4 or a folder of images"
        )
    )
    buffer_s: Annotated[float, Field(gt=0, le=600)] = Field(
        default=10.0, description="seconds of frames kept for look-back"
    )
    max_buffer_mb: Annotated[float, Field(gt=0)] = 512.0
    read_timeout_s: Annotated[float, Field(gt=0, le=60)] = 5.0
    stall_after_s: Annotated[float, Field(gt=0, le=60)] = Field(
        default=2.0, description="no frame for this long shows as 'stalled' in health"
    )
    backoff_max_s: Annotated[float, Field(gt=0, le=3600)] = 30.0
    folder_fps: Annotated[float, Field(gt=0, le=240)] = Field(
        default=10.0, description="frame rate of an image-folder source"
    )
    snapshot_poll_s: Annotated[float, Field(gt=0, le=3600)] = Field(
        default=1.0, description="background poll interval of a snapshot camera"
    )
