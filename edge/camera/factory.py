"""Open a camera from its URL or config."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from edge.camera.base import FrameSource
from edge.camera.config import CameraConfig
from edge.camera.http import HttpSnapshotSource, MjpegHttpSource
from edge.camera.opencv import ImageFolderSource, OpenCvSource


def open_frame_source(
    url: str, *, fps: float = 10.0, poll_s: float = 1.0, loop: bool = True, **kwargs: Any
) -> FrameSource:
    """The camera named by `url`, already grabbing in the background.

    `fps`: image-folder rate; `poll_s`: snapshot-camera poll; `loop`: files/folders restart
    at the end. kwargs: buffer_s, max_buffer_bytes, read_timeout_s, stall_after_s,
    backoff_min_s, backoff_max_s, clock.
    """
    scheme = urlsplit(url).scheme.lower()
    if scheme in ("snapshot+http", "snapshot+https"):
        return HttpSnapshotSource(url, poll_s=poll_s, **kwargs)
    if scheme in ("http", "https"):
        return MjpegHttpSource(url, **kwargs)
    if scheme in ("rtsp", "rtsps", "rtmp"):
        return OpenCvSource(url, url, **kwargs)
    if scheme in ("ffmpeg+http", "ffmpeg+https"):
        return OpenCvSource(url, url.removeprefix("ffmpeg+"), **kwargs)
    if scheme == "device":
        return OpenCvSource(url, int(url.removeprefix("device://")), **kwargs)
    if re.fullmatch(r"/dev/video\d+", url):
        return OpenCvSource(url, url, **kwargs)
    if scheme in ("file", ""):
        path = Path(unquote(urlsplit(url).path) if scheme == "file" else url)
        if path.is_dir():
            return ImageFolderSource(url, path, fps=fps, loop=loop, **kwargs)
        return OpenCvSource(url, str(path), is_file=True, loop=loop, **kwargs)
    raise ValueError(
        f"unsupported camera URL {url!r} (rtsp://, http(s)://, snapshot+http(s)://, "
        "ffmpeg+http(s)://, device://N, /dev/videoN, file:// or a path)"
    )


def frame_source_from_config(config: CameraConfig) -> FrameSource:
    """The camera described by `config`."""
    return open_frame_source(
        config.url, fps=config.folder_fps, poll_s=config.snapshot_poll_s,
        buffer_s=config.buffer_s, max_buffer_bytes=int(config.max_buffer_mb * 1024 * 1024),
        read_timeout_s=config.read_timeout_s, stall_after_s=config.stall_after_s,
        backoff_max_s=config.backoff_max_s,
    )  # fmt: skip
