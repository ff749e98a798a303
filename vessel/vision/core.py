"""The on-water vision core: horizon, detection, classification, tracking, geolocation.

Pure: frames and their timestamps come in, results go out; no clock, no I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np
import numpy.typing as npt

from edge.geo import LocalFrame
from vessel.vision.camera import Attitude, CameraModel
from vessel.vision.config import VisionConfig
from vessel.vision.detect import Candidate, extract_band, find_candidates
from vessel.vision.horizon import Line, estimate_horizon
from vessel.vision.track import Measurement, Track, Tracker

Kind = Literal["boat", "person", "unknown"]


class GeoPose(Protocol):
    """The own boat's position (WGS-84) and true heading at the frame's time."""

    @property
    def lat_deg(self) -> float: ...
    @property
    def lon_deg(self) -> float: ...
    @property
    def heading_deg(self) -> float: ...


@dataclass(frozen=True)
class Detection:
    """A tracked target seen in this frame."""

    box: tuple[int, int, int, int]  # x, y, w, h in the frame
    kind: Kind
    score: float  # 0..1
    track_id: int
    bearing_deg: float | None  # relative to the camera axis, positive to starboard
    range_m: float | None  # horizontal, camera to the waterline contact
    # Filtered track position of the target's centre (a boat's is taken
    # `boat_centre_beyond_contact_m` beyond the contact) when the own pose is known.
    lat_deg: float | None = None
    lon_deg: float | None = None
    speed_mps: float | None = None  # from the track
    course_deg: float | None = None  # true when the own pose is known, else relative to bow
    width_m: float | None = None
    height_m: float | None = None


@dataclass(frozen=True)
class FrameResult:
    """What the core made of one frame."""

    t_s: float
    horizon: Line | None
    horizon_source: Literal["image", "attitude", "none"]
    attitude: Attitude  # the attitude the geometry used
    detections: tuple[Detection, ...]
    candidates: int  # salient blobs before persistence (diagnostics)


class VisionCore:
    """Feed frames in time order; `process` returns the tracked targets of each frame."""

    def __init__(self, camera: CameraModel, config: VisionConfig | None = None) -> None:
        self.camera = camera
        self.cfg = config or VisionConfig()
        self.tracker = Tracker(self.cfg)
        self._last_horizon: Line | None = None
        self._last_attitude: Attitude | None = None
        self._dip: tuple[float, float] | None = None  # (t_s, learnt dip of the water edge, deg)
        self._plane: LocalFrame | None = None
        self._bands: list[tuple[float, npt.NDArray[np.uint8]]] = []

    def process(
        self,
        frame_bgr: npt.NDArray[np.uint8],
        t_s: float,
        attitude: Attitude | None = None,
        own_pose: GeoPose | None = None,
        shore_distance_m: float | None = None,
    ) -> FrameResult:
        """Detect, classify, track and locate targets in one frame taken at `t_s`.

        `shore_distance_m` (e.g. from the chart, along the camera axis) says the found water
        edge is a shore, atan(height / distance) below the true horizon; without it the
        configured `horizon_depression_deg` is used, or, when an `attitude` comes with the
        frames, the dip learnt from it (see `depression_time_constant_s`).
        """
        cam, cfg = self.camera, self.cfg
        depression = cfg.horizon_depression_deg
        learn = False
        if shore_distance_m is not None and shore_distance_m > 0:
            depression = math.degrees(math.atan2(cam.height_m, shore_distance_m))
        elif attitude is not None and cfg.depression_time_constant_s > 0:
            learn = True
            if self._dip is not None:
                depression = min(2.0, max(0.0, self._dip[1]))
        if frame_bgr.ndim != 3 or frame_bgr.shape[:2] != (cam.height_px, cam.width_px):
            raise ValueError(
                f"frame {frame_bgr.shape} does not match the camera's "
                f"{cam.width_px}x{cam.height_px}"
            )
        f = cam.focal_px
        # Where to look for the horizon: the attitude's prediction, else last frame's line.
        if attitude is not None:
            predicted = cam.horizon_line(attitude, depression)
            search = cfg.horizon_search_deg
        elif self._last_horizon is not None:
            predicted, search = self._last_horizon, cfg.horizon_search_deg
        else:
            predicted = cam.horizon_line(Attitude(), depression)
            search = 2 * cfg.horizon_search_deg
        max_slope = math.tan(math.radians(cfg.max_roll_deg))
        found = estimate_horizon(frame_bgr, predicted, math.radians(search) * f, max_slope)
        geo_att: Attitude | None = None
        source: Literal["image", "attitude", "none"] = "none"
        if found is not None:
            self._last_horizon = found
            source = "image"
            if learn and attitude is not None:
                depression = self._learn_dip(found, attitude, t_s)
            if cfg.geometry_source == "horizon" or attitude is None:
                geo_att = cam.attitude_from_horizon(
                    found, depression, guess=attitude or self._last_attitude
                )
        if geo_att is None:
            geo_att = attitude or self._last_attitude or Attitude()
            if attitude is not None and found is None:
                source = "attitude"
        self._last_attitude = geo_att
        line = found or cam.horizon_line(geo_att, depression)
        if line is None:
            return FrameResult(t_s, None, "none", geo_att, (), 0)
        below = int(min(cam.height_px, f * cam.height_m / cfg.min_range_m + 4))
        band = extract_band(frame_bgr, line, cfg.band_above_px, below)
        min_dep_px = f * cam.height_m / cfg.max_range_m
        # Earlier bands, each within max_frame_gap_s of the next, for the glint-free minimum.
        previous: list[npt.NDArray[np.uint8]] = []
        t_next = t_s
        for t_prev, img in reversed(self._bands):
            if not 0 < t_next - t_prev <= cfg.max_frame_gap_s:
                break
            previous.append(img)
            t_next = t_prev
        cands = find_candidates(band, cfg, min_dep_px, previous)
        keep = max(0, len(self._bands) + 2 - cfg.steady_frames)
        self._bands = [*self._bands, (t_s, band.image)][keep:]
        return FrameResult(
            t_s,
            line if source != "none" else None,
            source,
            geo_att,
            self._track(cands, t_s, geo_att, own_pose),
            len(cands),
        )

    def _learn_dip(self, found: Line, attitude: Attitude, t_s: float) -> float:
        """Update and return the water edge's dip: the mean of IMU pitch minus edge pitch.

        The horizon is precise frame to frame but a shore sits an unknown angle below the
        true horizon; the IMU is noisy but unbiased by the shore. Their difference, averaged
        over `depression_time_constant_s`, is the dip (plus any IMU pitch bias).
        """
        cfg = self.cfg
        raw = self.camera.attitude_from_horizon(found, 0.0, guess=attitude)
        if raw is None:
            return self._dip[1] if self._dip is not None else cfg.horizon_depression_deg
        # Unclamped samples: clamping each at 0 would bias the mean up on open water.
        sample = attitude.pitch_deg - raw.pitch_deg
        if self._dip is None or t_s <= self._dip[0]:
            dip = sample  # first sample, or time went back: start again
        elif abs(sample - self._dip[1]) > cfg.depression_gate_deg:
            return max(0.0, self._dip[1])  # a mis-fitted edge or an IMU glitch
        else:
            a = 1.0 - math.exp(-(t_s - self._dip[0]) / cfg.depression_time_constant_s)
            dip = self._dip[1] + a * (sample - self._dip[1])
        self._dip = (t_s, dip)
        return min(2.0, max(0.0, dip))

    def _track(
        self, cands: list[Candidate], t_s: float, att: Attitude, own: GeoPose | None
    ) -> tuple[Detection, ...]:
        cam, cfg = self.camera, self.cfg
        f = cam.focal_px
        if own is not None and self._plane is None:
            self._plane = LocalFrame(own.lat_deg, own.lon_deg)
        if own is not None and self._plane is not None:
            sx, sy = self._plane.to_enu(own.lat_deg, own.lon_deg)
            axis_deg = own.heading_deg + cam.mount_yaw_deg
        else:
            sx, sy, axis_deg = 0.0, 0.0, cam.mount_yaw_deg
        meas: list[Measurement] = []
        geo: list[tuple[float, float, float, float, Kind]] = []
        for i, c in enumerate(cands):
            u, v = c.contact_px
            rng = cam.pixel_to_range_m(u, v, att)
            if rng is None or rng > cfg.max_range_m:
                continue
            brg = cam.pixel_to_bearing_deg(u, v, att)
            width_m, height_m = c.width_px * rng / f, c.height_px * rng / f
            if height_m < cfg.min_target_height_m:
                continue  # a ripple's crest: nothing afloat is this flat
            kind = self._classify(width_m, height_m)
            b = math.radians(axis_deg + brg)
            centre_m = rng + (cfg.boat_centre_beyond_contact_m if kind == "boat" else 0.0)
            x_m, y_m = sx + centre_m * math.sin(b), sy + centre_m * math.cos(b)
            meas.append(Measurement(x_m, y_m, sx, sy, kind, i))
            geo.append((brg, rng, width_m, height_m, kind))
        assigned = self.tracker.update(t_s, meas)
        out: list[Detection] = []
        for j, m in enumerate(meas):
            tr = assigned.get(m.payload)
            if tr is None or not tr.confirmed or not all(tr.hits[-2:]):
                continue  # a coasting track re-found counts once seen twice again
            c = cands[m.payload]
            brg, rng, width_m, height_m, _ = geo[j]
            lat = lon = None
            if own is not None and self._plane is not None:
                lat, lon = self._plane.to_geodetic(float(tr.x[0]), float(tr.x[1]))
            out.append(
                Detection(
                    box=c.box,
                    kind=tr.kind,  # type: ignore[arg-type]
                    score=_score(c, tr),
                    track_id=tr.track_id,
                    bearing_deg=brg,
                    range_m=rng,
                    lat_deg=lat,
                    lon_deg=lon,
                    speed_mps=tr.speed_mps,
                    course_deg=tr.course_deg,
                    width_m=width_m,
                    height_m=height_m,
                )
            )
        return tuple(out)

    def _classify(self, width_m: float, height_m: float) -> Kind:
        cfg = self.cfg
        if width_m <= cfg.person_max_width_m and height_m <= cfg.person_max_height_m:
            return "person"
        if width_m >= cfg.boat_min_width_m or height_m >= cfg.boat_min_height_m:
            return "boat"
        return "unknown"


def _score(c: Candidate, tr: Track) -> float:
    """Confidence from contrast and from how steadily the track is seen."""
    contrast = min(1.0, 0.5 + 0.25 * (c.saliency - 1.0))
    steady = sum(tr.hits) / max(1, len(tr.hits))
    return round(0.5 * contrast + 0.5 * steady, 3)
