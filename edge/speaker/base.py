"""The `Speaker` role: a priority queue of voice messages played by a background thread.

`say()` only queues (it never waits on audio: navigation and weighing loops call it). The
thread takes the highest-priority message (first come first within a priority), turns it
into a WAV (a configured clip, or text through espeak-ng), applies the volume and hands it
to the backend's `_play`. A message with a higher priority than the one playing interrupts
it (`_stop`); the interrupted one is not replayed. A message whose `dedup_key` was queued or
played less than `cooldown_s` ago collapses into the earlier one.
"""

from __future__ import annotations

import heapq
import itertools
import tempfile
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from edge.closing import ClosedOnExit
from edge.speaker.audio import EspeakSynth, write_scaled
from edge.speaker.errors import SpeakerError
from edge.speaker.message import VoiceMessage

SpeakerState = Literal["idle", "playing", "failed", "closed"]


@dataclass(frozen=True)
class SpeakerHealth:
    """What a speaker's health report says."""

    url: str
    state: SpeakerState
    queued: int
    played: int
    failed: int
    collapsed: int
    preempted: int
    dropped: int
    last_error: str | None


@dataclass(frozen=True)
class PlayRequest:
    """What a backend is asked to play: the final WAV and the message it came from."""

    wav: Path
    message: VoiceMessage


class Speaker(ABC, ClosedOnExit):
    """Queue and play voice messages. Backends implement `_play` (blocking) and `_stop`."""

    def __init__(
        self,
        url: str,
        *,
        voice: str = "cmn",
        speed_wpm: int = 150,
        cooldown_s: float = 10.0,
        max_queue: int = 16,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        self.cooldown_s = cooldown_s
        self.max_queue = max_queue
        self._clock = clock
        self._workdir = tempfile.TemporaryDirectory(prefix="speaker-")
        self.synth = EspeakSynth(Path(self._workdir.name), voice=voice, speed_wpm=speed_wpm)
        self._cond = threading.Condition()
        self._queue: list[tuple[int, int, VoiceMessage]] = []
        self._order = itertools.count()
        self._last_said: dict[str, float] = {}
        self._playing: VoiceMessage | None = None
        self._closed = False
        self._state: SpeakerState = "idle"
        self._played = self._failed = self._collapsed = self._preempted = self._dropped = 0
        self._last_error: str | None = None
        self._thread = threading.Thread(target=self._run, name=f"speaker {url}", daemon=True)
        self._thread.start()

    def say(self, message: VoiceMessage) -> bool:
        """Queue `message`; False if it collapsed into a recent one or the speaker is closed."""
        with self._cond:
            if self._closed:
                return False
            now = self._clock()
            last = self._last_said.get(message.dedup_key)
            if last is not None and now - last < self.cooldown_s:
                self._collapsed += 1
                return False
            self._last_said[message.dedup_key] = now
            heapq.heappush(self._queue, (-message.priority, next(self._order), message))
            if len(self._queue) > self.max_queue:
                # Drop the least urgent, newest message: old urgent warnings matter more.
                self._queue.remove(max(self._queue))
                heapq.heapify(self._queue)
                self._dropped += 1
            playing = self._playing
            if playing is not None and message.priority > playing.priority:
                self._preempted += 1
                self._stop()
            self._cond.notify()
            return True

    def health(self) -> SpeakerHealth:
        """Counters and state, cheap to call from any thread."""
        with self._cond:
            return SpeakerHealth(
                self.url, self._state, len(self._queue), self._played, self._failed,
                self._collapsed, self._preempted, self._dropped, self._last_error,
            )  # fmt: skip

    def wait_idle(self, timeout_s: float) -> bool:
        """Block until nothing is queued or playing (for tests and orderly shutdown)."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while self._queue or self._playing is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return True

    def close(self) -> None:
        """Stop playback, join the thread, remove temporary audio; safe to call twice."""
        with self._cond:
            if self._closed:
                return
            self._closed = True
            self._queue.clear()
            if self._playing is not None:
                self._stop()
            self._cond.notify_all()
        self._thread.join()
        self._state = "closed"
        self._close()
        self._workdir.cleanup()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._closed:
                    self._cond.wait()
                if self._closed:
                    return
                _, _, message = heapq.heappop(self._queue)
                self._playing = message
                self._state = "playing"
            ok, error = self._play_one(message)
            with self._cond:
                self._playing = None
                if ok:
                    self._played += 1
                    self._state = "idle"
                else:
                    self._failed += 1
                    self._state = "failed"
                    self._last_error = error
                self._cond.notify_all()

    def _play_one(self, message: VoiceMessage) -> tuple[bool, str | None]:
        scaled: Path | None = None
        try:
            wav = self.synth.synthesize(message.text) if message.text is not None else message.clip
            assert wav is not None  # VoiceMessage guarantees text or clip
            if message.volume != 1.0:
                scaled = Path(self._workdir.name) / f"vol-{next(self._order)}.wav"
                write_scaled(wav, scaled, message.volume)
                wav = scaled
            self._play(PlayRequest(wav, message))
        except SpeakerError as exc:
            return False, str(exc)
        finally:
            if scaled is not None:
                scaled.unlink(missing_ok=True)
        return True, None

    @abstractmethod
    def _play(self, request: PlayRequest) -> None:
        """Play to the end (or until `_stop`); raise SpeakerError on failure."""

    @abstractmethod
    def _stop(self) -> None:
        """Interrupt the current `_play` from another thread (called with the lock held)."""

    def _close(self) -> None:
        pass

