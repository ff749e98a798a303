"""The plate renderer and plate text generator."""

from __future__ import annotations

import random

import numpy as np
import pytest

from simulators.road_camera.plates import (
    COLORS,
    LETTERS,
    PROVINCES,
    PlateSpec,
    plate_size_mm,
    random_plate,
    render_plate,
)


@pytest.mark.parametrize("color", COLORS)
def test_random_plates_follow_the_grammar(color: str) -> None:
    rng = random.Random(7)
    for _ in range(50):
        spec = random_plate(rng, color)
        assert spec.text[0] in PROVINCES
        assert spec.text[1] in LETTERS
        assert "I" not in spec.text and "O" not in spec.text
        assert len(spec.text) == (8 if color in ("green", "yellow-green") else 7)
        assert not spec.double_row or color == "yellow"


@pytest.mark.parametrize(("spec", "size"), [
    (PlateSpec("浙A12345", "blue"), (880, 280)),
    (PlateSpec("浙AD12345", "green"), (960, 280)),
    (PlateSpec("浙F12345", "yellow", True), (880, 440)),
])
def test_plate_images_have_the_standard_proportions(spec: PlateSpec, size: tuple[int, int]
                                                    ) -> None:
    img = render_plate(spec, px_per_mm=2.0)
    assert (img.shape[1], img.shape[0]) == size
    assert plate_size_mm(spec) == (size[0] / 2, size[1] / 2)


def test_text_colour_differs_from_the_ground() -> None:
    img = render_plate(PlateSpec("浙A88888", "blue"), px_per_mm=1.0).astype(int)
    # a blue plate with white characters: both very blue and very white pixels are present
    blue = (img[..., 0] > 140) & (img[..., 2] < 60)
    white = (img > 200).all(axis=2)
    assert blue.mean() > 0.4
    assert white.mean() > 0.05
    assert np.unique(img.reshape(-1, 3), axis=0).shape[0] > 10
