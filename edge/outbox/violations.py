"""Turn a detected violation into a signed, chained record committed to the outbox."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from edge.evidence.files import EvidenceFile
from edge.evidence.keys import Signer
from edge.evidence.record import build_record
from edge.outbox.store import Outbox


@dataclass(frozen=True)
class ViolationWriter:
    """Builds records for one device and commits them with their evidence files."""

    outbox: Outbox
    signer: Signer
    device: str
    kind: str

    def __post_init__(self) -> None:
        # The outbox keeps the public key so `edge evidence verify` can check signatures.
        if self.outbox.meta("public_key") != self.signer.public_key_b64:
            self.outbox.set_meta("public_key", self.signer.public_key_b64)

    def submit(self, type: str, time: datetime | str, position: Any,
               details: Mapping[str, Any], evidence_files: Sequence[EvidenceFile] = (),
               clock_source: str = "unsynced") -> dict[str, Any]:
        """Commit one violation (durable when this returns); returns the signed record.

        Raises EvidenceError for values the spec forbids, OutboxFullError at the hard limit.
        """
        record_id = str(uuid.uuid4())

        def build(seq: int, prev_hash: str | None) -> dict[str, Any]:
            return build_record(signer=self.signer, record_id=record_id, seq=seq,
                                prev_hash=prev_hash, device=self.device, kind=self.kind,
                                type=type, time=time, clock_source=clock_source,
                                position=position, details=details, evidence=evidence_files)

        # Fail on bad input before any file is written.
        build(1, None)
        return self.outbox.enqueue_violation(build, evidence_files, record_id=record_id)
