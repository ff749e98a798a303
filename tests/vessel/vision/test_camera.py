import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vessel.vision.camera import Attitude, CameraModel

angles = st.floats(-4.0, 4.0)


@settings(max_examples=150, deadline=None)
@given(
    bearing=st.floats(-30.0, 30.0),
    range_m=st.floats(5.0, 800.0),
    pitch=angles,
    roll=angles,
    mount_pitch=st.floats(-3.0, 6.0),
    yaw=st.floats(-40.0, 40.0),
)
def test_world_to_pixel_and_back(bearing, range_m, pitch, roll, mount_pitch, yaw):
    cam = CameraModel(pitch_deg=mount_pitch, mount_yaw_deg=yaw, height_m=2.5)
    att = Attitude(pitch, roll)
    px = cam.world_to_pixel(bearing, range_m, 0.0, att)
    assert px is not None
    assert cam.pixel_to_bearing_deg(*px, att) == pytest.approx(bearing, abs=1e-6)
    back = cam.pixel_to_range_m(*px, att)
    assert back is not None
    assert back == pytest.approx(range_m, rel=1e-6)


def test_pixel_above_horizon_has_no_range():
    cam = CameraModel()
    assert cam.pixel_to_range_m(640, 100) is None
    assert cam.pixel_to_range_m(639.5, 700) == pytest.approx(
        2.0 / math.tan(math.atan((700 - 359.5) / cam.focal_px)), rel=1e-9
    )


def test_centre_pixel_is_on_axis_and_starboard_is_positive():
    cam = CameraModel(mount_yaw_deg=30.0)
    assert cam.pixel_to_bearing_deg(639.5, 500) == pytest.approx(0.0, abs=1e-9)
    assert cam.pixel_to_bearing_deg(1000, 500) > 0


@settings(max_examples=60, deadline=None)
@given(pitch=angles, roll=st.floats(-10.0, 10.0), dep=st.sampled_from([0.0, 0.05, 0.2]))
def test_attitude_recovered_from_its_horizon(pitch, roll, dep):
    cam = CameraModel(pitch_deg=1.5, mount_yaw_deg=15.0)
    line = cam.horizon_line(Attitude(pitch, roll), dep)
    assert line is not None
    att = cam.attitude_from_horizon(line, dep)
    assert att is not None
    assert att.pitch_deg == pytest.approx(pitch, abs=1e-3)
    assert att.roll_deg == pytest.approx(roll, abs=1e-3)


def test_roll_tilts_the_horizon_and_pitch_moves_it():
    cam = CameraModel()
    level = cam.horizon_line()
    assert level == pytest.approx((0.0, 359.5, 1279.0, 359.5))
    _, y1, _, y2 = cam.horizon_line(Attitude(0.0, 5.0)) or (0, 0, 0, 0)
    assert y2 < y1  # starboard down: the horizon rises on the right
    _, yc, _, _ = cam.horizon_line(Attitude(2.0, 0.0)) or (0, 0, 0, 0)
    assert yc == pytest.approx(359.5 - cam.focal_px * math.tan(math.radians(2.0)), abs=1e-6)


def test_bad_camera_rejected():
    with pytest.raises(ValueError):
        CameraModel(height_m=0.0)
    with pytest.raises(ValueError):
        CameraModel(hfov_deg=0.0)
