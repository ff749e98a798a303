"""The loudspeaker: real espeak-ng speech into the WAV sink, priorities, cool-down, failures."""

from __future__ import annotations

import json
import threading
import wave
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError

from edge.speaker import (
    PlayRequest,
    SpeakerConfig,
    VoiceMessage,
    VoiceMessageConfig,
    WavSinkSpeaker,
    open_speaker,
    speaker_from_config,
    wav_info,
)


def write_tone(path: Path, seconds: float = 0.3, amplitude: int = 8000) -> Path:
    t = np.arange(int(16000 * seconds)) / 16000
    samples = (amplitude * np.sin(2 * np.pi * 440 * t)).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(samples.tobytes())
    return path


def sidecars(directory: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text("utf-8")) for p in sorted(directory.glob("*.json"))]


class GatedSink(WavSinkSpeaker):
    """A WAV sink whose first playback waits for the test, so messages pile up behind it."""

    def __init__(self, url: str, **kwargs: Any) -> None:
        self.gate = threading.Event()
        self.started = threading.Event()
        self.stops = 0
        super().__init__(url, **kwargs)

    def _play(self, request: PlayRequest) -> None:
        self.started.set()
        self.gate.wait(10)
        super()._play(request)

    def _stop(self) -> None:
        self.stops += 1
        self.gate.set()


def test_mandarin_text_becomes_a_plausible_non_silent_wav(tmp_path: Path) -> None:
    sink = tmp_path / "sink"
    with open_speaker(f"wav://{sink}") as speaker:
        assert speaker.say(VoiceMessage(text="请立即离开禁航区", priority=20))
        assert speaker.say(VoiceMessage(text="-v 危险 --help"))  # looks like options: still text
        assert speaker.wait_idle(30)
        health = speaker.health()
    assert (health.played, health.failed) == (2, 0), health.last_error
    info = wav_info(sink / "00000.wav")
    assert 1.0 <= info.duration_s <= 6.0  # eight syllables at 150 wpm
    assert info.rms > 500 and info.peak > 4000
    meta = sidecars(sink)
    assert meta[0]["text"] == "请立即离开禁航区" and meta[0]["priority"] == 20
    assert meta[0]["duration_s"] == pytest.approx(info.duration_s)
    assert meta[1]["text"] == "-v 危险 --help" and wav_info(sink / "00001.wav").rms > 500


def test_priority_order_and_cooldown_collapse(tmp_path: Path) -> None:
    clip = write_tone(tmp_path / "tone.wav")
    now = [0.0]
    speaker = GatedSink(f"wav://{tmp_path / 'sink'}", cooldown_s=10.0, clock=lambda: now[0])
    try:
        assert speaker.say(VoiceMessage(clip=clip, priority=5, key="first"))
        assert speaker.started.wait(5)
        assert speaker.say(VoiceMessage(clip=clip, priority=1, key="low"))
        assert speaker.say(VoiceMessage(clip=clip, priority=3, key="mid"))
        assert not speaker.say(VoiceMessage(clip=clip, priority=3, key="mid"))  # within cool-down
        now[0] = 11.0
        assert speaker.say(VoiceMessage(clip=clip, priority=3, key="first"))  # cool-down over
        speaker.gate.set()
        assert speaker.wait_idle(10)
        health = speaker.health()
    finally:
        speaker.close()
        speaker.close()
    assert [m["key"] for m in sidecars(tmp_path / "sink")] == ["first", "mid", "first", "low"]
    assert (health.collapsed, health.preempted, health.state) == (1, 0, "idle")
    assert not speaker.say(VoiceMessage(clip=clip))


def test_higher_priority_interrupts_the_one_playing(tmp_path: Path) -> None:
    clip = write_tone(tmp_path / "tone.wav")
    with GatedSink(f"wav://{tmp_path / 'sink'}") as speaker:
        speaker.say(VoiceMessage(clip=clip, priority=1, key="chatter"))
        assert speaker.started.wait(5)
        speaker.say(VoiceMessage(clip=clip, priority=9, key="collision"))
        assert speaker.wait_idle(10)
        assert speaker.stops == 1 and speaker.health().preempted == 1


def test_volume_scales_the_samples(tmp_path: Path) -> None:
    clip = write_tone(tmp_path / "tone.wav", amplitude=4000)
    sink = tmp_path / "sink"
    with open_speaker(f"wav://{sink}", cooldown_s=0) as speaker:
        speaker.say(VoiceMessage(clip=clip, key="a"))
        speaker.say(VoiceMessage(clip=clip, volume=2.0, key="b"))
        assert speaker.wait_idle(10)
    quiet, loud = wav_info(sink / "00000.wav"), wav_info(sink / "00001.wav")
    assert loud.rms == pytest.approx(2 * quiet.rms, rel=0.01)


def test_unplayable_clip_and_missing_alsa_device_fail_into_health(tmp_path: Path) -> None:
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF nonsense")
    with open_speaker(f"wav://{tmp_path / 'sink'}") as speaker:
        speaker.say(VoiceMessage(clip=bad))
        assert speaker.wait_idle(10)
        assert speaker.health().state == "failed" and "not a readable WAV" in (
            speaker.health().last_error or ""
        )
    clip = write_tone(tmp_path / "tone.wav")
    with open_speaker("alsa://no_such_device_xyz") as speaker:
        speaker.say(VoiceMessage(clip=clip))
        assert speaker.wait_idle(10)
        health = speaker.health()
    assert (health.failed, health.state) == (1, "failed")
    assert "aplay" in (health.last_error or "")


def test_config_models(tmp_path: Path) -> None:
    clip = write_tone(tmp_path / "warn.wav")
    message = VoiceMessageConfig(text="{kind}请注意,您已进入禁航区", priority=20).check_names(
        {"kind"}
    )
    assert message.render({"kind": "船只"}, volume=2.0).text == "船只请注意,您已进入禁航区"
    assert VoiceMessageConfig(clip=clip).render({}).clip == clip
    with pytest.raises(ValidationError, match="exactly one"):
        VoiceMessageConfig(text="a", clip=clip)
    with pytest.raises(ValidationError, match="does not exist"):
        VoiceMessageConfig(clip=tmp_path / "missing.wav")
    with pytest.raises(ValueError, match="unknown placeholder"):
        VoiceMessageConfig(text="{who}").check_names({"kind"})
    with speaker_from_config(SpeakerConfig(url=f"wav://{tmp_path / 's'}")) as speaker:
        assert isinstance(speaker, WavSinkSpeaker)
    with pytest.raises(ValueError, match="unsupported speaker URL"):
        open_speaker("pulse://x")
