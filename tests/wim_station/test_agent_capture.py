"""Frames of the moment a vehicle crossed the sensors, from a real MJPEG camera, and its plate."""

from __future__ import annotations

import time

import pytest

from edge.camera import open_frame_source
from simulators.road_camera.scene import SceneOptions
from simulators.road_camera.server import CameraServer, RoadCamera
from tests.wim_station.e2e.site import wait_until
from wim_station.anpr import PlateRead, PlateReader
from wim_station.site.capture import candidate_frames, capture
from wim_station.site.options import ViolationSection


@pytest.fixture(scope="module")
def reader() -> PlateReader:
    return PlateReader()


def test_plate_read_from_the_frames_after_the_first_axle(reader: PlateReader) -> None:
    camera = RoadCamera(SceneOptions(1280, 720), lanes=2, seed=4)
    options = ViolationSection(capture_offset_s=0.3, window_after_s=3.0)
    with CameraServer(camera, fps=20) as server, open_frame_source(
            f"http://127.0.0.1:{server.port}/stream.mjpg", buffer_s=10) as source:
        wait_until(lambda: len(source.ring) > 2, 10, "idle road frames")
        camera.show_vehicle("浙F12345", "yellow", "truck", 1, time.time() + 30)
        t_first = time.time()
        wait_until(lambda: source.latest() is not None
                   and source.latest().t_s > t_first + 1.5, 10,  # type: ignore[union-attr]
                   "frames of the truck")
        frames = candidate_frames(source, t_first, options)
        assert frames and all(t_first <= f.t_s <= t_first + 3.0 for f in frames)
        offsets = [abs(f.t_s - t_first - 0.3) for f in frames]
        assert offsets == sorted(offsets)

        got = capture("lane1-front", source, t_first, reader.read, options)
        assert got.read is not None and got.read.text == "浙F12345"
        assert got.read.color == "yellow" and got.state == "streaming"
        # The still scene repeats one JPEG: it is read once however many frames show it.
        assert got.frames_read == 1
        assert got.frame_offset_s is not None and got.frame_offset_s >= 0

        def broken(_image: object) -> list[PlateRead]:
            raise RuntimeError("model file corrupt")

        blind = capture("lane1-front", source, t_first, broken, options)
        assert blind.frame is not None and blind.read is None  # the photo is still evidence
        assert blind.error == "no plate read"

        long_ago = capture("lane1-front", source, t_first - 100, reader.read, options)
        assert long_ago.frame is None and long_ago.error == "no frame near the passage"
        unmapped = capture("lane1-front", source, None, reader.read, options)
        assert unmapped.frame is None and unmapped.read is None


def test_window_scales_with_the_daq_rate(reader: PlateReader) -> None:
    camera = RoadCamera(SceneOptions(640, 360), lanes=2, seed=5)
    with CameraServer(camera, fps=20) as server, open_frame_source(
            f"http://127.0.0.1:{server.port}/stream.mjpg", buffer_s=10) as source:
        wait_until(lambda: len(source.ring) >= 30, 10, "1.5 s of frames")
        span = source.ring.span_s()
        assert span is not None
        t = span[0] + 0.1
        options = ViolationSection(window_after_s=1.0)
        full = candidate_frames(source, t, options)
        half = candidate_frames(source, t, options, rate=0.5)  # a 2x simulator
        assert max(f.t_s for f in half) <= t + 0.5 < max(f.t_s for f in full)
        # Never after the last axle: the next vehicle may be in view by then.
        short = candidate_frames(source, t, options, t_end_host_s=t + 0.5)
        assert short and max(f.t_s for f in short) <= t + 0.5 < max(f.t_s for f in full)
        # ... though never before the capture instant (a short, fast vehicle).
        brief = candidate_frames(source, t, options, t_end_host_s=t + 0.05)
        assert max(f.t_s for f in brief) > t + 0.2
        assert max(f.t_s for f in brief) <= t + options.capture_offset_s
