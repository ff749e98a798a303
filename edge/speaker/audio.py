"""WAV helpers and offline speech synthesis with espeak-ng (argument list, never a shell)."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from edge.speaker.errors import SpeechError


@dataclass(frozen=True)
class WavInfo:
    """Duration and loudness of a 16-bit PCM WAV."""

    duration_s: float
    rms: float
    peak: int
    sample_rate_hz: int
    channels: int


def read_pcm16(path: Path) -> tuple[np.ndarray, int, int]:
    """Samples (int16, interleaved), sample rate and channel count of a 16-bit PCM WAV."""
    try:
        with wave.open(str(path), "rb") as w:
            if w.getsampwidth() != 2 or w.getcomptype() != "NONE":
                raise SpeechError(f"{path}: only 16-bit PCM WAV is supported")
            frames = w.readframes(w.getnframes())
            return np.frombuffer(frames, dtype="<i2"), w.getframerate(), w.getnchannels()
    except (OSError, EOFError, wave.Error) as exc:
        raise SpeechError(f"{path}: not a readable WAV: {exc}") from exc


def wav_info(path: Path) -> WavInfo:
    """Duration, RMS (full scale = 32768) and peak of a 16-bit PCM WAV."""
    samples, rate, channels = read_pcm16(path)
    rms = float(np.sqrt(np.mean(samples.astype(np.float64) ** 2))) if samples.size else 0.0
    peak = int(np.max(np.abs(samples.astype(np.int32)))) if samples.size else 0
    return WavInfo(samples.size / channels / rate, rms, peak, rate, channels)


def write_scaled(src: Path, dst: Path, gain: float) -> None:
    """Copy a 16-bit WAV to `dst` with the samples multiplied by `gain` (clipped)."""
    samples, rate, channels = read_pcm16(src)
    scaled = np.clip(samples.astype(np.float32) * gain, -32768, 32767).astype("<i2")
    with wave.open(str(dst), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(scaled.tobytes())


class EspeakSynth:
    """Speaks text into WAV files with espeak-ng, cached by (voice, speed, text)."""

    def __init__(
        self,
        cache_dir: Path,
        *,
        voice: str = "cmn",
        speed_wpm: int = 150,
        executable: str = "espeak-ng",
        timeout_s: float = 20.0,
    ) -> None:
        self.cache_dir = Path(cache_dir)
        self.voice = voice
        self.speed_wpm = speed_wpm
        self.executable = executable
        self.timeout_s = timeout_s

    def available(self) -> bool:
        """Whether the synthesiser program can be found."""
        return shutil.which(self.executable) is not None

    def synthesize(self, text: str) -> Path:
        """The WAV file speaking `text` (made once, then reused)."""
        digest = hashlib.sha256(f"{self.voice}|{self.speed_wpm}|{text}".encode()).hexdigest()[:24]
        out = self.cache_dir / f"tts-{digest}.wav"
        if out.exists():
            return out
        tmp = out.with_suffix(".tmp.wav")
        # Text goes through stdin, not argv: a message starting with '-' is never an option.
        argv = [
            self.executable,
            "-v",
            self.voice,
            "-s",
            str(self.speed_wpm),
            "-w",
            str(tmp),
            "--stdin",
        ]
        try:
            result = subprocess.run(
                argv, input=text.encode("utf-8"), capture_output=True, timeout=self.timeout_s,
                check=False,
            )  # fmt: skip
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SpeechError(f"{self.executable} failed: {exc}") from exc
        if result.returncode != 0 or not tmp.exists():
            stderr = result.stderr.decode("utf-8", "replace").strip()
            raise SpeechError(f"{self.executable} exited {result.returncode}: {stderr}")
        tmp.replace(out)
        return out
