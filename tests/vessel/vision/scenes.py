"""Deterministic scenes shared by the vision tests."""

from __future__ import annotations

from simulators.lake_camera.scene import LakeScene, Look
from simulators.lake_camera.world import OwnPose, Target, relative_position
from vessel.vision.camera import CameraModel

CAMERA = CameraModel(width_px=1280, height_px=720, hfov_deg=70.0, height_m=2.0)
OWN = OwnPose(30.2446, 120.1410, heading_deg=45.0)


def look(glint: int = 150, shore_m: float | None = 1800.0, waves: float = 0.5) -> Look:
    """A fair day on the lake with glint in view of the camera."""
    return Look(
        sun_azimuth_deg=45.0, brightness=0.9,
        sky_horizon_bgr=(215.0, 200.0, 180.0), sky_zenith_bgr=(180.0, 120.0, 80.0),
        water_bgr=(90.0, 80.0, 55.0), wave_amplitude=waves, glint_per_frame=glint,
        shore_distance_m=shore_m, shore_height_m=15.0, visibility_m=8000.0, noise_sigma=2.0,
    )


def boat_at(range_m: float, bearing_deg: float, own: OwnPose = OWN, target_id: int = 1) -> Target:
    """A 7 m white cabin boat at a range and bearing (relative to the camera axis)."""
    import math

    b = math.radians(bearing_deg)
    lat, lon = relative_position(own, range_m * math.cos(b), range_m * math.sin(b))
    return Target(target_id, "boat", lat, lon, heading_deg=own.heading_deg + 90.0,
                  length_m=7.0, beam_m=2.5, freeboard_m=0.8, cabin_height_m=1.2,
                  color_bgr=(40, 40, 200), cabin_color_bgr=(235, 235, 235))


def scene(seed: int = 5, **kw: float) -> LakeScene:
    """A LakeScene with the fixed look."""
    return LakeScene(CAMERA, seed, look=look(**kw))  # type: ignore[arg-type]
