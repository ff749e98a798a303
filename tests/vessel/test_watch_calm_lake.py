"""The patrol watch on an empty lake with the demo's camera, under way: no obstacle reports.

The demo's patrol boat sat in "auto (stop)" because vision reported wave troughs near the bow
as obstacles 7-13 m ahead; the navigator must hear of nothing here.
"""

from __future__ import annotations

import time
from pathlib import Path

from edge.camera.frame import TimedFrame
from edge.mqtt import EdgeRuntime
from simulators.lake_camera.scene import LakeScene
from simulators.lake_camera.world import OwnPose, relative_position
from tests.vessel.e2e.scene import vessel_config
from tests.vessel.vision.test_calm_water import CRUISE_MPS, FPS, demo_camera
from vessel.patrol_watch import PatrolWatch, camera_model
from vessel.warnings import OwnState

DEMO_SCENE_SEED = 4  # edge.demo.sims vessel --seed


def test_empty_lake_under_way_reports_no_obstacle(tmp_path: Path) -> None:
    demo = demo_camera()
    cfg = vessel_config(tmp_path, width_px=demo.width_px, height_px=demo.height_px)
    assert cfg.camera is not None
    cfg = cfg.model_copy(update={"camera": cfg.camera.model_copy(update={
        "hfov_deg": demo.hfov_deg, "height_m": demo.height_m, "pitch_deg": demo.pitch_deg})})
    assert camera_model(cfg) == demo
    scene = LakeScene(demo, DEMO_SCENE_SEED)
    obstacles: list[tuple[float, float]] = []
    runtime = EdgeRuntime(cfg)  # outbox and signer; the link is never started
    watch = PatrolWatch(cfg, runtime, report_obstacle=lambda r, b: obstacles.append((r, b)))
    start = OwnPose(cfg.home.lat, cfg.home.lon, 90.0)
    t0 = time.time()
    try:
        watch.start(run_thread=False)
        for k in range(30):
            t = t0 + k / FPS
            lat, lon = relative_position(start, CRUISE_MPS * k / FPS, 0.0)
            watch.set_own(OwnState(t, lat, lon, start.heading_deg, CRUISE_MPS, start.heading_deg))
            image, _ = scene.render(OwnPose(lat, lon, start.heading_deg), (), t - t0)
            result, actions = watch.process_frame(TimedFrame(t, k, image))
            assert result.horizon_source == "image"
            assert actions == []
    finally:
        watch.close()
        runtime.stop()
    assert obstacles == []
    assert watch.counters["frames"] == 30
    assert watch.counters["detections"] == watch.counters["obstacle_reports"] == 0
