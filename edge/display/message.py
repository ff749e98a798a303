"""What a text display is asked to show."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Colour = Literal["red", "green", "amber", "white"]
Effect = Literal["static", "scroll"]
COLOURS: tuple[Colour, ...] = ("red", "green", "amber", "white")
EFFECTS: tuple[Effect, ...] = ("static", "scroll")


@dataclass(frozen=True)
class DisplayMessage:
    """One message for a sign or screen.

    `priority`: higher wins on the message board (0 is the idle/default level).
    `hold_s`: how long it stays up; 0 means until replaced. `speed` is the scroll speed 1..9.
    `text` may contain '\\n' to break lines on multi-line panels.
    """

    text: str
    colour: Colour = "amber"
    effect: Effect = "static"
    priority: int = 0
    hold_s: float = 0.0
    speed: int = 5

    def __post_init__(self) -> None:
        if self.colour not in COLOURS:
            raise ValueError(f"colour {self.colour!r} not one of {COLOURS}")
        if self.effect not in EFFECTS:
            raise ValueError(f"effect {self.effect!r} not one of {EFFECTS}")
        if self.hold_s < 0 or self.hold_s > 6553.5:
            raise ValueError(f"hold_s {self.hold_s} must be within 0..6553.5")
        if not 1 <= self.speed <= 9:
            raise ValueError(f"speed {self.speed} must be within 1..9")
