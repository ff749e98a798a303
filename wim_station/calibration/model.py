"""Applying a calibration: per-channel gain, speed correction, temperature compensation."""

from __future__ import annotations

import numpy as np

from wim_station.config import CalibrationSection


def channel_gain(cal: CalibrationSection, index: int) -> float:
    """Multiplier on the force of one channel (1.0 when not calibrated)."""
    return cal.channel_gains.get(index, 1.0)


def speed_factor(cal: CalibrationSection, speed_kmh: float) -> float:
    """Speed-dependent load factor, linear between table points, constant outside."""
    if not cal.speed_factors:
        return 1.0
    pts = sorted(cal.speed_factors)
    xs = np.array([p[0] for p in pts])
    ys = np.array([p[1] for p in pts])
    return float(np.interp(speed_kmh, xs, ys))


def temperature_factor(
    cal: CalibrationSection, sensor_type: str, temperature_c: float | None
) -> float:
    """Divides out the sensor's temperature sensitivity (1.0 when the temperature is unknown)."""
    if temperature_c is None:
        return 1.0
    k = cal.temperature_coeff_per_c.get(sensor_type, 0.0)
    return 1.0 / (1.0 + k * (temperature_c - cal.reference_temperature_c))
