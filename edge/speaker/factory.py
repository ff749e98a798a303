"""Open a speaker from its URL or config."""

from __future__ import annotations

from typing import Any

from edge.speaker.backends import AlsaSpeaker, WavSinkSpeaker
from edge.speaker.base import Speaker
from edge.speaker.config import SpeakerConfig


def open_speaker(url: str, **kwargs: Any) -> Speaker:
    """`alsa://DEVICE` or `wav:///dir`; kwargs: voice, speed_wpm, cooldown_s, max_queue."""
    if url.startswith("alsa://"):
        return AlsaSpeaker(url, **kwargs)
    if url.startswith("wav://"):
        if not url.startswith("wav:///"):
            raise ValueError(f"WAV sink URL needs an absolute path (wav:///dir): {url!r}")
        return WavSinkSpeaker(url, **kwargs)
    raise ValueError(f"unsupported speaker URL {url!r} (alsa://DEVICE, wav:///dir)")


def speaker_from_config(config: SpeakerConfig) -> Speaker:
    """The speaker described by `config`."""
    return open_speaker(
        config.url, voice=config.voice, speed_wpm=config.speed_wpm,
        cooldown_s=config.cooldown_s, max_queue=config.max_queue,
    )  # fmt: skip
