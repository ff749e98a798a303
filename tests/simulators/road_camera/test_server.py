"""The camera simulator over real HTTP on loopback."""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Iterator

import cv2
import numpy as np
import pytest

from simulators.errors import SimulatorError
from simulators.road_camera.scene import SceneOptions
from simulators.road_camera.server import CameraServer, RoadCamera


@pytest.fixture
def server() -> Iterator[CameraServer]:
    camera = RoadCamera(SceneOptions(640, 360, plate_width_px=150.0))
    with CameraServer(camera, fps=20.0) as srv:
        yield srv


def _get(port: int, path: str) -> tuple[http.client.HTTPResponse, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp, resp.read()
    finally:
        conn.close()


def _read_parts(port: int, count: int) -> list[tuple[dict[str, str], bytes]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", "/stream.mjpg")
        resp = conn.getresponse()
        ctype = resp.getheader("Content-Type", "")
        assert ctype.startswith("multipart/x-mixed-replace")
        boundary = ctype.split("boundary=")[1].encode()
        parts: list[tuple[dict[str, str], bytes]] = []
        while len(parts) < count:
            line = resp.fp.readline().strip()
            if line != b"--" + boundary:
                continue
            headers: dict[str, str] = {}
            while (h := resp.fp.readline().strip()):
                k, v = h.decode().split(":", 1)
                headers[k.strip().lower()] = v.strip()
            parts.append((headers, resp.fp.read(int(headers["content-length"]))))
        return parts
    finally:
        conn.close()


def test_mjpeg_stream_serves_decodable_timestamped_frames(server: CameraServer) -> None:
    parts = _read_parts(server.port, 3)
    stamps = [int(h["x-timestamp-us"]) for h, _ in parts]
    assert stamps == sorted(stamps) and stamps[0] > 1_600_000_000_000_000
    for _, jpeg in parts:
        img = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
        assert img is not None and img.shape == (360, 640, 3)


def test_snapshot_and_truth_follow_show_vehicle(server: CameraServer) -> None:
    resp, body = _get(server.port, "/truth")
    assert json.loads(body)["plates"] == []
    server.camera.show_vehicle("浙F12345", "yellow", "truck", lane=1, until_s=time.time() + 60)
    resp, body = _get(server.port, "/truth")
    plates = json.loads(body)["plates"]
    assert [(p["text"], p["color"]) for p in plates] == [("浙F12345", "yellow")]
    assert len(plates[0]["box"]) == 4
    resp, jpeg = _get(server.port, "/snapshot.jpg")
    assert resp.status == 200 and int(resp.getheader("X-Timestamp-Us", "0")) > 0
    assert cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR) is not None
    server.camera.clear()
    assert json.loads(_get(server.port, "/truth")[1])["plates"] == []


def test_vehicle_leaves_the_view_at_until_s() -> None:
    now = [1000.0]
    camera = RoadCamera(SceneOptions(320, 180, plate_width_px=100.0), clock=lambda: now[0])
    camera.show_vehicle("浙AD12345", "green", "car", lane=2, until_s=1001.0)
    assert [t.text for t in camera.frame().truths] == ["浙AD12345"]
    now[0] = 1001.5
    assert camera.frame().truths == ()


def test_unknown_path_is_404_and_bad_requests_are_refused(server: CameraServer) -> None:
    assert _get(server.port, "/nope")[0].status == 404
    with pytest.raises(SimulatorError):
        server.camera.show_vehicle("浙F12345", "purple")
    with pytest.raises(SimulatorError):
        server.camera.show_vehicle("浙F12345", "blue", lane=9)
