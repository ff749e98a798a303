"""Camera sources by URL with a time-indexed ring buffer (`open_frame_source`)."""

from edge.camera.base import FrameSource, FrameSourceHealth
from edge.camera.config import CameraConfig
from edge.camera.errors import CameraDeviceError, CameraError
from edge.camera.factory import frame_source_from_config, open_frame_source
from edge.camera.frame import TimedFrame
from edge.camera.http import HttpSnapshotSource, MjpegHttpSource
from edge.camera.opencv import ImageFolderSource, OpenCvSource
from edge.camera.ring import FrameRing

__all__ = [
    "CameraConfig",
    "CameraDeviceError",
    "CameraError",
    "FrameRing",
    "FrameSource",
    "FrameSourceHealth",
    "HttpSnapshotSource",
    "ImageFolderSource",
    "MjpegHttpSource",
    "OpenCvSource",
    "TimedFrame",
    "frame_source_from_config",
    "open_frame_source",
]
