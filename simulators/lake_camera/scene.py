"""Renders what the patrol boat's camera sees: sky, shoreline, waves, glint, boats, swimmers.

Everything is placed through the vision package's `CameraModel`, the same model the detector
measures with, so ground truth and measurement share one geometry. The look of a scene (light,
sea state, shore) is drawn once from the seed; the frame itself depends only on the arguments
of `render`, so a scene replays identically.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from edge.geo import LocalFrame, distance_bearing
from simulators.lake_camera.world import FrameTruth, OwnPose, Target, TruthObject
from vessel.vision.camera import Attitude, CameraModel

Image = npt.NDArray[np.uint8]
F32 = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Look:
    """The lighting, sea state and shoreline of a scene."""

    sun_azimuth_deg: float  # true
    brightness: float  # 0.5 (dusk, overcast) .. 1.2 (bright noon)
    sky_horizon_bgr: tuple[float, float, float]
    sky_zenith_bgr: tuple[float, float, float]
    water_bgr: tuple[float, float, float]
    wave_amplitude: float  # shading gain of the wave slopes, 0 (glassy) .. 1 (choppy)
    glint_per_frame: int  # sparkles in the sun's path
    shore_distance_m: float | None  # None: open water to the horizon
    shore_height_m: float
    visibility_m: float  # haze: contrast halves at ~0.7 of this
    noise_sigma: float


def random_look(rng: np.random.Generator) -> Look:
    """A plausible day on a lake: clear, hazy, overcast, low sun; calm to choppy."""
    brightness = float(rng.uniform(0.55, 1.15))
    overcast = rng.random() < 0.3
    if overcast:
        hz = np.array([200.0, 200.0, 195.0])
        zen = np.array([170.0, 165.0, 160.0])
    else:
        hz = np.array([235.0, 215.0, 195.0]) + rng.uniform(-15, 15, 3)
        zen = np.array([200.0, 140.0, 90.0]) + rng.uniform(-20, 20, 3)
    water = np.array([95.0, 85.0, 60.0]) + rng.uniform(-30, 30, 3)
    has_shore = rng.random() < 0.8
    return Look(
        sun_azimuth_deg=float(rng.uniform(0, 360)),
        brightness=brightness,
        sky_horizon_bgr=_bgr(hz * brightness),
        sky_zenith_bgr=_bgr(zen * brightness),
        water_bgr=_bgr(water * brightness),
        wave_amplitude=float(rng.uniform(0.15, 1.0)),
        glint_per_frame=int(rng.integers(0, 400)) if not overcast else int(rng.integers(0, 40)),
        shore_distance_m=float(rng.uniform(600, 3000)) if has_shore else None,
        shore_height_m=float(rng.uniform(8, 30)),
        visibility_m=float(rng.uniform(2000, 15000)),
        noise_sigma=float(rng.uniform(1.0, 4.0)),
    )


def _bgr(c: npt.NDArray[np.float64]) -> tuple[float, float, float]:
    return float(c[0]), float(c[1]), float(c[2])


class LakeScene:
    """A lake seen through one camera; `render` draws a frame and its ground truth."""

    def __init__(self, camera: CameraModel, seed: int, look: Look | None = None) -> None:
        self.camera = camera
        self.seed = seed
        rng = np.random.default_rng(seed)
        self.look = look or random_look(rng)
        self._origin: LocalFrame | None = None
        # Wave components: (kx, ky) in rad/m in east/north, angular frequency, phase, weight.
        n = 6
        wavelengths = rng.uniform(0.8, 6.0, n)
        directions = rng.uniform(0, 2 * math.pi, n)
        k = 2 * math.pi / wavelengths
        self._waves = [
            (
                float(k[i] * math.cos(directions[i])),
                float(k[i] * math.sin(directions[i])),
                float(math.sqrt(9.81 * k[i])),  # deep-water dispersion
                float(rng.uniform(0, 2 * math.pi)),
                float(rng.uniform(0.5, 1.0)),
                float(wavelengths[i]),
            )
            for i in range(n)
        ]
        # Shoreline profile over true azimuth: trees (smooth) plus some buildings (blocks).
        self._shore_harmonics = [
            (int(m), float(rng.uniform(0, 2 * math.pi)), float(rng.uniform(0.05, 0.3)))
            for m in rng.integers(3, 90, 12)
        ]
        self._buildings = [
            (float(rng.uniform(0, 360)), float(rng.uniform(0.3, 2.5)), float(rng.uniform(0.6, 1.6)))
            for _ in range(int(rng.integers(0, 12)))
        ]
        self._tree_bgr = np.array([40.0, 70.0, 45.0]) + rng.uniform(-15, 15, 3)
        h, w = camera.height_px, camera.width_px
        cx, cy = camera.center_px
        f = camera.focal_px
        uu, vv = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
        self._optical = np.stack(
            [(uu - cx) / f, (vv - cy) / f, np.ones_like(uu)], axis=-1
        ).astype(np.float32)

    # ------------------------------------------------------------------ public
    def render(
        self, own_pose: OwnPose, targets: list[Target] | tuple[Target, ...], t_s: float
    ) -> tuple[Image, FrameTruth]:
        """Draw the camera's view of `targets` from `own_pose` at time `t_s`."""
        cam = self.camera
        att = Attitude(own_pose.pitch_deg, own_pose.roll_deg)
        if self._origin is None:
            self._origin = LocalFrame(own_pose.lat_deg, own_pose.lon_deg)
        own_e, own_n = self._origin.to_enu(own_pose.lat_deg, own_pose.lon_deg)
        frame = self._background(own_pose, att, own_e, own_n, t_s)
        self._glint(frame, own_pose, att, t_s)
        objects: list[TruthObject] = []
        placed = []
        for tgt in targets:
            dist, brg = distance_bearing(
                own_pose.lat_deg, own_pose.lon_deg, tgt.lat_deg, tgt.lon_deg
            )
            rel = math.radians(brg - own_pose.heading_deg)
            placed.append((dist, tgt, dist * math.cos(rel), dist * math.sin(rel)))
        for dist, tgt, fwd, stbd in sorted(placed, key=lambda p: -p[0]):
            box = self._draw_target(frame, tgt, fwd, stbd, own_pose, att, t_s)
            if box is None:
                continue
            contact = cam.level_to_pixel([fwd, stbd, cam.height_m], att)
            bearing = (math.degrees(math.atan2(stbd, fwd)) - cam.mount_yaw_deg + 180) % 360 - 180
            objects.append(
                TruthObject(
                    target_id=tgt.target_id,
                    kind=tgt.kind,
                    box=box,
                    range_m=dist,
                    bearing_deg=bearing,
                    lat_deg=tgt.lat_deg,
                    lon_deg=tgt.lon_deg,
                    contact_px=(float(contact[0]), float(contact[1])),
                )
            )
        truth = FrameTruth(t_s, own_pose, cam.horizon_line(att), tuple(objects))
        return self._sensor(frame, t_s), truth

    # ------------------------------------------------------------------ layers
    def _background(
        self, own: OwnPose, att: Attitude, own_e: float, own_n: float, t_s: float
    ) -> F32:
        cam, look = self.camera, self.look
        rot = cam.rotation(att).astype(np.float32)
        rays = self._optical @ rot.T  # level frame: forward, starboard, down
        fwd, stbd, down = rays[..., 0], rays[..., 1], rays[..., 2]
        horiz = np.sqrt(fwd * fwd + stbd * stbd)
        elev = -np.arctan2(down, horiz)  # radians above the horizontal
        h, w = elev.shape
        out = np.empty((h, w, 3), np.float32)
        sky = elev >= 0
        s = np.clip(elev / 0.35, 0, 1)[..., None]
        hz = np.array(look.sky_horizon_bgr, np.float32)
        zen = np.array(look.sky_zenith_bgr, np.float32)
        out[:] = hz * (1 - s) + zen * s
        # Water: where each ray meets the plane, in east/north metres from the scene origin.
        water = ~sky
        t = np.where(water, cam.height_m / np.maximum(down, 1e-6), 0).astype(np.float32)
        hd = math.radians(own.heading_deg)
        ch, sh = math.cos(hd), math.sin(hd)
        px_fwd, px_stbd = t * fwd, t * stbd
        east = own_e + px_fwd * sh + px_stbd * ch
        north = own_n + px_fwd * ch - px_stbd * sh
        rng_m = t * horiz
        # Metres of water covered by one pixel, along the line of sight.
        footprint = rng_m * rng_m / (cam.height_m * cam.focal_px) + rng_m / cam.focal_px
        slope = np.zeros_like(rng_m)
        for kx, ky, omega, phase, weight, lam in self._waves:
            atten = np.exp(-((footprint / lam) ** 2) * 4.0)
            slope += weight * atten * np.sin(kx * east + ky * north - omega * t_s + phase)
        # Fresnel-like: grazing rays reflect the sky, steep ones show the water's own colour.
        fres = np.clip(1.0 - np.abs(elev) / 0.25, 0, 1) ** 3
        base = np.array(look.water_bgr, np.float32)
        water_col = base * (1 - 0.6 * fres[..., None]) + hz * 0.6 * fres[..., None]
        shade = 1.0 + 0.12 * look.wave_amplitude * slope
        water_col = water_col * shade[..., None]
        out[water] = water_col[water]
        if look.shore_distance_m is not None:
            self._shore(out, elev, fwd, stbd, own)
        return out

    def _shore(self, out: F32, elev: F32, fwd: F32, stbd: F32, own: OwnPose) -> None:
        look = self.look
        assert look.shore_distance_m is not None
        d = look.shore_distance_m
        edge = -math.atan2(self.camera.height_m, d)
        band = (elev > edge) & (elev < math.atan2(look.shore_height_m * 2.5, d))
        if not band.any():
            return
        az = np.degrees(np.arctan2(stbd[band], fwd[band])) + own.heading_deg
        azr = np.radians(az)
        height = np.full(az.shape, look.shore_height_m * 0.6, np.float32)
        for m, phase, amp in self._shore_harmonics:
            height += look.shore_height_m * amp * np.sin(m * azr + phase)
        color = np.tile(self._tree_bgr.astype(np.float32) * look.brightness, (az.size, 1))
        for center, width, hmul in self._buildings:
            inb = np.abs((az - center + 180) % 360 - 180) < width
            height = np.where(inb, np.maximum(height, look.shore_height_m * hmul), height)
            color[inb] = np.array([170.0, 175.0, 185.0]) * look.brightness * hmul * 0.7
        top = np.arctan2(np.maximum(height, 1.0), d)
        shore = elev[band] < top
        # Distance haze lightens the far shore toward the sky colour.
        haze = 1 - math.exp(-d / look.visibility_m)
        color = color * (1 - haze) + np.array(look.sky_horizon_bgr, np.float32) * haze
        vals = out[band]
        vals[shore] = color[shore]
        out[band] = vals

    def _glint(self, out: F32, own: OwnPose, att: Attitude, t_s: float) -> None:
        look = self.look
        if look.glint_per_frame <= 0:
            return
        rng = np.random.default_rng([self.seed, int(t_s * 1000) & 0x7FFFFFFF])
        cam = self.camera
        # Sparkles lie in the sun's path: near its azimuth, denser toward the horizon.
        rel = (look.sun_azimuth_deg - own.heading_deg - cam.mount_yaw_deg + 180) % 360 - 180
        n = look.glint_per_frame
        bearings = rel + rng.normal(0, 12, n)
        ranges = cam.height_m / np.tan(np.radians(rng.uniform(0.3, 25, n)))
        brightness = 255 * min(1.2, look.brightness + 0.3)
        for b, r in zip(bearings, ranges, strict=True):
            p = cam.world_to_pixel(float(b), float(r), 0.0, att)
            if p is None:
                continue
            x, y = round(p[0]), round(p[1])
            if 0 <= x < cam.width_px - 2 and 0 <= y < cam.height_px - 2:
                size = 1 if rng.random() < 0.7 else 2
                out[y : y + size, x : x + size] = brightness

    def _draw_target(
        self,
        out: F32,
        tgt: Target,
        fwd: float,
        stbd: float,
        own: OwnPose,
        att: Attitude,
        t_s: float,
    ) -> tuple[int, int, int, int] | None:
        cam = self.camera
        h_cam = cam.height_m
        haze = 1 - math.exp(-math.hypot(fwd, stbd) / self.look.visibility_m)
        hz = np.array(self.look.sky_horizon_bgr)

        def tint(bgr: tuple[int, int, int], light: float = 1.0) -> tuple[float, ...]:
            c = np.array(bgr, float) * self.look.brightness * light
            return tuple(c * (1 - haze) + hz * haze)

        head = math.radians(tgt.heading_deg - own.heading_deg)
        ax, ay = math.cos(head), math.sin(head)  # target's bow direction, level frame
        bx, by = -ay, ax  # its starboard

        def pt(along: float, across: float, up: float) -> list[float]:
            return [fwd + along * ax + across * bx, stbd + along * ay + across * by, h_cam - up]

        pts_all: list[npt.NDArray[np.float64]] = []

        def fill(points: list[list[float]], color: tuple[float, ...]) -> None:
            u, v, depth = cam.level_to_pixel(points, att)
            if np.any(depth <= 0.5) or np.any(~np.isfinite(u)):
                return
            poly = np.stack([u, v], axis=-1)
            pts_all.append(poly)
            hull = cv2.convexHull((poly * 16).astype(np.int32))
            cv2.fillConvexPoly(out, hull, color, lineType=cv2.LINE_AA, shift=4)

        if tgt.kind == "boat":
            half_l, half_b = tgt.length_m / 2, tgt.beam_m / 2
            if tgt.speed_mps > 0.5:
                self._wake(out, pt, half_l, tgt, att, tint)
            # Hull: box with a pointed bow; the sunlit and shaded sides differ in tone.
            outline = [(-half_l, -half_b), (half_l * 0.55, -half_b), (half_l, 0.0),
                       (half_l * 0.55, half_b), (-half_l, half_b)]
            hull3d = [pt(a, c, 0.0) for a, c in outline] + [
                pt(a, c, tgt.freeboard_m) for a, c in outline
            ]
            fill(hull3d, tint(tgt.color_bgr))
            waterline = [pt(a, c, 0.0) for a, c in outline] + [
                pt(a, c, tgt.freeboard_m * 0.25) for a, c in outline
            ]
            fill(waterline, tint(tgt.color_bgr, 0.6))
            if tgt.cabin_height_m > 0:
                c_lo, c_hi = -half_l * 0.6, half_l * 0.1
                cb = half_b * 0.75
                top = tgt.freeboard_m + tgt.cabin_height_m
                cabin = [pt(a, c, z) for a in (c_lo, c_hi) for c in (-cb, cb)
                         for z in (tgt.freeboard_m, top)]
                fill(cabin, tint(tgt.cabin_color_bgr))
                win = [pt(a, c, z) for a in (c_lo * 0.9, c_hi) for c in (-cb * 1.01, cb * 1.01)
                       for z in (top - tgt.cabin_height_m * 0.55, top - tgt.cabin_height_m * 0.2)]
                fill(win, tint((60, 50, 40)))
        else:
            # A swimmer: shoulders awash and a head, bobbing slightly.
            bob = 0.03 * math.sin(2.1 * t_s + tgt.target_id)
            sw = tgt.length_m / 2
            shoulders = [pt(0, c, z) for c in (-sw, sw) for z in (0.0, 0.08 + bob)]
            shoulders += [pt(a, c, z) for a in (-0.1, 0.1) for c in (-sw * 0.8, sw * 0.8)
                          for z in (0.0, 0.1 + bob)]
            fill(shoulders, tint(tgt.color_bgr, 0.8))
            headr = 0.11
            head_box = [pt(a, c, z) for a in (-headr, headr) for c in (-headr, headr)
                        for z in (0.05 + bob, 0.3 + bob)]
            fill(head_box, tint(tgt.cabin_color_bgr))
        if not pts_all:
            return None
        allp = np.concatenate(pts_all)
        x0, y0 = np.floor(allp.min(axis=0))
        x1, y1 = np.ceil(allp.max(axis=0))
        x0c, y0c = max(0.0, x0), max(0.0, y0)
        x1c, y1c = min(cam.width_px - 1.0, x1), min(cam.height_px - 1.0, y1)
        full = (x1 - x0 + 1) * (y1 - y0 + 1)
        vis = max(0.0, x1c - x0c + 1) * max(0.0, y1c - y0c + 1)
        if vis < 0.5 * full or vis <= 0:
            return None
        return int(x0c), int(y0c), int(x1c - x0c + 1), int(y1c - y0c + 1)

    def _wake(
        self, out: F32, pt, half_l: float, tgt: Target, att: Attitude, tint
    ) -> None:
        cam = self.camera
        length = min(60.0, tgt.speed_mps * 6.0)
        # Kelvin wake arms at 19.5 deg either side of the track, plus the churned centre line.
        for side in (-1.0, 0.0, 1.0):
            ang = math.radians(19.5) * side
            pts = [pt(-half_l - s * math.cos(ang), s * math.sin(ang), 0.0)
                   for s in np.linspace(0.0, length, 12)]
            u, v, depth = cam.level_to_pixel(pts, att)
            ok = (depth > 1.0) & np.isfinite(u)
            if ok.sum() < 2:
                continue
            poly = np.stack([u[ok], v[ok]], axis=-1)
            color = tint((215, 215, 210), 0.9 if side == 0 else 0.75)
            base = np.array(self.look.water_bgr) * self.look.brightness
            mixed = tuple(0.5 * np.array(color) + 0.5 * base)
            cv2.polylines(out, [(poly * 16).astype(np.int32)], False, mixed, 1, cv2.LINE_AA, 4)

    def _sensor(self, frame: F32, t_s: float) -> Image:
        rng = np.random.default_rng([self.seed, 7, int(t_s * 1000) & 0x7FFFFFFF])
        blurred = cv2.GaussianBlur(frame, (3, 3), 0.6)
        noise = rng.normal(0.0, self.look.noise_sigma, blurred.shape[:2]).astype(np.float32)
        blurred += noise[..., None]
        return np.clip(blurred, 0, 255).astype(np.uint8)
