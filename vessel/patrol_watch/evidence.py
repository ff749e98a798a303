"""What a vessel violation carries: record details, annotated snapshots, the track, the warnings.

Pure functions of an `Incident` (and the frames the shell kept); the shell only moves the
results to the outbox.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import cv2
import numpy as np

from vessel.warnings import Incident, TargetObservation

KIND_ZH = {"boat": "船只", "person": "人员", "unknown": "目标"}
_TEXT_BGR = (255, 255, 255)
_BOX_BGR = (0, 0, 255)


def iso_utc(t_s: float) -> str:
    """ISO-8601 UTC with milliseconds and `Z`, from seconds since the epoch."""
    when = datetime.fromtimestamp(t_s, UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def _r(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def target_json(obs: TargetObservation) -> dict[str, Any]:
    """The target as the record states it: position, bearing (true and from the bow), range."""
    return {**obs.to_json(), "time": iso_utc(obs.t_s)}


def violation_details(incident: Incident, missing_evidence: Sequence[str] = ()) -> dict[str, Any]:
    """`details` of a vessel violation record (specs/mqtt.md): the zone, the target's
    bearing/range/position, the warnings issued and when, and the patrol boat."""
    own = incident.own
    return {
        "incident_id": incident.incident_id,
        "rule": incident.rule,
        "rule_type": incident.rule_type,
        "zone": incident.zone,
        "zone_polygon": [list(p) for p in incident.zone_polygon],
        "speed_limit_mps": incident.speed_limit_mps,
        "target": target_json(incident.last),
        "own": None if own is None else {
            "lat": round(own.lat_deg, 7), "lon": round(own.lon_deg, 7),
            "heading_deg": round(own.heading_deg, 1), "sog_mps": round(own.sog_mps, 2)},
        "first_seen": iso_utc(incident.t_start_s),
        "first_warning": None if incident.t_warned_s is None else iso_utc(incident.t_warned_s),
        "reported": iso_utc(incident.t_s),
        "dwell_s": round(incident.t_s - incident.t_start_s, 1),
        "cpa_m": _r(incident.cpa_m, 1),
        "tcpa_s": _r(incident.tcpa_s, 1),
        "warnings": [{**w.to_json(), "time": iso_utc(w.t_s)} for w in incident.warnings],
        "track_points": len(incident.track),
        "missing_evidence": list(missing_evidence),
    }


def incident_document(incident: Incident) -> bytes:
    """`incident.json`: the details plus every track point."""
    doc = {**violation_details(incident), "track": [target_json(o) for o in incident.track]}
    return json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True).encode()


def track_geojson(incident: Incident) -> bytes:
    """`track.geojson`: the target's track (a LineString with per-point times) and the zone."""
    coords = [[round(o.lon_deg, 7), round(o.lat_deg, 7)] for o in incident.track]
    features: list[dict[str, Any]] = [{
        "type": "Feature",
        "geometry": ({"type": "LineString", "coordinates": coords} if len(coords) > 1
                     else {"type": "Point", "coordinates": coords[0]}),
        "properties": {"track_id": incident.track_id, "kind": incident.kind,
                       "times": [iso_utc(o.t_s) for o in incident.track],
                       "speeds_mps": [_r(o.speed_mps, 2) for o in incident.track]},
    }]
    if incident.zone_polygon:
        ring = [[lon, lat] for lat, lon in incident.zone_polygon]
        features.append({"type": "Feature", "properties": {"zone": incident.zone},
                         "geometry": {"type": "Polygon", "coordinates": [ring + ring[:1]]}})
    if incident.own is not None:
        features.append({"type": "Feature", "properties": {"patrol_boat": True},
                         "geometry": {"type": "Point", "coordinates": [
                             round(incident.own.lon_deg, 7), round(incident.own.lat_deg, 7)]}})
    return json.dumps({"type": "FeatureCollection", "features": features},
                      ensure_ascii=False).encode()


def snapshot_lines(device_name: str, incident: Incident, obs: TargetObservation,
                   label: str) -> list[str]:
    """The lines burned into a snapshot: who, when, where we were, where the target was."""
    own = incident.own
    own_text = ("本船位置 未知" if own is None else
                f"本船 {own.lat_deg:.6f}, {own.lon_deg:.6f}  航向 {own.heading_deg:.0f}°")
    bearing = "?" if obs.bearing_deg is None else f"{obs.bearing_deg:.0f}°"
    rng = "?" if obs.range_m is None else f"{obs.range_m:.0f} m"
    speed = "?" if obs.speed_mps is None else f"{obs.speed_mps:.1f} m/s"
    return [
        f"{device_name}  {label}  {iso_utc(obs.t_s)}  规则 {incident.rule}"
        + (f"  区域 {incident.zone}" if incident.zone else ""),
        f"{own_text}  目标 #{obs.track_id} {KIND_ZH.get(obs.kind, obs.kind)}  方位 {bearing}  "
        f"距离 {rng}  航速 {speed}",
        f"目标位置 {obs.lat_deg:.6f}, {obs.lon_deg:.6f}  警告 {len(incident.warnings)} 次",
    ]


def annotate(image_bgr: np.ndarray, lines: Sequence[str],
             box: tuple[int, int, int, int] | None) -> np.ndarray:
    """A copy of the frame with `lines` in a band above it and the target boxed."""
    width = image_bgr.shape[1]
    line_px = max(16, round(width / 56))
    band = np.zeros((line_px * len(lines) + line_px // 2, width, 3), np.uint8)
    font = cv2.FontFace("uni")
    for i, text in enumerate(lines):
        baseline = round(line_px * (i + 0.85)) + line_px // 4
        cv2.putText(band, text, (line_px // 2, baseline), _TEXT_BGR, font, round(line_px * 0.75))
    photo = image_bgr.copy()
    if box is not None:
        x, y, w, h = box
        pad = max(3, w // 10)
        cv2.rectangle(photo, (x - pad, y - pad), (x + w + pad, y + h + pad), _BOX_BGR,
                      max(2, width // 640))
    return np.vstack([band, photo])


def encode_jpeg(image_bgr: np.ndarray, quality: int = 90) -> bytes:
    """JPEG bytes of an image (ValueError if OpenCV cannot encode it)."""
    ok, buf = cv2.imencode(".jpg", image_bgr, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("image could not be JPEG-encoded")
    return buf.tobytes()
