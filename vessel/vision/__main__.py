"""`python -m vessel.vision SOURCE [--config VESSEL.yaml] [--camera CAMERA.json] --json`."""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import fields
from pathlib import Path
from typing import Any

from vessel.vision.camera import CameraModel
from vessel.vision.core import FrameResult, VisionCore
from vessel.vision.source import SourceError, open_frames

_CAMERA_KEYS = {f.name for f in fields(CameraModel)}


class UsageError(Exception):
    """Bad arguments or input: one line for stderr, exit status 2."""


def camera_from_args(config: str | None, camera_json: str | None) -> CameraModel:
    """The camera model: vessel config's `camera:` section, overridden by `--camera` JSON."""
    values: dict[str, Any] = {}
    if config:
        from edge.config.loader import load_config
        from edge.errors import ConfigError

        try:
            cfg = load_config(config)
        except ConfigError as exc:
            raise UsageError(exc.lines[0] if exc.lines else f"{config}: invalid") from exc
        section = getattr(cfg, "camera", None)
        if section is None:
            raise UsageError(f"{config}: no camera section")
        values.update({k: v for k, v in section.model_dump().items() if k in _CAMERA_KEYS})
    if camera_json:
        try:
            data = json.loads(Path(camera_json).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise UsageError(f"{camera_json}: cannot read camera JSON ({exc})") from exc
        if not isinstance(data, dict):
            raise UsageError(f"{camera_json}: camera JSON must be an object")
        unknown = set(data) - _CAMERA_KEYS
        if unknown:
            raise UsageError(f"{camera_json}: unknown camera keys {sorted(unknown)}")
        values.update(data)
    try:
        return CameraModel(**values)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"camera: {exc}") from exc


def result_to_json(index: int, result: FrameResult, elapsed_ms: float) -> dict[str, Any]:
    """The contract's per-frame object (tools.md), plus a few extra fields per detection."""
    return {
        "frame": index,
        "t_s": result.t_s,
        "detections": [
            {
                "box": list(d.box),
                "kind": d.kind,
                "score": d.score,
                "track_id": d.track_id,
                "bearing_deg": None if d.bearing_deg is None else round(d.bearing_deg, 3),
                "range_m": None if d.range_m is None else round(d.range_m, 2),
                "speed_mps": None if d.speed_mps is None else round(d.speed_mps, 2),
            }
            for d in result.detections
        ],
        "horizon": None if result.horizon is None else [round(v, 2) for v in result.horizon],
        "elapsed_ms": round(elapsed_ms, 2),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m vessel.vision",
        description="Detect and track boats and swimmers in a video, image folder or camera URL.",
    )
    ap.add_argument("source", help="video file, image folder (name order) or camera URL")
    ap.add_argument("--config", help="vessel YAML with a camera: section")
    ap.add_argument("--camera", help="camera JSON overriding the config")
    ap.add_argument("--json", action="store_true", help="one JSON object per frame")
    ap.add_argument("--fps", type=float, default=10.0, help="frame rate of an image folder")
    try:
        args = ap.parse_args(argv)
    except SystemExit as exc:
        return 2 if exc.code else 0
    try:
        camera = camera_from_args(args.config, args.camera)
        frames = open_frames(args.source, args.fps)
        core = VisionCore(camera)
        for index, (t_s, frame) in enumerate(frames):
            if frame.shape[:2] != (camera.height_px, camera.width_px):
                raise UsageError(
                    f"{args.source}: frame {index} is {frame.shape[1]}x{frame.shape[0]}, "
                    f"camera is {camera.width_px}x{camera.height_px} (use --camera)"
                )
            t0 = time.perf_counter()
            result = core.process(frame, t_s)
            ms = (time.perf_counter() - t0) * 1000.0
            obj = result_to_json(index, result, ms)
            if args.json:
                print(json.dumps(obj), flush=True)
            else:
                dets = ", ".join(
                    f"#{d['track_id']} {d['kind']} {d['bearing_deg']:+.1f} deg "
                    f"{d['range_m']} m" for d in obj["detections"]
                )
                print(f"frame {index}: {dets or 'nothing'} ({ms:.0f} ms)", flush=True)
    except (UsageError, SourceError) as exc:
        print(f"vessel.vision: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
