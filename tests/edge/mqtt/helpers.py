"""Helpers for tests that run agents and the receiver against a real mosquitto."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from edge.config.common import AgentConfig

WHEN = "2026-11-30T08:00:00.000Z"


def agent_config(tmp: Path, url: str, device: str = "site-1", kind: str = "wim",
                 broker: dict[str, Any] | None = None, outbox: dict[str, Any] | None = None,
                 ) -> AgentConfig:
    """A complete agent config with its outbox and key under `tmp`."""
    return AgentConfig.model_validate({
        "kind": kind,
        "device": {"id": device, "position": {"lat": 30.78, "lon": 120.69}},
        "broker": {"url": url, "reconnect_min_s": 0.2, "reconnect_max_s": 1.0,
                   **(broker or {})},
        "outbox": {"path": str(tmp / device / "outbox.sqlite"),
                   "evidence_dir": str(tmp / device / "evidence"), "min_free_disk_mb": 0,
                   **(outbox or {})},
        "keys": {"signing_key_file": str(tmp / device / "key.pem")},
        "health": {"interval_s": 1},
    })


def wait_until(cond: Callable[[], Any], timeout_s: float = 10.0, what: str = "condition") -> Any:
    """Poll until cond() is truthy; fail the test with `what` on timeout."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = cond()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")


def dumps(obj: Any) -> bytes:
    return json.dumps(obj).encode()
