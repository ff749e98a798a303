"""Records as the spec defines them: hash over canonical JSON, Ed25519 signature, key file."""

from __future__ import annotations

import base64
import hashlib
import json
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edge.errors import EdgeError
from edge.evidence import (
    EvidenceError,
    EvidenceFile,
    Signer,
    build_record,
    canonical_json,
    load_or_create_signer,
    record_hash,
    verify_chain,
    verify_evidence,
    verify_record,
    write_file_atomic,
)

SIGNER = Signer.generate()


def make(seq: int = 1, prev: str | None = None, details: dict | None = None,
         files: tuple[EvidenceFile, ...] = (), signer: Signer = SIGNER) -> dict:
    return build_record(signer=signer, record_id=f"r{seq}", seq=seq, prev_hash=prev,
                        device="site-1", kind="wim", type="overload",
                        time=datetime(2026, 11, 30, 8, 1, 2, 345678, tzinfo=UTC),
                        clock_source="gnss", position={"lat": 30.5, "lon": 120.25},
                        details=details or {"plate": "浙F12345", "excess_pct": 12.5},
                        evidence=files)


def test_record_has_every_spec_field_and_verifies() -> None:
    photo = EvidenceFile("plate.jpg", "image/jpeg", b"\xff\xd8jpeg")
    r = make(files=(photo,))
    assert set(r) == {"record_id", "seq", "prev_hash", "hash", "signature", "signature_alg",
                      "device", "kind", "type", "time", "clock_source", "position",
                      "evidence", "details"}
    assert r["time"] == "2026-11-30T08:01:02.345Z"
    assert r["evidence"] == [{"name": "plate.jpg", "sha256": hashlib.sha256(b"\xff\xd8jpeg").hexdigest(),
                              "content_type": "image/jpeg", "bytes": 6}]
    body = {k: v for k, v in r.items() if k not in ("hash", "signature")}
    expected = hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":"),
                                         ensure_ascii=False).encode()).hexdigest()
    assert r["hash"] == expected
    assert verify_record(r, SIGNER.public_key_b64) == []
    assert len(base64.b64decode(SIGNER.public_key_b64)) == 32


def test_altered_field_and_foreign_signature_are_detected() -> None:
    r = make()
    altered = {**r, "details": {**r["details"], "excess_pct": 2.0}}
    assert "hash mismatch" in verify_record(altered, SIGNER.public_key_b64)[0]
    forged = make(signer=Signer.generate())
    assert "bad signature" in verify_record(forged, SIGNER.public_key_b64)[0]


def test_chain_gap_and_fork_are_named() -> None:
    r1 = make(1)
    r2 = make(2, r1["hash"])
    r3 = make(3, r2["hash"])
    assert verify_chain([r3, r1, r2], complete=True) == []
    gap = verify_chain([r1, r3])
    assert len(gap) == 1 and gap[0].seq == 3 and "gap" in gap[0].problem
    fork = verify_chain([r1, r2, {**make(2, "bad"), "record_id": "x"}])
    assert any("fork" in p.problem or "prev_hash" in p.problem for p in fork)
    assert verify_chain([r2, r3], complete=True)[0].problem.startswith("chain does not start")


def test_evidence_file_byte_change_is_detected() -> None:
    photo = EvidenceFile("p.jpg", "image/jpeg", bytes(range(256)))
    r = make(files=(photo,))
    assert verify_evidence(r, {"p.jpg": photo.data}) == []
    bad = bytearray(photo.data)
    bad[100] ^= 1
    assert "sha256 mismatch" in verify_evidence(r, {"p.jpg": bytes(bad)})[0]
    assert "missing" in verify_evidence(r, {})[0]


@pytest.mark.parametrize("kwargs", [
    {"clock_source": "sundial"}, {"time": "2026-11-30T08:00:00"},
    {"position": {"lat": 91, "lon": 0}}, {"position": {"lat": None, "lon": 1.0}},
    {"details": {"x": float("nan")}},
])
def test_values_the_spec_forbids_are_refused(kwargs: dict) -> None:
    base = dict(signer=SIGNER, record_id="r", seq=1, prev_hash=None, device="d", kind="wim",
                type="overload", time="2026-11-30T08:00:00.000Z", clock_source="gnss",
                position={"lat": 1.0, "lon": 2.0}, details={}, evidence=())
    with pytest.raises(EvidenceError):
        build_record(**{**base, **kwargs})


@pytest.mark.parametrize("name", ["../x", ".hidden", "a/b", "", "x" * 200])
def test_unsafe_evidence_names_are_refused(name: str) -> None:
    with pytest.raises(EdgeError):
        EvidenceFile(name, "image/jpeg", b"1")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**12, 10**12)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20)


@settings(max_examples=100, deadline=None)
@given(details=st.dictionaries(st.text(max_size=8), json_values, max_size=6))
def test_hash_survives_a_json_round_trip(details: dict) -> None:
    r = make(details=details)
    received = json.loads(canonical_json(r).decode("utf-8"))
    assert record_hash(received) == r["hash"]
    assert verify_record(received, SIGNER.public_key_b64) == []


def test_key_file_is_created_0600_and_reloaded(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "device.ed25519"
    first = load_or_create_signer(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_signer(path).public_key_b64 == first.public_key_b64
    path.chmod(0o644)
    load_or_create_signer(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.write_text("garbage")
    with pytest.raises(EdgeError, match="not a readable Ed25519"):
        load_or_create_signer(path)


def test_atomic_write_leaves_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "ev" / "a.bin"
    write_file_atomic(target, b"one")
    write_file_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["a.bin"]
