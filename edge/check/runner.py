"""Which checks a config asks for, and running them in parallel within their budgets."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

from edge.check import devices
from edge.check.broker import check_broker
from edge.check.clock import check_clock
from edge.check.result import CheckResult
from edge.check.thresholds import CheckThresholds
from edge.config.common import AgentConfig

Probe = tuple[str, Callable[[], CheckResult]]


def plan_checks(config: AgentConfig, th: CheckThresholds) -> list[Probe]:
    """One probe per configured device, in the order they are printed."""
    probes: list[Probe] = []
    cfg: Any = config
    if getattr(cfg, "gnss", None) is not None:
        probes.append((f"gnss {cfg.gnss.url}", lambda: devices.check_gnss(
            cfg.gnss.url, cfg.gnss.baudrate, th)))
    if getattr(cfg, "daq", None) is not None:
        zeros = {ch.index: ch.zero_counts for ch in cfg.channels}
        probes.append((f"daq {cfg.daq.url}", lambda: devices.check_daq(
            cfg.daq.url, cfg.daq.baudrate, cfg.daq.sample_rate_hz, zeros, th)))
    for cam in getattr(cfg, "cameras", ()):
        probes.append((f"camera {cam.id} {cam.url}", partial(
            devices.check_camera, cam.id, cam.url, th)))
    if getattr(cfg, "camera", None) is not None:
        cam = cfg.camera
        probes.append((f"camera {cam.url}", lambda: devices.check_camera(
            "forward", cam.url, th, (cam.width_px, cam.height_px))))
    if getattr(cfg, "helm", None) is not None:
        probes.append((f"helm {cfg.helm.url}", lambda: devices.check_port(
            "helm", cfg.helm.url, cfg.helm.baudrate)))
    for role in ("sign", "screen"):
        display = getattr(cfg, role, None)
        if display is not None:
            probes.append((f"{role} {display.url}", partial(
                devices.check_display, role, display.url, display.address, display.baudrate,
                th)))
    if getattr(cfg, "speaker", None) is not None:
        probes.append((f"speaker {cfg.speaker.url}", lambda: devices.check_speaker(
            cfg.speaker.url, cfg.speaker.voice, th)))
    probes.append((f"broker {cfg.broker.url}", lambda: check_broker(
        cfg.broker, cfg.kind, cfg.device.id, th.device_timeout_s)))
    out = cfg.outbox
    probes.append((f"disk {out.path.parent}", lambda: devices.check_disk(
        out.path, out.evidence_dir, out.disk_budget_mb, out.min_free_disk_mb)))
    return probes


def _run_one(name: str, probe: Callable[[], CheckResult]) -> CheckResult:
    start = time.monotonic()
    try:
        result = probe()
    except Exception as exc:  # a probe bug or an odd device must not hide the other lines
        result = CheckResult(name, False, f"check failed: {type(exc).__name__}: {exc}")
    return CheckResult(result.device, result.ok, result.summary, result.figures,
                       time.monotonic() - start)


def run_checks(config: AgentConfig, th: CheckThresholds | None = None,
               on_result: Callable[[CheckResult], None] | None = None) -> list[CheckResult]:
    """Run every check (devices in parallel), then the clock against what they measured."""
    th = th or CheckThresholds()
    probes = plan_checks(config, th)
    with ThreadPoolExecutor(max_workers=len(probes), thread_name_prefix="edge-check") as pool:
        futures = [pool.submit(_run_one, name, probe) for name, probe in probes]
        results = []
        for future in futures:
            result = future.result()
            results.append(result)
            if on_result is not None:
                on_result(result)
    references: dict[str, float] = {}
    for r in results:
        offset = r.figures.get("clock_offset_s")
        if isinstance(offset, float):
            references[r.device.split()[0]] = offset
    clock = _run_one("clock", lambda: check_clock(references, th))
    if on_result is not None:
        on_result(clock)
    return [*results, clock]
