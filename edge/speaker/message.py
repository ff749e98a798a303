"""A voice message: a configured clip or text to speak."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class VoiceMessage:
    """Exactly one of `text` (spoken by the synthesiser) or `clip` (a WAV file).

    `priority`: higher plays first and interrupts a lower one playing. `volume`: gain
    applied to the samples (1.0 as recorded; escalation may ask for more, clipped at full
    scale). `key`: what counts as "the same message" for the cool-down (default: the text
    or the clip path).
    """

    text: str | None = None
    clip: Path | None = None
    priority: int = 0
    volume: float = 1.0
    key: str | None = None

    def __post_init__(self) -> None:
        if (self.text is None) == (self.clip is None):
            raise ValueError("a voice message has exactly one of text or clip")
        if self.text is not None and not self.text.strip():
            raise ValueError("voice text is empty")
        if not 0.0 < self.volume <= 4.0:
            raise ValueError(f"volume {self.volume} must be within (0, 4]")

    @property
    def dedup_key(self) -> str:
        """The identity used to collapse repeats within the cool-down."""
        if self.key is not None:
            return self.key
        return f"text:{self.text}" if self.text is not None else f"clip:{self.clip}"
