"""One probe per device role: open it, watch it for a moment, say what was seen.

Each probe returns a `CheckResult` and never raises for a device fault; it closes what it
opened. Time budgets come from `CheckThresholds`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import serial

from edge.check.result import CheckResult
from edge.check.thresholds import CheckThresholds

STATUS_BITS = {0: "LED module fault", 1: "power fault", 2: "over-temperature"}


def _fail(device: str, why: str, **figures: Any) -> CheckResult:
    return CheckResult(device, False, why, figures)


def check_gnss(url: str, baudrate: int, th: CheckThresholds) -> CheckResult:
    """Fix mode, satellites, HDOP, fix age; the host clock offset against GNSS time."""
    from vessel.gnss import open_gnss

    device = f"gnss {url}"
    deadline = time.monotonic() + th.device_timeout_s
    offsets: list[float] = []
    last = None
    with open_gnss(url, baudrate) as gnss:
        while time.monotonic() < deadline:
            fix = gnss.read(min(0.5, max(0.0, deadline - time.monotonic())))
            if fix is None:
                continue
            if fix.time is not None:
                offsets.append(time.time() - fix.time.timestamp())
            last = fix
            if fix.has_position and len(offsets) >= 3:
                break
        health = gnss.health()
        age = gnss.fix_age_s()
    if last is None:
        reason = health.get("state", "?")
        return _fail(device, f"no NMEA epoch in {th.device_timeout_s:.0f} s "
                     f"({health.get('bytes', 0)} bytes read, port {reason})", **_counters(health))
    figures: dict[str, Any] = {"fix": last.fix, "sats": last.sats, "hdop": last.hdop,
                               "fix_age_s": age, **_counters(health)}
    if offsets:
        figures["clock_offset_s"] = statistics.median(offsets)
    text = (f"{last.fix} fix, {last.sats if last.sats is not None else '?'} satellites, "
            f"HDOP {last.hdop if last.hdop is not None else '?'}, "
            f"age {'-' if age is None else f'{age:.1f} s'}")
    if not last.has_position:
        return _fail(device, f"no position fix ({text})", **figures)
    if age is None or age > th.max_fix_age_s:
        return _fail(device, f"fix too old ({text}; limit {th.max_fix_age_s} s)", **figures)
    if last.sats is not None and last.sats < th.min_satellites:
        return _fail(device, f"too few satellites ({text}; need {th.min_satellites})", **figures)
    return CheckResult(device, True, text, figures)


def _counters(health: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in health.items() if isinstance(v, int | float) and k != "bytes"}


def check_daq(url: str, baudrate: int, sample_rate_hz: int, zero_counts: dict[int, int],
              th: CheckThresholds) -> CheckResult:
    """Frames/s, CRC errors, each channel's resting level and noise; DAQ clock offset."""
    from wim_station.daq import open_daq
    from wim_station.daq.frame import STATUS_CLOCK_UNSYNCED

    device = f"daq {url}"
    frames = []
    offsets: list[float] = []
    start = time.monotonic()
    deadline = start + th.device_timeout_s
    first_frame_at: float | None = None
    with open_daq(url, baudrate, reconnect_max_s=1.0) as daq:
        while time.monotonic() < deadline:
            frame = daq.read(min(0.5, max(0.0, deadline - time.monotonic())))
            if frame is None:
                continue
            now = time.monotonic()
            first_frame_at = first_frame_at or now
            frames.append(frame)
            offsets.append(time.time() - (frame.t0_us + frame.duration_us) / 1e6)
            if now - first_frame_at >= th.sample_s:
                break
        health = daq.health()
    counters: dict[str, Any] = {k: health[k] for k in ("bad_crc", "resync_bytes", "seq_gaps",
                                                       "frames") if k in health}
    if not frames:
        why = health.get("last_error") or "no frames"
        return _fail(device, f"no DAQ frame in {th.device_timeout_s:.0f} s ({why})",
                     **counters)
    span_s = max(1e-6, time.monotonic() - (first_frame_at or start))
    samples = np.concatenate([f.samples for f in frames])
    # Samples that arrived after the first frame, over the time they took to arrive, and
    # the same against the DAQ's own clock: a DAQ (or a host) that cannot keep up in real
    # time shows a low ratio; a misconfigured sample rate shows in the frames' own rate.
    rate_hz = (samples.shape[0] - frames[0].n_samples) / span_s if len(frames) > 1 else 0.0
    daq_span_s = (frames[-1].t0_us - frames[0].t0_us) / 1e6
    realtime = daq_span_s / span_s if len(frames) > 1 else 0.0
    frame_rate_hz = frames[-1].sample_rate_hz
    frames_per_s = (len(frames) - 1) / span_s if len(frames) > 1 else 0.0
    problems: list[str] = []
    channels: list[dict[str, Any]] = []
    for ch in range(samples.shape[1]):
        column = samples[:, ch].astype(np.float64)
        level = float(np.median(column))
        noise = float(1.4826 * np.median(np.abs(column - level)))
        expected = zero_counts.get(ch, 0)
        channels.append({"channel": ch, "zero_counts": round(level, 1),
                         "noise_counts": round(noise, 1)})
        if abs(level - expected) > th.max_zero_offset_counts:
            problems.append(f"ch{ch} zero {level:.0f} (configured {expected})")
        if noise > th.max_noise_counts:
            problems.append(f"ch{ch} noise {noise:.0f} counts")
    if ch + 1 != len(zero_counts):
        problems.append(f"{samples.shape[1]} channels on the wire, {len(zero_counts)} configured")
    unsynced = any(f.status & STATUS_CLOCK_UNSYNCED for f in frames)
    figures: dict[str, Any] = {"frames_per_s": round(frames_per_s, 1),
                               "samples_per_s": round(rate_hz),
                               "realtime_ratio": round(realtime, 3), "channels": channels,
                               "clock_unsynced": unsynced, **counters}
    if not unsynced:
        figures["clock_offset_s"] = min(offsets)  # arrival latency only ever adds
    if health.get("bad_crc"):
        problems.append(f"{health['bad_crc']} CRC errors")
    if frame_rate_hz != sample_rate_hz:
        problems.append(f"frames say {frame_rate_hz} Hz, config says {sample_rate_hz} Hz")
    if realtime < th.min_daq_realtime_ratio:
        problems.append(f"only {realtime:.2f} s of samples per second arrive")
    if health.get("lost_frames"):
        problems.append(f"{health['lost_frames']} frames lost (sequence gaps)")
    levels = " ".join(f"ch{c['channel']} {c['zero_counts']:.0f}±{c['noise_counts']:.0f}"
                      for c in channels)
    text = (f"{frames_per_s:.0f} frames/s ({rate_hz:.0f} samples/s at {frame_rate_hz} Hz), "
            f"{health.get('bad_crc', 0)} CRC errors; zero±noise {levels}")
    if problems:
        return _fail(device, "; ".join(problems) + f" ({text})", **figures)
    return CheckResult(device, True, text, figures)


