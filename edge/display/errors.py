"""Errors of the text-display layer."""

from edge.errors import DeviceError, EdgeError


class DisplayError(EdgeError):
    """Base of the text-display errors."""


class DisplayProtocolError(DisplayError):
    """Bytes or values that the controller protocol cannot carry."""


class DisplayDeviceError(DisplayError, DeviceError):
    """The controller could not be reached, or refused or did not answer a command."""


class TemplateError(DisplayError, ValueError):
    """A message template is malformed or uses a placeholder nobody provides.

    Also a ValueError so pydantic validators report it as a field error at config load.
    """
