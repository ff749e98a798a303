"""The loudspeaker: a non-blocking priority queue of voice messages (clips or espeak-ng text).

`open_speaker("alsa://default")` or `open_speaker("wav:///tmp/sink")`, then
`speaker.say(VoiceMessage(text="请立即离开禁航区", priority=20))`.
"""

from edge.speaker.audio import EspeakSynth, WavInfo, wav_info
from edge.speaker.backends import AlsaSpeaker, WavSinkSpeaker
from edge.speaker.base import PlayRequest, Speaker, SpeakerHealth
from edge.speaker.config import SpeakerConfig, VoiceMessageConfig
from edge.speaker.errors import PlaybackError, SpeakerError, SpeechError
from edge.speaker.factory import open_speaker, speaker_from_config
from edge.speaker.message import VoiceMessage

__all__ = [
    "AlsaSpeaker",
    "EspeakSynth",
    "PlayRequest",
    "PlaybackError",
    "Speaker",
    "SpeakerConfig",
    "SpeakerError",
    "SpeakerHealth",
    "SpeechError",
    "VoiceMessage",
    "VoiceMessageConfig",
    "WavInfo",
    "WavSinkSpeaker",
    "open_speaker",
    "speaker_from_config",
    "wav_info",
]
