import json
import urllib.request

import numpy as np

from simulators.lake_camera.scene import LakeScene
from simulators.lake_camera.server import LakeCameraServer
from simulators.lake_camera.world import FrameTruth
from tests.vessel.vision.scenes import CAMERA, OWN, boat_at, look


def test_truth_box_covers_the_drawn_boat():
    scene = LakeScene(CAMERA, 3, look=look(glint=0))
    boat = boat_at(60.0, 10.0)
    empty, _ = scene.render(OWN, [], 0.0)
    frame, truth = scene.render(OWN, [boat], 0.0)
    assert isinstance(truth, FrameTruth) and len(truth.objects) == 1
    obj = truth.objects[0]
    assert abs(obj.range_m - 60.0) < 0.01 and abs(obj.bearing_deg - 10.0) < 0.01
    diff = np.abs(frame.astype(int) - empty.astype(int)).sum(axis=2) > 40
    ys, xs = np.nonzero(diff)
    x, y, w, h = obj.box
    inside = (xs >= x - 2) & (xs < x + w + 2) & (ys >= y - 2) & (ys < y + h + 2)
    assert inside.mean() > 0.95
    assert diff[y : y + h, x : x + w].mean() > 0.3
    # the same world renders the same frame
    again, _ = scene.render(OWN, [boat], 0.0)
    assert np.array_equal(frame, again)


def test_targets_behind_or_out_of_view_have_no_truth():
    scene = LakeScene(CAMERA, 3, look=look())
    _, truth = scene.render(OWN, [boat_at(50.0, 170.0), boat_at(50.0, 60.0, target_id=2)], 0.0)
    assert truth.objects == ()


def test_server_serves_snapshot_truth_and_stream():
    scene = LakeScene(CAMERA, 3, look=look())
    with LakeCameraServer(scene) as server:
        base = f"http://127.0.0.1:{server.port}"
        server.update(OWN, [boat_at(80.0, 0.0)], 1.0)
        with urllib.request.urlopen(base + "/snapshot.jpg", timeout=5) as r:
            assert r.headers["Content-Type"] == "image/jpeg"
            assert r.read(3) == b"\xff\xd8\xff"
        with urllib.request.urlopen(base + "/truth", timeout=5) as r:
            truth = json.loads(r.read())
        assert truth["t_s"] == 1.0 and truth["objects"][0]["kind"] == "boat"
        body = json.dumps({"t_s": 2.0, "own": OWN.__dict__,
                           "targets": [boat_at(40.0, 5.0).to_dict()]}).encode()
        req = urllib.request.Request(base + "/world", data=body, method="POST")
        with urllib.request.urlopen(req, timeout=10) as r:
            assert r.status == 204
        with urllib.request.urlopen(base + "/truth", timeout=5) as r:
            assert abs(json.loads(r.read())["objects"][0]["range_m"] - 40.0) < 0.01
        with urllib.request.urlopen(base + "/stream.mjpg", timeout=5) as r:
            assert "multipart/x-mixed-replace" in r.headers["Content-Type"]
            server.update(OWN, [], 3.0)
            chunk = r.read(200)
            assert b"--lakecamframe" in chunk and b"image/jpeg" in chunk
        bad = urllib.request.Request(base + "/world", data=b"{nope", method="POST")
        try:
            urllib.request.urlopen(bad, timeout=5)
            raise AssertionError("expected 400")
        except urllib.error.HTTPError as exc:
            assert exc.code == 400
