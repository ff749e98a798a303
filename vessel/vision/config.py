"""Tunable numbers of the vision core, validated once (embeddable in the vessel config)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from edge.config.base import StrictModel


class VisionConfig(StrictModel):
    """Detection, persistence, classification and tracking thresholds.

    The defaults were set on simulated lake scenes (benchmarks/vision.py) and are the
    starting point for a real camera; each says what it trades.
    """

    # Search window for the horizon around the attitude-predicted line. Boats on a lake
    # rarely pitch more than a few degrees; roll is the larger motion.
    horizon_search_deg: float = Field(6.0, gt=0, le=30)
    max_roll_deg: float = Field(15.0, gt=0, le=45)
    # Angle of the found water edge below the true horizon. 0 on open water (the sea
    # horizon's dip is 0.05 deg at 2 m); a shore at distance D appears atan(h / D) lower,
    # e.g. 0.08 deg for 1.5 km at 2 m, which biases ranges at 100 m by about 7 %.
    horizon_depression_deg: float = Field(0.0, ge=0, le=2)
    # With an IMU attitude and no chart distance, the dip is learnt as the running mean of
    # IMU pitch minus the water edge's pitch over this time constant (0 disables): a boat's
    # IMU pitch noise of ~0.1 deg at 10 frames/s averages to ~0.015 deg over 5 s.
    depression_time_constant_s: float = Field(5.0, ge=0)
    # Samples further than this from the running dip are skipped: 5 sigma of that IMU noise;
    # a mis-fitted edge (sky/land instead of land/water) is off by 0.5 deg or more.
    depression_gate_deg: float = Field(0.5, gt=0)
    # Which attitude the geometry uses: the image horizon when found (sub-pixel, best),
    # or always the attitude given with the frame (IMU).
    geometry_source: Literal["horizon", "attitude"] = "horizon"
    # Rows kept above the horizon (cabins and masts stick up) and nearest range processed.
    band_above_px: int = Field(48, ge=0, le=400)
    min_range_m: float = Field(6.0, gt=0)
    max_range_m: float = Field(600.0, gt=0)
    # Saliency: horizontal top-hat length (px) for small targets, and thresholds in units of
    # the row's own texture level (waves), plus absolute floors in grey levels.
    tophat_length_px: int = Field(31, ge=5, le=301)
    fine_k: float = Field(5.0, gt=0)
    fine_floor: float = Field(14.0, ge=0)
    coarse_k: float = Field(6.0, gt=0)
    coarse_floor: float = Field(18.0, ge=0)
    min_area_px: int = Field(10, ge=1)
    # Bright saliency uses the minimum over this many consecutive frames (glint lasts one
    # frame, and with dense glint two specks often coincide in two frames, rarely in three);
    # frames further apart than max_frame_gap_s are not combined (targets move too far).
    steady_frames: int = Field(3, ge=1, le=6)
    max_frame_gap_s: float = Field(0.25, gt=0)
    # Sun glint: small, bright, colourless specks that do not stay.
    glint_max_area_px: int = Field(40, ge=0)
    glint_min_value: int = Field(215, ge=0, le=255)
    glint_max_saturation: int = Field(60, ge=0, le=255)
    # Persistence: a track is reported after `confirm_hits` hits in consecutive frames;
    # once confirmed it survives `max_coast_s` without detections (short occlusions).
    # `confirm_window` frames of hit history feed the score.
    confirm_hits: int = Field(4, ge=1)
    confirm_window: int = Field(5, ge=1)
    max_coast_s: float = Field(2.5, gt=0)
    # Kalman filter: white-acceleration process noise and measurement noise model.
    accel_noise_mps2: float = Field(1.0, gt=0)
    bearing_sigma_deg: float = Field(0.4, gt=0)
    range_sigma_frac: float = Field(0.08, gt=0)
    range_sigma_floor_m: float = Field(0.3, gt=0)
    initial_speed_sigma_mps: float = Field(3.0, gt=0)  # a new track's unknown speed
    gate_chi2: float = Field(13.8, gt=0)  # 99.9 % of a 2-DoF chi-square
    # Classification by size on the water (metres): a swimmer's head and shoulders are
    # under ~0.8 m wide and 0.5 m tall; the smallest boats (kayaks, dinghies) are >= 2 m.
    min_target_height_m: float = Field(0.12, ge=0)  # a swimmer's head shows >= ~0.2 m
    person_max_width_m: float = Field(1.0, gt=0)
    person_max_height_m: float = Field(0.7, gt=0)
    boat_min_width_m: float = Field(1.6, gt=0)
    boat_min_height_m: float = Field(0.6, gt=0)
    # Range is measured to the nearest waterline point; a target's position is its centre,
    # further by about half the hull's extent along the line of sight. For a hull of length
    # L and beam B at a random heading that is (L + B) / pi on average: 3 m for the 3-12 m
    # boats of the lake simulator (benchmarks/vision.py --breakdown measures median 3.0 m).
    # A swimmer's near side and centre differ by ~0.15 m, below a pixel at any range.
    boat_centre_beyond_contact_m: float = Field(3.0, ge=0, le=20)
