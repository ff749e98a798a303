"""From the vision core's detections to the geographic observations the rules work on."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from edge.geo import wrap_deg
from vessel.warnings.model import OwnState, TargetObservation

if TYPE_CHECKING:  # the config loads without OpenCV
    from vessel.vision.core import Detection


def observations(detections: Iterable[Detection], t_s: float, own: OwnState | None,
                 mount_yaw_deg: float) -> list[TargetObservation]:
    """The located detections of one frame as observations; unlocated ones are left out.

    A detection has a position only when the frame came with the own pose; without it the
    rules cannot place a target in a zone, so it is not an observation (never a guess).
    """
    out: list[TargetObservation] = []
    for det in detections:
        if det.lat_deg is None or det.lon_deg is None:
            continue
        rel = None if det.bearing_deg is None else wrap_deg(det.bearing_deg + mount_yaw_deg)
        true = None if rel is None or own is None else (own.heading_deg + rel) % 360.0
        out.append(TargetObservation(
            t_s=t_s, track_id=det.track_id, kind=det.kind, lat_deg=det.lat_deg,
            lon_deg=det.lon_deg, speed_mps=det.speed_mps, course_deg=det.course_deg,
            bearing_deg=true, rel_bearing_deg=rel, range_m=det.range_m, box=det.box,
            score=det.score, width_m=det.width_m))
    return out
