"""Evidence files: hashed at capture, written to disk atomically."""

from __future__ import annotations

import hashlib
import mimetypes
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from edge.errors import EdgeError

# A file name that is safe as a path component on every filesystem and in a topic.
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


@dataclass(frozen=True)
class EvidenceFile:
    """One evidence file (photo, clip, raw signal) as captured; `sha256` is taken at capture."""

    name: str
    content_type: str
    data: bytes = field(repr=False)
    sha256: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not _SAFE_NAME.match(self.name):
            raise EdgeError(f"evidence file name {self.name!r} is not allowed "
                            "(letters, digits, '.', '_', '-'; at most 128; no leading dot)")
        digest = hashlib.sha256(self.data).hexdigest()
        if self.sha256 and self.sha256 != digest:
            raise EdgeError(f"evidence file {self.name}: data does not match its sha256")
        object.__setattr__(self, "sha256", digest)

    @property
    def size_bytes(self) -> int:
        return len(self.data)

    @classmethod
    def from_path(cls, path: str | Path, content_type: str | None = None,
                  name: str | None = None) -> EvidenceFile:
        """Read a file from disk (name defaults to its base name, type guessed from it)."""
        p = Path(path)
        guessed = mimetypes.guess_type(p.name)[0] or "application/octet-stream"
        return cls(name or p.name, content_type or guessed, p.read_bytes())

    def describe(self) -> dict[str, object]:
        """The entry of a record's `evidence` list."""
        return {"name": self.name, "sha256": self.sha256, "content_type": self.content_type,
                "bytes": len(self.data)}


def sha256_file(path: Path) -> str:
    """The sha256 (hex) of a file's content, read in chunks."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fsync_dir(path: Path) -> None:
    """Make a directory entry change (create, rename, unlink) durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_file_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write data so that after a crash the file is either absent or complete.

    Temp file in the same folder, fsync, rename over the target, fsync the folder.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    fsync_dir(path.parent)
