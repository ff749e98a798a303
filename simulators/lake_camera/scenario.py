"""Random but reproducible scenes: the own boat rolling and pitching, boats and swimmers moving.

A scenario is a run of segments; each segment is a new `LakeScene` (light, sea state, shore)
with its own targets, so one seed covers many conditions.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from edge.geo import destination_point
from simulators.lake_camera.scene import LakeScene
from simulators.lake_camera.world import FrameTruth, OwnPose, Target, relative_position
from vessel.vision.camera import CameraModel

_HULL_COLOURS = [
    (245, 245, 245), (40, 40, 200), (170, 90, 30), (40, 200, 230), (60, 110, 40),
    (128, 128, 128), (30, 120, 240), (35, 35, 35), (200, 200, 220), (90, 60, 150),
]
_HEAD_COLOURS = [(30, 35, 45), (25, 25, 25), (60, 80, 120), (30, 30, 220), (0, 200, 240),
                 (240, 240, 240), (200, 120, 20)]
_SKIN_COLOURS = [(120, 150, 200), (90, 120, 170), (60, 80, 120), (40, 40, 40)]

START_LAT_DEG, START_LON_DEG = 30.2446, 120.1410  # West Lake, Hangzhou


@dataclass(frozen=True)
class SimFrame:
    """One frame's worth of world state, with the scene that draws it."""

    index: int
    scene: LakeScene
    own: OwnPose
    targets: tuple[Target, ...]
    t_s: float

    def render(self) -> tuple[npt.NDArray[np.uint8], FrameTruth]:
        """(frame_bgr, FrameTruth) for this frame."""
        return self.scene.render(self.own, self.targets, self.t_s)


def scenario(
    camera: CameraModel,
    seed: int,
    n_frames: int,
    fps: float = 10.0,
    segment_frames: int = 100,
    max_boats: int = 3,
    max_swimmers: int = 2,
) -> Iterator[SimFrame]:
    """Yield `n_frames` frames of world state, a new scene every `segment_frames`."""
    index = 0
    segment = 0
    while index < n_frames:
        rng = np.random.default_rng([seed, segment])
        scene = LakeScene(camera, seed=int(rng.integers(0, 2**31)))
        own0 = OwnPose(START_LAT_DEG, START_LON_DEG, float(rng.uniform(0, 360)))
        own_speed = float(rng.uniform(0, 3))
        sea = scene.look.wave_amplitude
        motion = [
            (
                float(rng.uniform(0.3, 2.5) * sea),  # amplitude, deg
                float(rng.uniform(2.5, 6)),  # period, s
                float(rng.uniform(0, 6.3)),  # phase
            )
            for _ in range(2)
        ]
        targets = _spawn(rng, camera, own0, max_boats, max_swimmers)
        for k in range(min(segment_frames, n_frames - index)):
            t = k / fps
            lat, lon = destination_point(
                own0.lat_deg, own0.lon_deg, own0.heading_deg, own_speed * t
            )
            own = OwnPose(
                lat, lon, own0.heading_deg,
                pitch_deg=motion[0][0] * math.sin(2 * math.pi * t / motion[0][1] + motion[0][2]),
                roll_deg=motion[1][0] * math.sin(2 * math.pi * t / motion[1][1] + motion[1][2]),
            )
            moved = tuple(_moved(tg, t) for tg in targets)
            yield SimFrame(index, scene, own, moved, t + 1000.0 * segment)
            index += 1
        segment += 1


def _moved(tgt: Target, t_s: float) -> Target:
    lat, lon = destination_point(tgt.lat_deg, tgt.lon_deg, tgt.heading_deg, tgt.speed_mps * t_s)
    return replace(tgt, lat_deg=lat, lon_deg=lon)


def _spawn(
    rng: np.random.Generator, camera: CameraModel, own: OwnPose, max_boats: int, max_swimmers: int
) -> list[Target]:
    targets: list[Target] = []
    bearings: list[float] = []
    half = camera.hfov_deg / 2 - 6

    def free_bearing() -> float | None:
        for _ in range(20):
            b = float(rng.uniform(-half, half))
            if all(abs(b - o) > 6 for o in bearings):
                bearings.append(b)
                return b
        return None

    for _ in range(int(rng.integers(0, max_boats + 1))):
        b = free_bearing()
        if b is None:
            break
        rng_m = float(rng.uniform(15, 260))
        length = float(rng.uniform(3, 12))
        rel = math.radians(b + camera.mount_yaw_deg)
        lat, lon = relative_position(own, rng_m * math.cos(rel), rng_m * math.sin(rel))
        cabin = 0.0 if rng.random() < 0.35 else float(rng.uniform(0.7, 1.8))
        targets.append(
            Target(
                target_id=len(targets) + 1, kind="boat", lat_deg=lat, lon_deg=lon,
                heading_deg=float(rng.uniform(0, 360)),
                speed_mps=float(rng.choice([0, rng.uniform(1, 7)])),
                length_m=length, beam_m=float(np.clip(length * 0.35, 1.2, 4.0)),
                freeboard_m=float(rng.uniform(0.4, 1.1)), cabin_height_m=cabin,
                color_bgr=_HULL_COLOURS[int(rng.integers(len(_HULL_COLOURS)))],
                cabin_color_bgr=_HULL_COLOURS[int(rng.integers(len(_HULL_COLOURS)))],
            )
        )
    for _ in range(int(rng.integers(0, max_swimmers + 1))):
        b = free_bearing()
        if b is None:
            break
        rng_m = float(rng.uniform(10, 90))
        rel = math.radians(b + camera.mount_yaw_deg)
        lat, lon = relative_position(own, rng_m * math.cos(rel), rng_m * math.sin(rel))
        targets.append(
            Target(
                target_id=len(targets) + 1, kind="person", lat_deg=lat, lon_deg=lon,
                heading_deg=float(rng.uniform(0, 360)), speed_mps=float(rng.uniform(0, 0.5)),
                length_m=float(rng.uniform(0.3, 0.6)), beam_m=0.3, freeboard_m=0.0,
                cabin_height_m=0.0,
                color_bgr=_SKIN_COLOURS[int(rng.integers(len(_SKIN_COLOURS)))],
                cabin_color_bgr=_HEAD_COLOURS[int(rng.integers(len(_HEAD_COLOURS)))],
            )
        )
    return targets
