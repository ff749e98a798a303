"""Camera sources against real loopback HTTP cameras, real video files and image folders."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from edge.camera import (
    CameraConfig,
    FrameSource,
    HttpSnapshotSource,
    ImageFolderSource,
    MjpegHttpSource,
    OpenCvSource,
    frame_source_from_config,
    open_frame_source,
)
from tests.edge.camera.http_camera import HttpCamera

FAST: dict[str, Any] = {
    "backoff_min_s": 0.05,
    "backoff_max_s": 0.2,
    "read_timeout_s": 1.0,
    "stall_after_s": 0.5,
}


def wait_for(predicate: Callable[[], bool], timeout_s: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


@pytest.fixture
def camera() -> Iterator[HttpCamera]:
    cam = HttpCamera()
    try:
        yield cam
    finally:
        cam.stop()


def test_mjpeg_stream_fills_the_ring(camera: HttpCamera) -> None:
    with open_frame_source(f"http://127.0.0.1:{camera.port}/stream.mjpg", **FAST) as source:
        assert isinstance(source, MjpegHttpSource)
        assert wait_for(lambda: len(source.ring) >= 10)
        health = source.health()
        latest = source.latest()
        assert latest is not None
        near = source.frames_near(latest.t_s, 0.5)
        assert source.closest(latest.t_s - 0.05) in near
    assert health.state == "streaming" and health.fps > 0 and health.bad_frames == 0
    assert latest.image.shape == (24, 32, 3)
    levels = [int(f.image.mean()) for f in near]
    assert levels == sorted(levels) or 0 in levels  # numbered frames, in order (until wrap)
    assert source.health().state == "closed"


def test_camera_unplugged_and_back(tmp_path: Path) -> None:
    cam = HttpCamera()
    port = cam.port
    source = open_frame_source(f"http://127.0.0.1:{port}/stream.mjpg", **FAST)
    try:
        assert wait_for(lambda: source.health().frames >= 5)
        cam.stop()
        assert wait_for(lambda: source.health().state == "reconnecting")
        kept = len(source.ring)
        assert kept >= 5 and source.latest() is not None
        assert source.health().last_error is not None
        cam = HttpCamera(port=port)
        before = source.health().frames
        assert wait_for(lambda: source.health().frames > before + 3)
        health = source.health()
        assert health.state == "streaming" and health.reconnects >= 1
    finally:
        source.close()
        source.close()
        cam.stop()


def test_dead_url_never_raises_and_reports(tmp_path: Path) -> None:
    with open_frame_source("http://127.0.0.1:9/stream.mjpg", **FAST) as source:
        assert wait_for(lambda: source.health().reconnects >= 2)
        health = source.health()
        assert source.latest() is None and source.snapshot() is None
    assert health.state in ("reconnecting", "connecting") and health.last_frame_age_s is None
    assert "cannot connect" in (health.last_error or "")


def test_not_an_mjpeg_stream_is_reported(camera: HttpCamera) -> None:
    with open_frame_source(f"http://127.0.0.1:{camera.port}/nothing", **FAST) as source:
        assert wait_for(lambda: "404" in (source.health().last_error or ""))


def test_stream_without_content_length(tmp_path: Path) -> None:
    cam = HttpCamera(with_length=False)
    try:
        with open_frame_source(f"http://127.0.0.1:{cam.port}/stream.mjpg", **FAST) as source:
            assert wait_for(lambda: len(source.ring) >= 3)
            assert source.latest().image.shape == (24, 32, 3)  # type: ignore[union-attr]
    finally:
        cam.stop()


def test_snapshot_camera(camera: HttpCamera) -> None:
    url = f"snapshot+http://127.0.0.1:{camera.port}/snap.jpg"
    with open_frame_source(url, poll_s=5.0, **FAST) as source:
        assert isinstance(source, HttpSnapshotSource)
        first = source.snapshot()
        second = source.snapshot()
        assert first is not None and second is not None and second.seq > first.seq
        assert second.jpeg().startswith(b"\xff\xd8")
        assert source.closest(second.t_s) is second
    with open_frame_source(
        f"snapshot+http://127.0.0.1:{camera.port}/missing.jpg", poll_s=5.0, **FAST
    ) as source:
        assert source.snapshot(timeout_s=1.0) is None
        assert "404" in (source.health().last_error or "")


def test_image_folder_plays_in_name_order(tmp_path: Path) -> None:
    for i in range(5):
        cv2.imwrite(str(tmp_path / f"f{i:03d}.png"), np.full((8, 8, 3), i * 40, np.uint8))
    (tmp_path / "notes.txt").write_text("ignored")
    with open_frame_source(f"file://{tmp_path}", fps=200.0, loop=False, **FAST) as source:
        assert isinstance(source, ImageFolderSource)
        assert wait_for(lambda: source.health().frames == 5)
        frames = source.frames_near(source.latest().t_s, 10.0)  # type: ignore[union-attr]
    assert [int(f.image[0, 0, 0]) for f in frames] == [0, 40, 80, 120, 160]


def test_ffmpeg_path_reads_the_same_stream(camera: HttpCamera) -> None:
    url = f"ffmpeg+http://127.0.0.1:{camera.port}/stream.mjpg"
    with open_frame_source(url, **FAST) as source:
        assert isinstance(source, OpenCvSource)
        assert wait_for(lambda: source.health().frames >= 3)
        assert source.latest().image.shape == (24, 32, 3)  # type: ignore[union-attr]


def test_video_file_is_paced_and_loops(tmp_path: Path) -> None:
    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 100.0, (64, 48))
    for i in range(5):
        writer.write(np.full((48, 64, 3), i * 50, np.uint8))
    writer.release()
    with open_frame_source(str(path), **FAST) as source:
        assert isinstance(source, OpenCvSource)
        assert wait_for(lambda: source.health().frames >= 12)
        health = source.health()
    assert health.reconnects == 0 and health.state == "streaming"


def test_missing_file_and_bad_urls() -> None:
    with open_frame_source("/nonexistent/clip.mp4", **FAST) as source:
        assert wait_for(lambda: "cannot open" in (source.health().last_error or ""))
    with pytest.raises(ValueError, match="unsupported camera URL"):
        open_frame_source("ftp://cam/x")


def test_config(camera: HttpCamera) -> None:
    config = CameraConfig(url=f"http://127.0.0.1:{camera.port}/stream.mjpg", buffer_s=0.2)
    source: FrameSource = frame_source_from_config(config)
    with source:
        assert wait_for(lambda: source.health().frames >= 30)
        oldest, newest = source.ring.span_s()  # type: ignore[misc]
        assert newest - oldest <= 0.2
