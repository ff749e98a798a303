"""Errors of plate reading."""

from wim_station.errors import WimError


class AnprError(WimError):
    """Plate reading failed."""


class ModelError(AnprError):
    """The recognition model cannot be found or loaded."""
