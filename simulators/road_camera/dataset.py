"""Seeded synthetic plate frames for tests and benchmarks: frame `i` of set `seed` is fixed."""

from __future__ import annotations

import random
from dataclasses import dataclass

from simulators.road_camera.plates import COLORS, random_plate
from simulators.road_camera.scene import (
    VEHICLE_CLASSES,
    PlateTruth,
    SceneOptions,
    encode_jpeg,
    random_options,
    render_scene,
)


@dataclass(frozen=True)
class SyntheticFrame:
    """A JPEG frame, how it was shot, and the plates in it."""

    jpeg: bytes
    options: SceneOptions
    truths: tuple[PlateTruth, ...]


def synthetic_frame(seed: int, index: int) -> SyntheticFrame:
    """Frame `index` of the set `seed`; colours cycle so every colour is equally represented."""
    rng = random.Random(seed * 1_000_003 + index)
    plate = random_plate(rng, COLORS[index % len(COLORS)])
    options = random_options(rng)
    img, truths = render_scene(rng, plate, options, rng.choice(VEHICLE_CLASSES))
    return SyntheticFrame(encode_jpeg(img, options.jpeg_quality), options, tuple(truths))
