import json
import subprocess
import sys
from pathlib import Path

from simulators.lake_camera.__main__ import generate
from tests.vessel.vision.scenes import CAMERA

REPO = Path(__file__).resolve().parents[3]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vessel.vision", *args],
        capture_output=True, text=True, timeout=120, cwd=REPO,
    )


def test_cli_over_generated_folder_prints_json_lines(tmp_path):
    generate(tmp_path / "frames", frames=8, seed=4, camera=CAMERA, fps=10.0)
    cam = tmp_path / "camera.json"
    cam.write_text(json.dumps({"width_px": 1280, "height_px": 720, "hfov_deg": 70.0,
                               "height_m": 2.0, "pitch_deg": 0.0, "mount_yaw_deg": 0.0}))
    proc = _run(str(tmp_path / "frames"), "--camera", str(cam), "--json")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 8
    for i, line in enumerate(lines):
        obj = json.loads(line)
        assert obj["frame"] == i
        assert isinstance(obj["elapsed_ms"], float)
        assert obj["horizon"] is None or len(obj["horizon"]) == 4
        for det in obj["detections"]:
            assert set(det) >= {"box", "kind", "score", "track_id", "bearing_deg", "range_m"}
            assert det["kind"] in ("boat", "person", "unknown")
            assert len(det["box"]) == 4
    truth = [json.loads(x) for x in (tmp_path / "frames" / "truth.jsonl").read_text().splitlines()]
    assert len(truth) == 8 and truth[0]["image"] == "frame_00000.jpg"


def test_cli_bad_source_exits_2(tmp_path):
    proc = _run(str(tmp_path / "missing"), "--json")
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "missing" in proc.stderr


def test_cli_bad_camera_json_exits_2(tmp_path):
    (tmp_path / "f").mkdir()
    cam = tmp_path / "camera.json"
    cam.write_text('{"width_px": 1280, "focal": 3}')
    proc = _run(str(tmp_path / "f"), "--camera", str(cam), "--json")
    assert proc.returncode == 2
    assert "focal" in proc.stderr


def test_cli_frame_size_mismatch_exits_2(tmp_path):
    generate(tmp_path / "frames", frames=1, seed=4, camera=CAMERA, fps=10.0)
    cam = tmp_path / "camera.json"
    cam.write_text(json.dumps({"width_px": 640, "height_px": 480}))
    proc = _run(str(tmp_path / "frames"), "--camera", str(cam), "--json")
    assert proc.returncode == 2
    assert "640x480" in proc.stderr


def test_cli_reads_camera_from_vessel_config(tmp_path):
    generate(tmp_path / "frames", frames=3, seed=4, camera=CAMERA, fps=10.0)
    proc = _run(str(tmp_path / "frames"), "--config", str(REPO / "config" / "vessel.yaml"), "--json")
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.splitlines()) == 3
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: vessel\n")
    proc = _run(str(tmp_path / "frames"), "--config", str(bad), "--json")
    assert proc.returncode == 2
    assert "bad.yaml" in proc.stderr
