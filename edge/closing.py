"""The context-manager protocol of every device, source and server that owns a `close()`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Self


class ClosedOnExit:
    """`with thing:` closes it on the way out; the class provides `close()`, safe to call twice."""

    close: Callable[[], None]

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