def check_camera(name: str, url: str, th: CheckThresholds,
                 expect_px: tuple[int, int] | None = None) -> CheckResult:
    """Resolution and frame rate of a camera (and the configured resolution, if any)."""
    from edge.camera import open_frame_source

    device = f"camera {name} {url}"
    deadline = time.monotonic() + th.device_timeout_s
    first: float | None = None
    with open_frame_source(url, buffer_s=th.sample_s + 1, read_timeout_s=th.device_timeout_s,
                           backoff_max_s=1.0) as cam:
        while time.monotonic() < deadline:
            if cam.latest() is not None:
                first = first or time.monotonic()
                if time.monotonic() - first >= th.sample_s:
                    break
            time.sleep(0.05)
        health = cam.health()
        frame = cam.latest()
        shape = None
        if frame is not None:
            try:
                shape = frame.image.shape
            except Exception as exc:  # a corrupt JPEG is the camera's fault, not ours
                return _fail(device, f"undecodable frame: {exc}")
    if frame is None or shape is None:
        return _fail(device, f"no frame in {th.device_timeout_s:.0f} s "
                     f"({health.state}: {health.last_error or 'nothing received'})")
    width, height = int(shape[1]), int(shape[0])
    fps = health.fps
    figures = {"width_px": width, "height_px": height, "fps": fps,
               "bad_frames": health.bad_frames}
    text = f"{width}x{height} at {fps:.1f} fps"
    if expect_px is not None and (width, height) != expect_px:
        return _fail(device, f"{text}, but the config says {expect_px[0]}x{expect_px[1]}",
                     **figures)
    if fps < th.min_camera_fps:
        return _fail(device, f"{text}: below {th.min_camera_fps} fps", **figures)
    return CheckResult(device, True, text, figures)


def check_display(name: str, url: str, address: int, baudrate: int,
                  th: CheckThresholds) -> CheckResult:
    """Asks the controller for its status byte (the message shown is left alone)."""
    from edge.display import SerialTextDisplay, open_display

    device = f"{name} {url}"
    reply_s = min(1.0, th.device_timeout_s / 3)
    try:
        display = open_display(url, address=address, baudrate=baudrate, reply_timeout_s=reply_s,
                               retries=1)
    except ValueError as exc:
        return _fail(device, str(exc))
    with display:
        if not isinstance(display, SerialTextDisplay):
            return CheckResult(device, True, "in-memory display (no hardware)")
        bits = display.status()
        error = display.health().last_error
    if bits is None:
        return _fail(device, f"controller at address {address} does not answer "
                     f"({error or 'no reply'})")
    faults = [text for bit, text in STATUS_BITS.items() if bits & (1 << bit)]
    if faults:
        return _fail(device, "controller reports " + ", ".join(faults), status_bits=bits)
    return CheckResult(device, True, f"controller at address {address} answers, status ok",
                       {"status_bits": bits})


