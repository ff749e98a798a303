"""Road scenes as an enforcement camera sees them: a vehicle front or rear with its plate.

A scene is drawn from a seeded `random.Random`, so a frame is reproducible from its seed.
The plate is rendered face-on (`plates.render_plate`) and warped into the frame through a
perspective transform; the quad it lands on is the ground truth box.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import cv2
import numpy as np

from simulators.road_camera.plates import PlateSpec, plate_size_mm, render_plate

VEHICLE_CLASSES = ("car", "truck", "bus")
_BODY_BGR = ((235, 235, 235), (40, 40, 40), (150, 150, 150), (40, 40, 180), (150, 90, 20),
             (40, 150, 210), (60, 120, 60), (200, 200, 190))


@dataclass(frozen=True)
class SceneOptions:
    """How a frame is shot: size, light, and how much the plate is degraded."""

    width_px: int = 1920
    height_px: int = 1080
    night: bool = False
    plate_width_px: float = 180.0
    jpeg_quality: int = 85


@dataclass(frozen=True)
class PlateTruth:
    """Ground truth of one plate in a frame; `box` is the quad TL, TR, BR, BL in pixels."""

    text: str
    color: str
    box: tuple[tuple[float, float], ...]

    def to_json(self) -> dict[str, object]:
        """The JSON form used by `/truth` and the benchmarks."""
        return {"text": self.text, "color": self.color, "box": [list(p) for p in self.box]}


def draw_road(rng: random.Random, width_px: int, height_px: int, night: bool) -> np.ndarray:
    """An empty road: shoulder and sky band at the top, asphalt with lane lines below."""
    img = np.empty((height_px, width_px, 3), np.uint8)
    horizon = int(height_px * rng.uniform(0.12, 0.22))
    img[:horizon] = (200, 190, 170)
    img[horizon:] = (95, 98, 100)
    noise = np.random.default_rng(rng.getrandbits(32)).normal(0, 9, img.shape[:2])
    img = np.clip(img.astype(np.float32) + noise[..., None], 0, 255).astype(np.uint8)
    for frac in (0.05, 0.95):  # lane lines converging to the vanishing point
        cv2.line(img, (int(width_px * frac), height_px), (width_px // 2, horizon),
                 (220, 220, 220), max(2, width_px // 160))
    if night:
        img = (img * 0.25).astype(np.uint8)
    return img


def _draw_vehicle(img: np.ndarray, rng: random.Random, vehicle_class: str,
                  plate_center: tuple[float, float], plate_w: float) -> None:
    """A vehicle face (cab or car front) scaled to the plate: body, windscreen, grille, lamps."""
    cx, cy = plate_center
    scale = plate_w / 440.0  # pixels per millimetre at the plate
    body_w = (2450 if vehicle_class != "car" else 1800) * scale
    body_top = cy - (2200 if vehicle_class != "car" else 900) * scale
    body = rng.choice(_BODY_BGR)
    x0, x1 = int(cx - body_w / 2), int(cx + body_w / 2)
    y_bottom = int(cy + 250 * scale)
    cv2.rectangle(img, (x0, int(body_top)), (x1, y_bottom), body, -1)
    win_top = body_top + 120 * scale
    win_bottom = body_top + (900 if vehicle_class != "car" else 450) * scale
    cv2.rectangle(img, (int(x0 + 120 * scale), int(win_top)),
                  (int(x1 - 120 * scale), int(win_bottom)), (60, 50, 45), -1)
    grille_y = int(cy - 450 * scale)
    for i in range(6):  # grille slats
        y = int(grille_y + i * 45 * scale)
        cv2.line(img, (int(cx - 500 * scale), y), (int(cx + 500 * scale), y),
                 (30, 30, 30), max(1, int(12 * scale)))
    for side in (-1, 1):  # headlamps
        lx = int(cx + side * (body_w / 2 - 250 * scale))
        cv2.rectangle(img, (lx - int(150 * scale), grille_y),
                      (lx + int(150 * scale), grille_y + int(120 * scale)), (210, 230, 240), -1)
    # the bumper the plate is mounted on
    cv2.rectangle(img, (x0, int(cy - 140 * scale)), (x1, y_bottom), (45, 45, 48), -1)


def _plate_quad(rng: random.Random, center: tuple[float, float], w_px: float,
                aspect: float) -> np.ndarray:
    """Where the plate's corners land: a slightly rotated, skewed and foreshortened rectangle."""
    h_px = w_px / aspect
    cx, cy = center
    quad = np.array([[-w_px / 2, -h_px / 2], [w_px / 2, -h_px / 2],
                     [w_px / 2, h_px / 2], [-w_px / 2, h_px / 2]])
    angle = np.deg2rad(rng.uniform(-6, 6))
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    quad = quad @ rot.T
    yaw = rng.uniform(-0.12, 0.12)  # one side nearer the camera: taller
    quad[:, 1] *= 1 + yaw * np.sign(quad[:, 0])
    shear = rng.uniform(-0.15, 0.15) * h_px  # camera above the lane: top edge shifted
    quad[:2, 0] += shear / 2
    quad[2:, 0] -= shear / 2
    return (quad + np.array([cx, cy])).astype(np.float32)


