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
    cells_mm,
    plate_size_mm,
    random_plate,
    render_plate,
    separator_center_mm,
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


@pytest.mark.parametrize(("spec", "widths", "dot_x"), [
    # 45 mm cells, 12 mm gaps, the dot centred in the 34 mm gap after the issuing letter
    (PlateSpec("浙A12345", "blue"), [45.0] * 7, 117.5 + 17.0),
    # new-energy: 45 mm province cell, 43 mm cells, 9 mm gaps, 49 mm gap after the letter
    (PlateSpec("浙AD12345", "green"), [45.0] + [43.0] * 7, 112.5 + 24.5),
])
def test_single_row_layout_is_centred_with_the_dot_in_its_gap(
        spec: PlateSpec, widths: list[float], dot_x: float) -> None:
    cells = cells_mm(spec)
    assert [c[2] for c in cells] == widths and all(c[3] == 90.0 for c in cells)
    width_mm = plate_size_mm(spec)[0]
    right_margin = width_mm - (cells[-1][0] + cells[-1][2])
    assert cells[0][0] == pytest.approx(right_margin)
    assert separator_center_mm(spec) == (pytest.approx(dot_x), 70.0)


def test_double_row_layout() -> None:
    cells = cells_mm(PlateSpec("浙F12345", "yellow", True))
    assert [c[2:] for c in cells[:2]] == [(80.0, 60.0)] * 2
    assert [c[2:] for c in cells[2:]] == [(65.0, 110.0)] * 5
    assert cells[2][0] == pytest.approx(440.0 - (cells[-1][0] + 65.0))
    assert separator_center_mm(PlateSpec("浙F12345", "yellow", True)) is None
