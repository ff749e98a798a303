"""What the agent publishes about a vehicle: passage payloads, violation details, photo text.

Pure functions of the passage, the decision and what the cameras gave; the agent only moves
the results to the outbox and the sign.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from wim_station.core import Passage
from wim_station.rules import OverloadDecision
from wim_station.site.capture import CameraCapture

COLOR_NAMES_ZH = {"blue": "蓝", "yellow": "黄", "green": "绿", "yellow-green": "黄绿",
                  "white": "白", "black": "黑"}


def iso_utc(t_us: float) -> str:
    """ISO-8601 UTC with milliseconds and `Z`, from µs since the epoch."""
    when = datetime.fromtimestamp(t_us / 1e6, UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def passage_id(device: str, passage: Passage) -> str:
    """A stable id of a passage: the device, the lane and the DAQ time of its first axle."""
    return f"{device}-l{passage.lane}-{passage.t_first_axle_us}"


def passage_payload(device: str, passage: Passage, decision: OverloadDecision) -> dict[str, Any]:
    """The `up/passage` message: the `tools.md` replay fields plus ids and time, no images."""
    return {
        "passage_id": passage_id(device, passage),
        "time": iso_utc(passage.t_first_axle_us),
        **passage.to_json(),
        **decision.to_json(),
    }


def axle_rows(passage: Passage) -> list[dict[str, Any]]:
    """Per-axle loads with the left/right split and the estimate of each sensor row."""
    return [
        {
            "load_kg": round(a.load_kg, 1),
            "spacing_m": None if a.spacing_m is None else round(a.spacing_m, 3),
            "left_kg": None if a.left_kg is None else round(a.left_kg, 1),
            "right_kg": None if a.right_kg is None else round(a.right_kg, 1),
            "row_loads_kg": [None if x is None else round(x, 1) for x in a.row_loads_kg],
            "group": a.group,
            "speed_mps": round(a.speed_mps, 3),
            "t_us": round(a.t_us),
        }
        for a in passage.axles
    ]


def overload_details(device: str, passage: Passage, decision: OverloadDecision,
                     captures: Sequence[CameraCapture], plate: CameraCapture | None,
                     missing_evidence: Sequence[str]) -> dict[str, Any]:
    """`details` of an `overload` record (specs/mqtt.md): plate, lane, speed, axles, weights,
    limit, excess, tolerance, calibration, validity, severity and what evidence is missing."""
    read = plate.read if plate is not None else None
    return {
        "passage_id": passage_id(device, passage),
        "plate": read.text if read else None,
        "plate_color": read.color if read else None,
        "plate_confidence": round(read.confidence, 3) if read else None,
        "plate_camera": plate.camera_id if read and plate else None,
        "lane": passage.lane,
        "speed_mps": round(passage.speed_mps, 3),
        "speed_kmh": round(passage.speed_kmh, 2),
        "accel_mps2": round(passage.accel_mps2, 3),
        "axle_count": passage.axle_count,
        "class_code": passage.class_code,
        "vehicle_kind": passage.vehicle_kind,
        "axles": [a.to_json() for a in passage.axles],
        "gvw_kg": round(passage.gvw_kg, 1),
        "limit_kg": decision.limit_kg,
        "limit_rule": decision.limit_rule,
        "excess_kg": round(passage.gvw_kg - decision.limit_kg, 1),
        "excess_pct": round(decision.excess_pct, 2),
        "tolerance_pct": decision.tolerance_pct,
        "gvw_after_tolerance_kg": round(decision.gvw_after_tolerance_kg, 1),
        "excess_after_tolerance_kg": round(decision.excess_kg, 1),
        "excess_after_tolerance_pct": round(decision.excess_kg / decision.limit_kg * 100, 2),
        "severity": decision.severity,
        "heavy_flag": decision.heavy_flag,
        "reason": decision.reason,
        "calibration_version": passage.calibration_version,
        "valid": passage.valid,
        "flags": list(passage.flags),
        "temperature_c": passage.temperature_c,
        "t_first_axle_us": passage.t_first_axle_us,
        "t_last_axle_us": round(passage.axles[-1].t_us) if passage.axles else None,
        "cameras": {c.camera_id: {"state": c.state, "frame_time": None if c.frame is None
                                  else iso_utc(c.frame.t_s * 1e6),
                                  "frame_offset_s": None if c.frame_offset_s is None
                                  else round(c.frame_offset_s, 3),
                                  "frames_read": c.frames_read,
                                  "plate": c.read.text if c.read else None, "error": c.error}
                    for c in captures},
        "missing_evidence": list(missing_evidence),
    }


def weighing_document(device: str, passage: Passage, decision: OverloadDecision) -> bytes:
    """The `weighing.json` evidence file: the full measurement with per-axle and per-row loads."""
    doc = {
        "device": device,
        "passage_id": passage_id(device, passage),
        "time": iso_utc(passage.t_first_axle_us),
        **passage.to_json(),
        "axles": axle_rows(passage),
        "decision": {**decision.to_json(), "tolerance_pct": decision.tolerance_pct,
                     "gvw_after_tolerance_kg": round(decision.gvw_after_tolerance_kg, 1),
                     "reason": decision.reason},
    }
    return json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True).encode()


def photo_lines(site_name: str, device: str, passage: Passage, decision: OverloadDecision,
                plate: CameraCapture | None, camera_id: str) -> list[str]:
    """The lines burned into an enforcement photo."""
    read = plate.read if plate is not None else None
    plate_text = (f"{read.text} {COLOR_NAMES_ZH.get(read.color, read.color)}"
                  if read else "未识别")
    excess_kg = passage.gvw_kg - decision.limit_kg
    return [
        f"{site_name or device}  {device}  车道 {passage.lane}  相机 {camera_id}  "
        f"{iso_utc(passage.t_first_axle_us)}",
        f"号牌 {plate_text}  车速 {passage.speed_kmh:.1f} km/h  轴数 {passage.axle_count} "
        f"({passage.class_code})  总重 {passage.gvw_kg / 1000:.2f} t",
        f"限值 {decision.limit_kg / 1000:.1f} t  超限 {excess_kg / 1000:.2f} t "
        f"({decision.excess_pct:.1f}%)  扣除误差 {decision.tolerance_pct:g}% 后超限 "
        f"{decision.excess_kg / 1000:.2f} t  标定 {passage.calibration_version}",
    ]


def sign_values(passage: Passage, decision: OverloadDecision,
                plate: CameraCapture | None) -> dict[str, object]:
    """Values for the sign template (`SIGN_VALUES`); an unread plate names the lane instead."""
    read = plate.read if plate is not None else None
    return {
        "plate": read.text if read else f"{passage.lane}车道车辆",
        "plate_color": COLOR_NAMES_ZH.get(read.color, read.color) if read else "",
        "lane": passage.lane,
        "excess_pct": round(decision.excess_pct),
        "excess_t": round((passage.gvw_kg - decision.limit_kg) / 1000, 1),
        "gvw_t": round(passage.gvw_kg / 1000, 1),
        "limit_t": round(decision.limit_kg / 1000, 1),
        "axles": passage.axle_count,
        "speed_kmh": round(passage.speed_kmh),
    }
