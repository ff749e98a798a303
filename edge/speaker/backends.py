"""Speaker backends: ALSA through `aplay`, and a WAV sink for tests and dry runs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from edge.speaker.audio import wav_info
from edge.speaker.base import PlayRequest, Speaker
from edge.speaker.errors import PlaybackError


class AlsaSpeaker(Speaker):
    """`alsa://DEVICE` (e.g. `alsa://default`, `alsa://plughw:1,0`): plays with `aplay -D`."""

    def __init__(self, url: str, *, aplay: str = "aplay", **kwargs: Any) -> None:
        self.device = url.removeprefix("alsa://") or "default"
        self.aplay = aplay
        self._proc: subprocess.Popen[bytes] | None = None
        self._proc_lock = threading.Lock()
        self._cancelled = False
        super().__init__(url, **kwargs)

    def _play(self, request: PlayRequest) -> None:
        argv = [self.aplay, "-q", "-D", self.device, str(request.wav)]
        with self._proc_lock:
            if self._cancelled:
                # Preempted between leaving the queue and starting aplay.
                self._cancelled = False
                return
            try:
                proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            except OSError as exc:
                raise PlaybackError(f"{self.aplay}: {exc}") from exc
            self._proc = proc
        _, stderr = proc.communicate()
        with self._proc_lock:
            self._proc = None
            self._cancelled = False
        if proc.returncode < 0:
            return  # stopped on purpose (preempted or closing)
        if proc.returncode != 0:
            reason = stderr.decode("utf-8", "replace").strip().splitlines()
            raise PlaybackError(f"aplay -D {self.device} exited {proc.returncode}: {reason[-1:]}")

    def _stop(self) -> None:
        with self._proc_lock:
            if self._proc is None:
                self._cancelled = True
            elif self._proc.poll() is None:
                self._proc.terminate()


class WavSinkSpeaker(Speaker):
    """`wav:///DIR`: every played message becomes `NNNNN.wav` plus `NNNNN.json` in DIR.

    The sidecar holds `text`, `clip`, `priority`, `volume`, `key`, `time` (UTC ISO-8601),
    `t_s` (epoch seconds) and `duration_s`. Files appear atomically (temp name, rename).
    """

    def __init__(self, url: str, **kwargs: Any) -> None:
        self.directory = Path(url.removeprefix("wav://"))
        self.directory.mkdir(parents=True, exist_ok=True)
        self._count = len(list(self.directory.glob("*.json")))
        super().__init__(url, **kwargs)

    def _play(self, request: PlayRequest) -> None:
        stem = self.directory / f"{self._count:05d}"
        self._count += 1
        message = request.message
        now = time.time()
        sidecar = {
            "text": message.text,
            "clip": str(message.clip) if message.clip else None,
            "priority": message.priority,
            "volume": message.volume,
            "key": message.dedup_key,
            "time": datetime.fromtimestamp(now, UTC).isoformat(timespec="milliseconds"),
            "t_s": now,
            "duration_s": wav_info(request.wav).duration_s,
        }
        try:
            tmp = stem.with_suffix(".wav.tmp")
            shutil.copyfile(request.wav, tmp)
            os.replace(tmp, stem.with_suffix(".wav"))
            tmp = stem.with_suffix(".json.tmp")
            tmp.write_text(json.dumps(sidecar, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, stem.with_suffix(".json"))
        except OSError as exc:
            raise PlaybackError(f"WAV sink {self.directory}: {exc}") from exc

    def _stop(self) -> None:
        pass  # writing a file is not interruptible and takes no audible time
