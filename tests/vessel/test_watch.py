"""The patrol watch fed frame by frame: rendered lake frames → vision → rules → screen (memory
display), speaker (WAV sink), obstacle reports, and a signed record in a real outbox."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from edge.camera.frame import TimedFrame
from edge.display import MemoryDisplay, MessageBoard, SignBoard
from edge.mqtt import EdgeRuntime
from edge.speaker import open_speaker, wav_info
from simulators.lake_camera.scene import LakeScene
from simulators.lake_camera.world import OwnPose
from tests.vessel.e2e.scene import ENTRY_AFTER_S, HEADING_DEG, scripted_targets, vessel_config
from vessel.patrol_watch import PatrolWatch, camera_model
from vessel.warnings import OwnState, ViolationDue, WarningIssued

FPS = 5.0
SCENE_SEED = 4


@pytest.mark.timeout(120)
def test_watch_warns_the_intruder_only_and_reports_it_with_evidence(tmp_path: Path) -> None:
    cfg = vessel_config(tmp_path)
    t0 = time.time()
    own = OwnState(t0, cfg.home.lat, cfg.home.lon, HEADING_DEG)
    scene = LakeScene(camera_model(cfg), SCENE_SEED)
    targets = scripted_targets(cfg, t0)
    obstacles: list[tuple[float, float]] = []
    runtime = EdgeRuntime(cfg)  # outbox and signer; the link is never started
    display = MemoryDisplay()
    screen = SignBoard(display, MessageBoard(None))
    speaker = open_speaker(f"wav://{tmp_path / 'voice'}")
    watch = PatrolWatch(cfg, runtime, screen=screen, speaker=speaker,
                        report_obstacle=lambda r, b: obstacles.append((r, b)))
    warned: list[WarningIssued] = []
    due: list[ViolationDue] = []
    try:
        watch.start(run_thread=False)
        for k in range(int((ENTRY_AFTER_S + 6.0) * FPS)):
            t = t0 + k / FPS
            watch.set_own(OwnState(t, own.lat_deg, own.lon_deg, own.heading_deg))
            image, _ = scene.render(OwnPose(own.lat_deg, own.lon_deg, HEADING_DEG),
                                    tuple(s.at(t) for s in targets), t - t0)
            _, actions = watch.process_frame(TimedFrame(t, k, image))
            warned += [a for a in actions if isinstance(a, WarningIssued)]
            due += [a for a in actions if isinstance(a, ViolationDue)]
        assert speaker.wait_idle(60)
        watch.close()  # finishes the report
        records = [json.loads(i.payload) for i in runtime.outbox.next_batch({}, 100)
                   if i.topic_suffix == "violation" and i.payload]
        files = {i.file_name for i in runtime.outbox.next_batch({}, 100) if i.file_name}
        shown = [m.text for _, m in display.shown if m is not None]
    finally:
        watch.close()
        speaker.close()
        screen.close()
        runtime.stop()

    # Only the intruder (moving south into the zone) was warned, first after its entry.
    assert warned, "nobody was warned"
    assert {w.incident.zone for w in warned} == {"Test harbour"}
    assert len({w.incident.track_id for w in warned}) == 1
    first = warned[0]
    assert first.step == 0 and first.incident.t_warned_s is not None
    assert first.incident.t_warned_s - t0 >= ENTRY_AFTER_S - 2.0  # never long before entry
    assert [w.step for w in warned] == [0, 1]
    assert len(due) == 1
    # Screen and voice.
    assert shown and all("Restricted area" in text for text in shown)
    sidecars = sorted((tmp_path / "voice").glob("*.json"))
    assert len(sidecars) == 4  # Chinese + English, first warning and the louder repeat
    said = [json.loads(p.read_text("utf-8")) for p in sidecars]
    assert [s["volume"] for s in said] == [1.0, 1.0, 2.0, 2.0]
    for path in sidecars:
        info = wav_info(path.with_suffix(".wav"))
        assert info.duration_s > 0.8 and info.rms > 300
    # The record, its details and its evidence.
    assert len(records) == 1
    rec = records[0]
    assert rec["type"] == "restricted_area" and rec["kind"] == "vessel"
    d = rec["details"]
    assert d["zone"] == "Test harbour" and d["missing_evidence"] == []
    assert [w["step"] for w in d["warnings"]] == [0, 1]
    assert d["target"]["range_m"] > 30 and d["target"]["bearing_deg"] is not None
    assert d["own"]["heading_deg"] == pytest.approx(HEADING_DEG)
    assert {e["name"] for e in rec["evidence"]} == files == {
        "first-warning.jpg", "violation.jpg", "track.geojson", "incident.json"}
    # Every located target reached the navigation failsafe, bearings from the bow.
    assert obstacles and all(-40 < b < 40 and r > 0 for r, b in obstacles)


def test_fixed_voice_texts_are_synthesised_before_any_warning(tmp_path: Path) -> None:
    cfg = vessel_config(tmp_path)
    runtime = EdgeRuntime(cfg)
    speaker = open_speaker(f"wav://{tmp_path / 'voice'}")
    try:
        watch = PatrolWatch(cfg, runtime, speaker=speaker)
        watch.prepare_voices()
        texts = [v.text for r in cfg.warnings.rules for v in r.voice if v.text]
        assert texts
        cached = sorted(speaker.synth.cache_dir.glob("tts-*.wav"))
        assert sorted(speaker.synth.synthesize(t) for t in texts) == cached  # made once, reused
        assert all(wav_info(p).duration_s > 0.5 for p in cached)
    finally:
        speaker.close()
        runtime.stop()
