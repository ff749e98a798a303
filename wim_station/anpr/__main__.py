"""`python -m wim_station.anpr IMAGE [IMAGE ...] [--json]`: read the plates in image files."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import cv2
import numpy as np

from wim_station.anpr.errors import AnprError
from wim_station.anpr.reader import PlateReader


def _load(path: str) -> np.ndarray:
    try:
        data = np.fromfile(path, np.uint8)
    except OSError as exc:
        raise AnprError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    image = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    if image is None:
        raise AnprError(f"{path}: not a readable image")
    return image


def main(argv: list[str] | None = None) -> int:
    """Print one result per image; exit 2 on an unreadable image."""
    parser = argparse.ArgumentParser(prog="python -m wim_station.anpr", description=__doc__)
    parser.add_argument("images", nargs="+", metavar="IMAGE")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    args = parser.parse_args(argv)
    try:
        reader = PlateReader()
    except AnprError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for path in args.images:
        try:
            image = _load(path)
        except AnprError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        t0 = time.perf_counter()
        plates = reader.read(image)
        elapsed_ms = (time.perf_counter() - t0) * 1000
        if args.json:
            print(json.dumps({"image": path, "plates": [p.to_json() for p in plates],
                              "elapsed_ms": round(elapsed_ms, 1)}, ensure_ascii=False),
                  flush=True)
        else:
            found = ", ".join(f"{p.text} ({p.color}, {p.confidence:.2f})" for p in plates)
            print(f"{Path(path).name}: {found or 'no plate'}  [{elapsed_ms:.0f} ms]", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
