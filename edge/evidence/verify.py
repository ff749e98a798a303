"""Checks on records, chains and evidence files; each problem names the record it is about."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from edge.evidence.keys import verify_signature
from edge.evidence.record import SIGNATURE_ALG, record_hash


@dataclass(frozen=True)
class ChainProblem:
    """One broken link: which record (device, seq, record_id) and what is wrong with it."""

    device: str
    seq: int | None
    record_id: str | None
    problem: str

    def __str__(self) -> str:
        return (f"device {self.device} seq {self.seq} record {self.record_id}: "
                f"{self.problem}")


def verify_record(record: Mapping[str, Any], public_key_b64: str | None) -> list[str]:
    """Problems with one record's hash and signature (empty when it is intact).

    Without a public key only the hash is checked.
    """
    problems: list[str] = []
    for key in ("record_id", "seq", "hash", "signature", "device"):
        if key not in record:
            problems.append(f"missing field {key!r}")
    if problems:
        return problems
    try:
        computed = record_hash(record)
    except (TypeError, ValueError) as exc:
        return [f"cannot be hashed: {exc}"]
    if computed != record["hash"]:
        problems.append("hash mismatch: the record was altered after it was signed")
    elif record.get("signature_alg") != SIGNATURE_ALG:
        problems.append(f"signature_alg {record.get('signature_alg')!r} is not {SIGNATURE_ALG}")
    elif public_key_b64 is not None and not verify_signature(
            public_key_b64, str(record["hash"]), str(record["signature"])):
        problems.append("bad signature (not signed by this device's key)")
    return problems


def verify_chain(records: Iterable[Mapping[str, Any]], *, complete: bool = False,
                 ) -> list[ChainProblem]:
    """Seq and prev_hash continuity per device, in seq order.

    With `complete`, the chain must start at seq 1 (prev_hash null); otherwise it may start
    anywhere (an outbox holds only what is not yet acknowledged).
    """
    by_device: dict[str, list[Mapping[str, Any]]] = {}
    for r in records:
        by_device.setdefault(str(r.get("device")), []).append(r)
    problems: list[ChainProblem] = []
    for device, chain in sorted(by_device.items()):
        chain.sort(key=lambda r: (int(r.get("seq") or 0), str(r.get("record_id"))))
        prev: Mapping[str, Any] | None = None
        for r in chain:
            seq, rid = r.get("seq"), r.get("record_id")
            if prev is None:
                if complete and (seq != 1 or r.get("prev_hash") is not None):
                    problems.append(ChainProblem(device, seq, rid,
                                                 "chain does not start at seq 1"))
            elif seq == prev.get("seq"):
                other = prev.get("record_id")
                problems.append(ChainProblem(device, seq, rid,
                                             f"fork: seq used twice (also {other})"))
            elif seq != int(prev.get("seq") or 0) + 1:
                problems.append(ChainProblem(
                    device, seq, rid, f"gap: seq {int(prev.get('seq') or 0) + 1}.."
                    f"{int(seq or 0) - 1} missing (deleted record?)"))
            elif r.get("prev_hash") != prev.get("hash"):
                problems.append(ChainProblem(device, seq, rid,
                                             "prev_hash does not match the previous record's hash"))
            prev = r
    return problems


def verify_evidence(record: Mapping[str, Any], files: Mapping[str, bytes | None]) -> list[str]:
    """Problems with a record's evidence files: every listed file present, sha256 and size."""
    problems: list[str] = []
    for entry in record.get("evidence") or []:
        name = entry.get("name")
        data = files.get(name)
        if data is None:
            problems.append(f"evidence {name}: missing")
        elif hashlib.sha256(data).hexdigest() != entry.get("sha256"):
            problems.append(f"evidence {name}: sha256 mismatch (file altered)")
        elif len(data) != entry.get("bytes"):
            problems.append(f"evidence {name}: size {len(data)} != {entry.get('bytes')}")
    return problems
