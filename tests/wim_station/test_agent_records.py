"""What the agent publishes: passage payloads, violation details, photo text, sign values."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from edge.display import render_template
from edge.evidence import EvidenceFile
from tests.wim_station.e2e.passages import T0_US, six_axle
from wim_station.anpr import PlateRead
from wim_station.config import RulesSection, SignSection
from wim_station.rules import decide
from wim_station.site.annotate import annotate_photo, encode_jpeg, plate_crop
from wim_station.site.capture import CameraCapture, best_capture
from wim_station.site.records import (
    overload_details,
    passage_payload,
    photo_lines,
    sign_values,
    weighing_document,
)

RULES = RulesSection()
BOX = ((100.0, 200.0), (280.0, 200.0), (280.0, 260.0), (100.0, 260.0))


def _capture(text: str | None, confidence: float = 0.97,
             camera: str = "lane1-front") -> CameraCapture:
    read = PlateRead(text, "yellow", confidence, BOX) if text else None
    return CameraCapture(camera, None, read, 1, "streaming", None, 1000.0)


def test_passage_payload_has_the_replay_fields_and_an_id() -> None:
    passage = six_axle(60_000)
    payload = passage_payload("site-1", passage, decide(passage, RULES))
    for key in ("lane", "t_first_axle_us", "speed_kmh", "axle_count", "axles", "gvw_kg",
                "class_code", "valid", "flags", "limit_kg", "overloaded", "excess_pct"):
        assert key in payload
    assert payload["passage_id"] == f"site-1-l1-{T0_US}"
    assert payload["time"].endswith("Z") and payload["overloaded"] is True
    json.dumps(payload)  # plain JSON, no images


def test_overload_details_carry_what_the_spec_asks() -> None:
    passage = six_axle(60_000)
    decision = decide(passage, RULES)
    details = overload_details("site-1", passage, decision, [_capture("浙F12345")],
                               _capture("浙F12345"), [])
    assert details["plate"] == "浙F12345" and details["plate_color"] == "yellow"
    assert details["lane"] == 1 and details["axle_count"] == 6
    assert details["speed_mps"] == pytest.approx(16.0)
    assert details["gvw_kg"] == 60_000 and details["limit_kg"] == 49_000
    assert details["excess_kg"] == 11_000
    assert details["excess_pct"] == pytest.approx(11_000 / 49_000 * 100, abs=0.01)
    assert details["tolerance_pct"] == 5.0
    assert details["excess_after_tolerance_kg"] == pytest.approx(60_000 * 0.95 - 49_000)
    assert details["calibration_version"] == "cal-7"
    assert details["valid"] is True and details["flags"] == []
    assert details["severity"] == "overloaded"
    assert details["missing_evidence"] == []
    assert details["cameras"]["lane1-front"]["plate"] == "浙F12345"


def test_missing_camera_is_named_and_plate_is_null() -> None:
    passage = six_axle(60_000)
    blind = CameraCapture("lane1-front", None, None, 0, "reconnecting", "no frame", 1000.0)
    details = overload_details("site-1", passage, decide(passage, RULES), [blind],
                               best_capture([blind]), ["lane1-front"])
    assert details["plate"] is None and details["missing_evidence"] == ["lane1-front"]
    assert details["cameras"]["lane1-front"]["state"] == "reconnecting"


def test_best_capture_prefers_the_surest_read() -> None:
    a, b, c = _capture(None, camera="a"), _capture("浙F12345", 0.8, "b"), _capture(
        "浙F12346", 0.95, "c")
    assert best_capture([a, b, c]) is c
    assert best_capture([a]) is None  # no frame, no read


def test_sign_template_of_the_site_config_renders() -> None:
    passage = six_axle(60_000)
    decision = decide(passage, RULES)
    template = SignSection(url="socket://127.0.0.1:1").overload_template
    text = render_template(template, sign_values(passage, decision, _capture("浙F12345")))
    assert text == "浙F12345 超限22%\n请驶入检测站"
    unread = render_template(template, sign_values(passage, decision, None))
    assert unread.startswith("1车道车辆 ")
    text.encode("gb2312")


def test_weighing_document_has_per_axle_and_per_row_loads() -> None:
    passage = six_axle(60_000)
    doc = json.loads(weighing_document("site-1", passage, decide(passage, RULES)))
    assert len(doc["axles"]) == 6
    assert doc["axles"][1]["row_loads_kg"] == [pytest.approx(60_000 * 0.18 * 1.01, abs=0.1),
                                               pytest.approx(60_000 * 0.18 * 0.99, abs=0.1)]
    assert doc["decision"]["limit_kg"] == 49_000
    EvidenceFile("weighing.json", "application/json", weighing_document(
        "site-1", passage, decide(passage, RULES)))


def test_annotated_photo_keeps_the_scene_and_adds_the_text_band() -> None:
    rng = np.random.default_rng(3)
    scene = rng.integers(0, 255, (720, 1280, 3), dtype=np.uint8)
    passage = six_axle(60_000)
    lines = photo_lines("G320 K12", "site-1", passage, decide(passage, RULES),
                        _capture("浙F12345"), "lane1-front")
    assert any("浙F12345" in line for line in lines)
    assert any("49.0 t" in line for line in lines)
    photo = annotate_photo(scene, lines, BOX)
    band = photo.shape[0] - scene.shape[0]
    assert band > 0 and photo.shape[1] == scene.shape[1]
    assert photo[:band].any()  # text drawn
    untouched = photo[band:][300:, 300:]
    assert np.array_equal(untouched, scene[300:, 300:])
    crop = plate_crop(scene, BOX)
    assert crop is not None and crop.shape[:2] == (79, 235)  # plate + 15 % each side
    decoded = cv2.imdecode(np.frombuffer(encode_jpeg(photo, 90), np.uint8), cv2.IMREAD_COLOR)
    assert decoded is not None and decoded.shape == photo.shape
