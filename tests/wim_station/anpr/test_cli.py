"""`python -m wim_station.anpr` as tools.md specifies, run as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np

from simulators.road_camera.dataset import synthetic_frame

REPO = Path(__file__).resolve().parents[3]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "wim_station.anpr", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=120)


def test_json_one_object_per_image(tmp_path: Path) -> None:
    frame = synthetic_frame(7, 0)
    plate_jpg = tmp_path / "plate.jpg"
    plate_jpg.write_bytes(frame.jpeg)
    empty_png = tmp_path / "empty.png"
    cv2.imwrite(str(empty_png), np.full((720, 1280, 3), 100, np.uint8))
    proc = _run(str(plate_jpg), str(empty_png), "--json")
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [o["image"] for o in lines] == [str(plate_jpg), str(empty_png)]
    first = lines[0]["plates"][0]
    assert set(first) >= {"text", "color", "confidence", "box"}
    assert first["text"] == frame.truths[0].text
    assert first["color"] in ("blue", "yellow", "green", "yellow-green", "white", "black")
    assert len(first["box"]) == 4 and all(len(p) == 2 for p in first["box"])
    assert lines[1]["plates"] == []
    assert all(isinstance(o["elapsed_ms"], float) for o in lines)


def test_unreadable_image_exits_2_with_one_line(tmp_path: Path) -> None:
    junk = tmp_path / "junk.jpg"
    junk.write_bytes(b"\xff\xd8 not really a jpeg")
    proc = _run(str(junk), "--json")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1 and "junk.jpg" in proc.stderr
    missing = _run(str(tmp_path / "missing.jpg"))
    assert missing.returncode == 2 and "missing.jpg" in missing.stderr


def test_bad_arguments_exit_2() -> None:
    assert _run().returncode == 2
