"""`manifest.json`: what a recording folder holds."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from edge.errors import EdgeError

FORMAT = "edge-recording/1"
Role = Literal["gnss", "daq", "camera"]


class RecordingFolderError(EdgeError):
    """A recording folder is missing, incomplete or of an unknown format."""


@dataclass(frozen=True)
class StreamEntry:
    """One recorded input stream; `path` is relative to the folder."""

    role: Role
    name: str  # the camera id, or the role
    url: str  # where it was recorded from
    path: str
    items: int = 0  # chunks (gnss, daq) or frames (camera)
    bytes: int = 0
    counters: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Manifest:
    """What, from where and when: times are host seconds since the epoch."""

    device: str
    kind: str
    config: str  # the config file as it was, copied into the folder
    t_start_s: float
    t_end_s: float
    streams: tuple[StreamEntry, ...]
    format: str = FORMAT

    def stream(self, role: Role, name: str | None = None) -> StreamEntry | None:
        return next((s for s in self.streams if s.role == role and name in (None, s.name)),
                    None)

    def write(self, folder: Path) -> Path:
        """Write `manifest.json` (temporary name, fsync, rename)."""
        path = folder / "manifest.json"
        part = path.with_suffix(".json.part")
        with open(part, "w", encoding="utf-8") as f:
            json.dump({**asdict(self), "streams": [asdict(s) for s in self.streams]}, f,
                      indent=2, ensure_ascii=False)
            f.flush()
            os.fsync(f.fileno())
        os.replace(part, path)
        return path

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        path = folder / "manifest.json"
        try:
            data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise RecordingFolderError(f"{path}: not a recording ({exc})") from exc
        if data.get("format") != FORMAT:
            raise RecordingFolderError(f"{path}: format {data.get('format')!r}, "
                                       f"expected {FORMAT!r}")
        try:
            streams = tuple(StreamEntry(**s) for s in data.pop("streams"))
            return cls(**data, streams=streams)
        except (TypeError, KeyError) as exc:
            raise RecordingFolderError(f"{path}: malformed manifest ({exc})") from exc
