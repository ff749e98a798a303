"""Errors of the camera layer (they stay inside the grab thread; callers see health)."""

from edge.errors import DeviceError, EdgeError


class CameraError(EdgeError):
    """Base of the camera errors."""


class CameraDeviceError(CameraError, DeviceError):
    """A camera could not be opened or stopped delivering frames."""
