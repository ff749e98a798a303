"""The boat camera as a flat-water pinhole: pixels to bearing/range and world points to pixels.

Frames used here (all right-handed):

- level frame: x forward along the boat's heading, y to starboard, z down, origin at the
  camera, water plane at z = +height_m;
- boat frame: the level frame rotated by the boat's roll (positive starboard down) and pitch
  (positive bow down);
- camera optical frame: x right, y down, z along the optical axis (OpenCV convention).

The simulator renders through `world_to_pixel` and the vision core measures through
`pixel_to_ray`, so both sides agree by construction. Earth curvature is ignored: at 1 km the
water surface drops 8 cm below the tangent plane, which changes the angle to a target by
under 0.01 deg, far below a pixel.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

# The optical frame (right, down, forward) expressed in the level/boat axes (forward, right, down).
_OPTICAL_TO_MOUNT = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])


@dataclass(frozen=True)
class Attitude:
    """The boat's attitude: pitch positive bow down, roll positive starboard down."""

    pitch_deg: float = 0.0
    roll_deg: float = 0.0


@dataclass(frozen=True)
class CameraModel:
    """A camera mounted on the boat: intrinsics, mounting angles and height above the water."""

    width_px: int = 1280
    height_px: int = 720
    hfov_deg: float = 70.0
    height_m: float = 2.0
    pitch_deg: float = 0.0
    roll_deg: float = 0.0
    mount_yaw_deg: float = 0.0

    def __post_init__(self) -> None:
        if self.width_px <= 1 or self.height_px <= 1:
            raise ValueError(f"image size {self.width_px}x{self.height_px} px is too small")
        if not 1.0 <= self.hfov_deg <= 170.0:
            raise ValueError(f"hfov_deg {self.hfov_deg} must be within 1..170")
        if self.height_m <= 0.0:
            raise ValueError(f"height_m {self.height_m} must be above the water (> 0)")

    @property
    def focal_px(self) -> float:
        """Focal length in pixels (square pixels)."""
        return (self.width_px / 2.0) / math.tan(math.radians(self.hfov_deg) / 2.0)

    @property
    def center_px(self) -> tuple[float, float]:
        """Principal point, with pixel centres at integer coordinates."""
        return (self.width_px - 1) / 2.0, (self.height_px - 1) / 2.0

    def rotation(self, attitude: Attitude | None = None) -> FloatArray:
        """The matrix taking optical-frame vectors into the level frame."""
        att = attitude or Attitude()
        boat = _rot_y(-att.pitch_deg) @ _rot_x(att.roll_deg)
        mount = _rot_z(self.mount_yaw_deg) @ _rot_y(-self.pitch_deg) @ _rot_x(self.roll_deg)
        return boat @ mount @ _OPTICAL_TO_MOUNT

    def pixel_to_ray(
        self, u: npt.ArrayLike, v: npt.ArrayLike, attitude: Attitude | None = None
    ) -> FloatArray:
        """Unit-free viewing rays in the level frame, shape (..., 3), for pixel coordinates."""
        cx, cy = self.center_px
        f = self.focal_px
        uu = np.asarray(u, dtype=np.float64)
        vv = np.asarray(v, dtype=np.float64)
        optical = np.stack([(uu - cx) / f, (vv - cy) / f, np.ones_like(uu + vv)], axis=-1)
        result: FloatArray = optical @ self.rotation(attitude).T
        return result

    def pixel_to_bearing_deg(
        self, u: float, v: float, attitude: Attitude | None = None
    ) -> float:
        """Bearing of a pixel relative to the camera axis, positive to starboard."""
        ray = self.pixel_to_ray(u, v, attitude)
        return _wrap_deg(math.degrees(math.atan2(ray[1], ray[0])) - self.mount_yaw_deg)

    def pixel_to_range_m(
        self, u: float, v: float, attitude: Attitude | None = None
    ) -> float | None:
        """Horizontal range to where a pixel's ray meets flat water; None at/above the horizon."""
        ray = self.pixel_to_ray(u, v, attitude)
        if ray[2] <= 1e-9:
            return None
        t = self.height_m / ray[2]
        return float(t * math.hypot(ray[0], ray[1]))

    def level_to_pixel(
        self, points_m: npt.ArrayLike, attitude: Attitude | None = None
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Project level-frame points (forward, starboard, down from the camera), shape (..., 3).

        Returns (u, v, depth); points with depth <= 0 are behind the camera.
        """
        pts = np.asarray(points_m, dtype=np.float64)
        optical = pts @ self.rotation(attitude)  # R^T applied row-wise
        depth = optical[..., 2]
        safe = np.where(depth > 1e-9, depth, np.nan)
        cx, cy = self.center_px
        f = self.focal_px
        return cx + f * optical[..., 0] / safe, cy + f * optical[..., 1] / safe, depth

    def world_to_pixel(
        self,
        bearing_deg: float,
        range_m: float,
        height_above_water_m: float = 0.0,
        attitude: Attitude | None = None,
    ) -> tuple[float, float] | None:
        """Pixel of a point at a bearing (relative to the camera axis) and horizontal range."""
        az = math.radians(bearing_deg + self.mount_yaw_deg)
        point = [
            range_m * math.cos(az),
            range_m * math.sin(az),
            self.height_m - height_above_water_m,
        ]
        u, v, depth = self.level_to_pixel(point, attitude)
        if depth <= 1e-9:
            return None
        return float(u), float(v)

    def horizon_line(
        self, attitude: Attitude | None = None, depression_deg: float = 0.0
    ) -> tuple[float, float, float, float] | None:
        """(x1, y1, x2, y2) at the image's left and right edges of the line `depression_deg`
        below the horizontal (0 = the geometric horizon); None if it is not in the picture."""
        r = self.rotation(attitude)
        # Points on the line satisfy n . ray = 0 with n tilted down by the depression.
        dep = math.radians(depression_deg)
        cx, cy = self.center_px
        f = self.focal_px
        ys: list[float] = []
        for u in (0.0, float(self.width_px - 1)):
            xn = (u - cx) / f
            y = _solve_depression(r, xn, dep)
            if y is None:
                return None
            ys.append(float(cy + f * y))
        if max(ys) < 0 or min(ys) > self.height_px - 1:
            return None
        return 0.0, ys[0], float(self.width_px - 1), ys[1]

    def attitude_from_horizon(
        self,
        line: tuple[float, float, float, float],
        depression_deg: float = 0.0,
        guess: Attitude | None = None,
    ) -> Attitude | None:
        """The boat attitude that puts the horizon (`depression_deg` line) on `line`."""
        target = _line_params(line, self.width_px)
        att = guess or Attitude()
        for _ in range(8):
            cur_line = self.horizon_line(att, depression_deg)
            if cur_line is None:
                return None
            cur = _line_params(cur_line, self.width_px)
            err = np.subtract(target, cur)
            if abs(err[0]) < 1e-3 and abs(err[1]) < 1e-6:
                return att
            jac = np.zeros((2, 2))
            step = 0.01
            for j, d in enumerate(((step, 0.0), (0.0, step))):
                probe = Attitude(att.pitch_deg + d[0], att.roll_deg + d[1])
                pl = self.horizon_line(probe, depression_deg)
                if pl is None:
                    return None
                jac[:, j] = np.subtract(_line_params(pl, self.width_px), cur) / step
            try:
                delta = np.linalg.solve(jac, err)
            except np.linalg.LinAlgError:
                return None
            att = Attitude(att.pitch_deg + float(delta[0]), att.roll_deg + float(delta[1]))
        return att


def _solve_depression(r: FloatArray, xn: float, dep: float) -> float | None:
    """Normalised image y where the ray through (xn, y) sits `dep` rad below the horizontal.

    With ray = a + y * b (level frame), the condition ray_z = tan(dep) * |ray_xy| squared is
    a quadratic in y; the root with ray_z >= 0 (at or below the horizontal) is the answer.
    """
    a = r @ np.array([xn, 0.0, 1.0])
    b = r[:, 1]
    t2 = math.tan(dep) ** 2
    if t2 == 0.0:  # the horizon itself: a plane, so a straight line
        return None if abs(b[2]) < 1e-12 else float(-a[2] / b[2])
    qa = b[2] ** 2 - t2 * (b[0] ** 2 + b[1] ** 2)
    qb = 2 * (a[2] * b[2] - t2 * (a[0] * b[0] + a[1] * b[1]))
    qc = a[2] ** 2 - t2 * (a[0] ** 2 + a[1] ** 2)
    if abs(qa) < 1e-12:
        return None if abs(qb) < 1e-12 else -qc / qb
    disc = qb * qb - 4 * qa * qc
    if disc < -1e-9 * qb * qb:
        return None
    disc = max(disc, 0.0)
    roots = [(-qb + sq) / (2 * qa) for sq in (math.sqrt(disc), -math.sqrt(disc))]
    ok = [y for y in roots if (a[2] + y * b[2]) >= -1e-12 and abs(y) < 10]
    if not ok:
        return None
    # Of two valid roots (a cone cuts the image plane twice) the one nearer the centre row.
    return min(ok, key=abs)


def _line_params(line: tuple[float, float, float, float], width_px: int) -> tuple[float, float]:
    """(row at the image's centre column, slope) of a line given by two points."""
    x1, y1, x2, y2 = line
    slope = (y2 - y1) / (x2 - x1) if x2 != x1 else 0.0
    xc = (width_px - 1) / 2.0
    return y1 + slope * (xc - x1), slope


def _wrap_deg(a: float) -> float:
    return (a + 180.0) % 360.0 - 180.0


def _rot_x(deg: float) -> FloatArray:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])


def _rot_y(deg: float) -> FloatArray:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])


def _rot_z(deg: float) -> FloatArray:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])
