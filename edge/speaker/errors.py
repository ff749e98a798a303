"""Errors of the loudspeaker layer."""

from edge.errors import DeviceError, EdgeError


class SpeakerError(EdgeError):
    """Base of the loudspeaker errors."""


class SpeechError(SpeakerError):
    """Text could not be turned into audio, or a clip could not be read."""


class PlaybackError(SpeakerError, DeviceError):
    """The audio device refused or failed to play."""
