"""Violation records exactly as specs/mqtt.md defines them: canonical JSON, hash, signature."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from edge.errors import EdgeError
from edge.evidence.files import EvidenceFile
from edge.evidence.keys import Signer

SIGNATURE_ALG = "ed25519"
CLOCK_SOURCES = ("gnss", "ntp", "unsynced")
# Fields left out of the hashed form: the hash itself and what signs it.
UNHASHED = ("hash", "signature")


class EvidenceError(EdgeError):
    """A record or evidence file is malformed or fails verification."""


def canonical_json(obj: Any) -> bytes:
    """Keys sorted, no spaces, UTF-8, no NaN/Infinity: the bytes every hash is taken over."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def record_hash(record: Mapping[str, Any]) -> str:
    """sha256 (hex) of the record's canonical JSON without `hash` and `signature`."""
    body = {k: v for k, v in record.items() if k not in UNHASHED}
    return hashlib.sha256(canonical_json(body)).hexdigest()


def format_time(when: datetime | str) -> str:
    """ISO-8601 UTC with milliseconds and `Z`; a string must already be in that form."""
    if isinstance(when, str):
        try:
            parsed = datetime.fromisoformat(when.replace("Z", "+00:00"))
        except ValueError as exc:
            raise EvidenceError(f"time {when!r} is not ISO-8601") from exc
        if not when.endswith("Z") or parsed.utcoffset() is None:
            raise EvidenceError(f"time {when!r} must be UTC with a trailing 'Z'")
        return when
    if when.tzinfo is None:
        raise EvidenceError("time must be timezone-aware (UTC)")
    utc = when.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def _position(position: Any) -> dict[str, float]:
    if isinstance(position, Mapping):
        lat, lon = position.get("lat"), position.get("lon")
    elif isinstance(position, Sequence) and len(position) == 2:
        lat, lon = position
    else:
        lat, lon = getattr(position, "lat", None), getattr(position, "lon", None)
    if not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
               for v in (lat, lon)):
        raise EvidenceError(f"position {position!r} needs numeric lat and lon")
    assert isinstance(lat, int | float) and isinstance(lon, int | float)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise EvidenceError(f"position {lat}, {lon} is outside WGS-84 range")
    return {"lat": float(lat), "lon": float(lon)}


def build_record(*, signer: Signer, record_id: str, seq: int, prev_hash: str | None,
                 device: str, kind: str, type: str, time: datetime | str, clock_source: str,
                 position: Any, details: Mapping[str, Any],
                 evidence: Sequence[EvidenceFile]) -> dict[str, Any]:
    """A complete signed record; raises EvidenceError for values the spec does not allow."""
    if clock_source not in CLOCK_SOURCES:
        raise EvidenceError(f"clock_source {clock_source!r} is not one of {CLOCK_SOURCES}")
    names = [f.name for f in evidence]
    if len(set(names)) != len(names):
        raise EvidenceError(f"evidence file names must be unique within a record: {names}")
    record: dict[str, Any] = {
        "record_id": record_id,
        "seq": seq,
        "prev_hash": prev_hash,
        "device": device,
        "kind": kind,
        "type": type,
        "time": format_time(time),
        "clock_source": clock_source,
        "position": _position(position),
        "evidence": [f.describe() for f in evidence],
        "details": dict(details),
        "signature_alg": SIGNATURE_ALG,
    }
    try:
        record["hash"] = record_hash(record)
    except (TypeError, ValueError) as exc:
        raise EvidenceError(f"record details are not plain JSON: {exc}") from exc
    record["signature"] = signer.sign(record["hash"])
    return record
