"""End to end: lake simulator + lake camera (MJPEG) + screen simulator + vessel agent with its
patrol watch + real mosquitto + central receiver.

The patrol boat holds position facing east; a boat crosses into a restricted zone ahead of it
while another passes outside every zone. The intruder gets the screen text and the voice
warning (WAV sink: non-silent, as long as espeak-ng says it), then the louder repeat, then a
signed violation with evidence arrives at the central receiver; the passer gets nothing.
Latency figures: benchmarks/vessel_warnings.py.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from edge.central import CentralReceiver
from edge.central.store import CentralStore
from edge.evidence.verify import verify_evidence, verify_record
from edge.geo import distance_bearing
from edge.speaker import EspeakSynth, wav_info
from simulators.lake.environment import EnvironmentSpec
from simulators.vessel_site import SimulatedVessel
from tests.support.mosquitto import Mosquitto
from tests.vessel.e2e.scene import ENTRY_AFTER_S, HEADING_DEG, scripted_targets, vessel_config
from vessel.agent import VesselAgent

CALM = EnvironmentSpec(0.0, 0.0, 0.0, 0.0)


def wait_until(cond: Callable[[], Any], timeout_s: float, what: str) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = cond()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")


@pytest.mark.timeout(240)
def test_boat_entering_restricted_zone_is_warned_and_reported(
        tmp_path: Path, mosquitto: Mosquitto) -> None:
    cfg = vessel_config(tmp_path, mosquitto.url)
    assert cfg.speaker is not None and cfg.camera is not None
    voice_dir = Path(cfg.speaker.url.removeprefix("wav://"))
    site = SimulatedVessel(cfg, seed=4, boats=0, swimmers=0, fps=5.0,
                           png_dir=tmp_path / "screen", start_heading_deg=HEADING_DEG,
                           environment=CALM)
    receiver = CentralReceiver(mosquitto.url, tmp_path / "central.sqlite")
    agent = VesselAgent(cfg)
    agent.navigator.set_mode("hold", time.monotonic())  # propeller neutral: stay put
    try:
        receiver.start()
        site.start()
        agent.start()
        watch = agent.watch
        assert watch is not None
        wait_until(lambda: watch.counters["frames"] > watch.counters["no_own_pose"] + 3, 60,
                   "frames with the own pose")
        t0 = time.time()
        scripts = scripted_targets(cfg, t0)
        for script in scripts:
            site.add_target(script)
        wait_until(lambda: receiver.store.records(), 120, "the violation at the receiver")
        assert watch.speaker is not None and watch.speaker.wait_idle(60)
        # Let the scene run on (frames, not a sleep: a loaded machine processes fewer), then
        # every record committed by then is at the receiver: a wrong one would be counted.
        seen = watch.counters["frames"]
        wait_until(lambda: watch.counters["frames"] >= seen + 5, 60, "5 more frames")
        wait_until(lambda: watch.counters["violations"] + watch.counters["violation_errors"]
                   >= 1, 30, "the watch to count its violation")
        assert agent.runtime.wait_drained(60)

        def watch_health() -> Any:
            # up/health is sampled every interval_s, so it may predate the violation's
            # commit: wait for a publication that has counted it.
            device = receiver.store.device(cfg.device.id)
            watched = ((device or {}).get("health") or {}).get("watch") or {}
            counted = watched.get("violations", 0) + watched.get("violation_errors", 0)
            return device if counted >= 1 else None

        health = wait_until(watch_health, 60, "the watch's violation count in up/health")
    finally:
        agent.close()
        site.stop()
        receiver.stop()

    assert site.screen is not None
    shown = [m for m in site.screen.history() if m.text]
    store = CentralStore(tmp_path / "central.sqlite")
    try:
        records = store.records()
        evidence = {r["record_id"]: store.evidence(r["record_id"]) for r in records}
        chain = store.chain_problems()
    finally:
        store.close()
    entry_t = t0 + ENTRY_AFTER_S

    # Screen: the warning text, in red, shown once the intruder was at the zone.
    warnings_shown = [m for m in shown if "Restricted area" in (m.text or "")]
    assert warnings_shown and warnings_shown[0].colour == "red"
    assert warnings_shown[0].t_s > entry_t - 2.0  # not before it came near
    assert warnings_shown[0].png and Path(warnings_shown[0].png).exists()

    # Voice: Chinese and English, first warning and the louder repeat; real speech.
    said = [json.loads(p.read_text("utf-8")) for p in sorted(voice_dir.glob("*.json"))]
    assert [s["volume"] for s in said] == [1.0, 1.0, 2.0, 2.0]
    (tmp_path / "espeak").mkdir()
    synth = EspeakSynth(tmp_path / "espeak", voice=cfg.speaker.voice,
                        speed_wpm=cfg.speaker.speed_wpm)
    for path, s in zip(sorted(voice_dir.glob("*.wav")), said, strict=True):
        info = wav_info(path)
        expected = wav_info(synth.synthesize(s["text"]))
        assert info.duration_s == pytest.approx(expected.duration_s, rel=0.02)
        assert info.rms > 0.5 * expected.rms * s["volume"] or info.peak >= 32000
        assert s["duration_s"] == pytest.approx(info.duration_s, rel=0.01)

    # Exactly one violation: the intruder's, signed, chained, with its evidence.
    assert len(records) == 1 and chain == []
    rec = records[0]
    watched = health["health"]["watch"]
    assert watched["frames"] > 0 and watched["camera"]["frames"] > 0
    assert watched["violations"] == 1 and watched["violation_errors"] == 0
    assert verify_record(rec, health["public_key"]) == []
    assert verify_evidence(rec, evidence[rec["record_id"]]) == []
    assert rec["type"] == "restricted_area"
    d = rec["details"]
    assert d["zone"] == "Test harbour" and d["missing_evidence"] == []
    assert [w["step"] for w in d["warnings"]] == [0, 1]
    intruder, passer = scripts
    target_t = d["target"]["t_s"]
    to_intruder = distance_bearing(d["target"]["lat"], d["target"]["lon"],
                                   intruder.at(target_t).lat_deg, intruder.at(target_t).lon_deg)[0]
    to_passer = distance_bearing(d["target"]["lat"], d["target"]["lon"],
                                 passer.at(target_t).lat_deg, passer.at(target_t).lon_deg)[0]
    assert to_intruder < 15.0 < to_passer
    files = evidence[rec["record_id"]]
    assert set(files) == {"first-warning.jpg", "violation.jpg", "track.geojson", "incident.json"}
    for name in ("first-warning.jpg", "violation.jpg"):
        image = cv2.imdecode(np.frombuffer(files[name], np.uint8), cv2.IMREAD_COLOR)
        assert image is not None and image.shape[1] == cfg.camera.width_px
        assert image.shape[0] > cfg.camera.height_px  # the text band above the frame
    geo = json.loads(files["track.geojson"])
    assert geo["features"][0]["geometry"]["type"] == "LineString"
    assert {f["properties"].get("zone") for f in geo["features"]} >= {"Test harbour"}