def _degrade(img: np.ndarray, rng: random.Random, night: bool) -> np.ndarray:
    """Motion blur, sensor noise, exposure; night frames are infrared greyscale."""
    nrng = np.random.default_rng(rng.getrandbits(32))
    length = rng.choice((1, 1, 3, 5, 7))
    if length > 1:  # vehicles drive towards the camera: mostly vertical smear
        k = np.zeros((length, length), np.float32)
        k[:, length // 2] = 1.0 / length
        img = cv2.filter2D(img, -1, k)
    f = img.astype(np.float32) * rng.uniform(0.75, 1.2) + rng.uniform(-15, 15)
    f += nrng.normal(0, rng.uniform(2, 7), img.shape)
    out = np.clip(f, 0, 255).astype(np.uint8)
    if night:
        grey = cv2.cvtColor(out, cv2.COLOR_BGR2GRAY)
        out = cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR)
    return out


def _dirty(plate: np.ndarray, rng: random.Random) -> np.ndarray:
    """Mud and grime: a few soft dark blotches on the plate face."""
    h, w = plate.shape[:2]
    mask = np.zeros((h, w), np.float32)
    for _ in range(rng.randint(0, 6)):
        cv2.circle(mask, (rng.randrange(w), rng.randrange(h)),
                   rng.randint(h // 12, h // 5), rng.uniform(0.15, 0.45), -1)
    soft = cv2.GaussianBlur(mask, (0, 0), h / 20)
    dirt = np.array((40, 60, 80), np.float32)
    return (plate * (1 - soft[..., None]) + dirt * soft[..., None]).astype(np.uint8)


def _infrared(plate: np.ndarray) -> np.ndarray:
    """A retro-reflective plate under IR flash: bright and high-contrast, polarity kept."""
    grey = cv2.cvtColor(plate, cv2.COLOR_BGR2GRAY).astype(np.float32)
    lo, hi = float(grey.min()), float(grey.max())
    stretched = 30.0 + (grey - lo) * (225.0 / max(hi - lo, 1.0))
    return cv2.cvtColor(stretched.astype(np.uint8), cv2.COLOR_GRAY2BGR)


def render_scene(rng: random.Random, plate: PlateSpec | None, options: SceneOptions,
                 vehicle_class: str = "truck", lane_frac: float = 0.5
                 ) -> tuple[np.ndarray, list[PlateTruth]]:
    """Draw one frame (BGR, not yet JPEG-compressed) and the truth of the plates in it."""
    img = draw_road(rng, options.width_px, options.height_px, options.night)
    truths: list[PlateTruth] = []
    if plate is not None:
        w_mm, h_mm = plate_size_mm(plate)
        pw = options.plate_width_px
        cx = options.width_px * lane_frac + rng.uniform(-0.15, 0.15) * options.width_px
        cy = options.height_px * rng.uniform(0.55, 0.8)
        vehicle = np.zeros_like(img)
        _draw_vehicle(vehicle, rng, vehicle_class, (cx, cy), pw)
        if options.night:  # headlamps glare, the body is barely lit
            vehicle = (vehicle * 0.3).astype(np.uint8)
        covered = vehicle.any(axis=2)
        img[covered] = vehicle[covered]
        face = _dirty(render_plate(plate, px_per_mm=max(1.0, 2 * pw / w_mm)), rng)
        if options.night:
            face = _infrared(face)
        quad = _plate_quad(rng, (cx, cy), pw, w_mm / h_mm)
        fh, fw = face.shape[:2]
        src = np.array([[0, 0], [fw, 0], [fw, fh], [0, fh]], np.float32)
        m = cv2.getPerspectiveTransform(src, quad)
        size = (options.width_px, options.height_px)
        warped = cv2.warpPerspective(face, m, size, flags=cv2.INTER_AREA)
        alpha = cv2.warpPerspective(np.full((fh, fw), 255, np.uint8), m, size,
                                    flags=cv2.INTER_AREA).astype(np.float32)[..., None] / 255
        img = (img * (1 - alpha) + warped * alpha).astype(np.uint8)
        truths.append(PlateTruth(plate.text, plate.color,
                                 tuple((round(float(x), 1), round(float(y), 1)) for x, y in quad)))
    return _degrade(img, rng, options.night), truths


def encode_jpeg(img: np.ndarray, quality: int) -> bytes:
    """JPEG bytes of a frame."""
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return buf.tobytes()


def random_options(rng: random.Random) -> SceneOptions:
    """A random shot: 720p or 1080p, day or night, plate 100-300 px wide, JPEG 60-92."""
    w, h = rng.choice(((1280, 720), (1920, 1080)))
    return SceneOptions(w, h, rng.random() < 0.3, rng.uniform(100, 300), rng.randint(60, 92))
