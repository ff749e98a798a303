"""What this process holds right now: threads, child processes, sockets."""

from __future__ import annotations

import os
import threading
from pathlib import Path


def live_threads() -> set[threading.Thread]:
    """Threads still running, the main thread excepted."""
    return {t for t in threading.enumerate() if t is not threading.main_thread() and t.is_alive()}


def child_pids() -> set[int]:
    """Live (not zombie-reaped) children of this process, from /proc."""
    pids: set[int] = set()
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        try:
            text = (task / "children").read_text()
        except OSError:
            continue
        pids.update(int(p) for p in text.split())
    return pids


def open_sockets() -> set[str]:
    """Inodes of the sockets this process has open (`socket:[123]`)."""
    found: set[str] = set()
    fd_dir = Path(f"/proc/{os.getpid()}/fd")
    for fd in fd_dir.iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:"):
            found.add(target)
    return found
