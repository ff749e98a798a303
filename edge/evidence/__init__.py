"""Evidence: signed, hash-chained violation records and their files (specs/mqtt.md)."""

from edge.evidence.files import EvidenceFile, write_file_atomic
from edge.evidence.keys import Signer, load_or_create_signer, verify_signature
from edge.evidence.record import (
    SIGNATURE_ALG,
    EvidenceError,
    build_record,
    canonical_json,
    format_time,
    record_hash,
)
from edge.evidence.verify import ChainProblem, verify_chain, verify_evidence, verify_record

__all__ = [
    "SIGNATURE_ALG",
    "ChainProblem",
    "EvidenceError",
    "EvidenceFile",
    "Signer",
    "build_record",
    "canonical_json",
    "format_time",
    "load_or_create_signer",
    "record_hash",
    "verify_chain",
    "verify_evidence",
    "verify_record",
    "verify_signature",
    "write_file_atomic",
]
