"""Helpers for WIM end-to-end tests: a site config on free ports, truth, waiting."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from tests.support.mosquitto import free_port
from wim_station.config import WimSiteConfig

REPO = Path(__file__).resolve().parents[3]
SITE_YAML = REPO / "config" / "wim_site.yaml"


def site_config(tmp: Path, broker_url: str, **overrides: Any) -> WimSiteConfig:
    """The shipped site config with every port free, every file under `tmp`, health at 1 s."""
    doc = yaml.safe_load(SITE_YAML.read_text("utf-8"))
    doc["device"]["id"] = "e2e-site"
    doc["broker"] = {"url": broker_url, "reconnect_min_s": 0.2, "reconnect_max_s": 1.0}
    doc["outbox"] = {"path": str(tmp / "agent" / "outbox.sqlite"),
                     "evidence_dir": str(tmp / "agent" / "evidence"), "min_free_disk_mb": 0}
    doc["keys"] = {"signing_key_file": str(tmp / "agent" / "device.ed25519")}
    doc["health"] = {"interval_s": 1}
    doc["daq"]["url"] = f"socket://127.0.0.1:{free_port()}"
    for cam in doc["cameras"]:
        cam["url"] = f"http://127.0.0.1:{free_port()}/stream.mjpg"
    doc["sign"]["url"] = f"socket://127.0.0.1:{free_port()}"
    for key, value in overrides.items():
        doc[key] = {**doc.get(key, {}), **value} if isinstance(value, dict) else value
    return WimSiteConfig.model_validate(doc)


def write_config(config: WimSiteConfig, path: Path) -> Path:
    """Write a config as YAML (what `edge run` reads)."""
    path.write_text(yaml.safe_dump(config.model_dump(mode="json"), allow_unicode=True), "utf-8")
    return path


def wait_until(cond: Callable[[], Any], timeout_s: float, what: str,
               poll_s: float = 0.2) -> Any:
    """Poll until cond() is truthy; fail with `what` on timeout."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = cond()
        if value:
            return value
        time.sleep(poll_s)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