def check_speaker(url: str, voice: str, th: CheckThresholds) -> CheckResult:
    """The audio output opens (0.1 s of silence) and the speech synthesiser has the voice."""
    device = f"speaker {url}"
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        return _fail(device, "espeak-ng is not installed (apt install espeak-ng)")
    try:
        voices = subprocess.run([espeak, f"--voices={voice}"], capture_output=True, text=True,
                                timeout=th.device_timeout_s, check=False).stdout
    except subprocess.TimeoutExpired:
        return _fail(device, "espeak-ng does not answer")
    if len(voices.strip().splitlines()) < 2:
        return _fail(device, f"espeak-ng has no voice {voice!r}")
    if url.startswith("wav://"):
        sink = Path(url.removeprefix("wav://"))
        return _writable(device, sink, f"WAV sink {sink}, voice {voice}")
    if not url.startswith("alsa://"):
        return _fail(device, f"unsupported speaker URL {url!r}")
    aplay = shutil.which("aplay")
    if aplay is None:
        return _fail(device, "aplay is not installed (apt install alsa-utils)")
    pcm = url.removeprefix("alsa://") or "default"
    try:
        proc = subprocess.run([aplay, "-q", "-D", pcm, "-t", "raw", "-f", "S16_LE", "-r",
                               "8000", "-c", "1"], input=bytes(1600), capture_output=True,
                              timeout=th.device_timeout_s, check=False)
    except subprocess.TimeoutExpired:
        return _fail(device, f"ALSA device {pcm} blocks (busy?)")
    if proc.returncode != 0:
        why = proc.stderr.decode(errors="replace").strip().splitlines()
        return _fail(device, f"ALSA device {pcm} does not open: {why[-1] if why else '?'}")
    return CheckResult(device, True, f"ALSA device {pcm} plays, voice {voice}")


def _writable(device: str, folder: Path, text: str) -> CheckResult:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".check-") as tmp:
            tmp.write(b"x")
            tmp.flush()
            os.fsync(tmp.fileno())
    except OSError as exc:
        return _fail(device, f"{folder} is not writable: {exc.strerror or exc}")
    return CheckResult(device, True, text)


def check_port(name: str, url: str, baudrate: int) -> CheckResult:
    """A serial-like port opens (nothing is written: a helm must not move the boat)."""
    device = f"{name} {url}"
    try:
        # pyserial's socket:// connect gives up after its own 5 s (POLL_TIMEOUT).
        port = serial.serial_for_url(url, baudrate=baudrate, timeout=0.2)
        try:
            waiting = port.read(256)
        finally:
            port.close()
    except (serial.SerialException, OSError, ValueError) as exc:
        return _fail(device, f"cannot open: {exc}")
    return CheckResult(device, True, f"port opens ({len(waiting)} bytes waiting)")


def check_disk(outbox_path: Path, evidence_dir: Path, budget_mb: float, min_free_mb: float,
               ) -> CheckResult:
    """Outbox and evidence folders writable; the budget fits in the free space."""
    device = f"disk {outbox_path.parent}"
    for folder in (outbox_path.parent, evidence_dir):
        result = _writable(device, folder, "")
        if not result.ok:
            return result
    used = sum(p.stat().st_size for p in outbox_path.parent.glob(outbox_path.name + "*")
               if p.is_file())
    with contextlib.suppress(OSError):
        used += sum(p.stat().st_size for p in evidence_dir.rglob("*") if p.is_file())
    used_mb = used / 1e6
    free_mb = shutil.disk_usage(outbox_path.parent).free / 1e6
    figures = {"used_mb": round(used_mb, 1), "budget_mb": budget_mb, "free_mb": round(free_mb)}
    text = (f"outbox+evidence {used_mb:.1f} MB of {budget_mb:.0f} MB budget, "
            f"{free_mb:.0f} MB free")
    if free_mb < min_free_mb:
        return _fail(device, f"{text}: below the {min_free_mb:.0f} MB kept free", **figures)
    if free_mb - min_free_mb < budget_mb - used_mb:
        return _fail(device, f"{text}: the budget does not fit (lower outbox.disk_budget_mb "
                     "or free space)", **figures)
    return CheckResult(device, True, text, figures)
