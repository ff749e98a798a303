"""The device's Ed25519 signing key: created on first start (mode 0600), never leaves the device."""

from __future__ import annotations

import base64
import logging
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from edge.errors import EdgeError
from edge.evidence.files import write_file_atomic

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Signer:
    """Signs record hashes with the device key; `public_key_b64` goes in the birth message."""

    key: Ed25519PrivateKey

    @property
    def public_key_b64(self) -> str:
        raw = self.key.public_key().public_bytes(serialization.Encoding.Raw,
                                                 serialization.PublicFormat.Raw)
        return base64.b64encode(raw).decode("ascii")

    def sign(self, hash_hex: str) -> str:
        """Base64 signature over the UTF-8 bytes of the hex hash string (specs/mqtt.md)."""
        return base64.b64encode(self.key.sign(hash_hex.encode("utf-8"))).decode("ascii")

    @classmethod
    def generate(cls) -> Signer:
        return cls(Ed25519PrivateKey.generate())


def load_or_create_signer(path: Path) -> Signer:
    """Load the PEM key file, or create it (mode 0600) when it does not exist yet."""
    if not path.exists():
        signer = Signer.generate()
        pem = signer.key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption())
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_file_atomic(path, pem, mode=0o600)
        os.chmod(path, 0o600)  # the umask may have taken bits away, never added: make it exact
        log.info("created signing key", extra={"key_file": str(path)})
        return signer
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        log.warning("signing key file is readable by others; fixing to 0600",
                    extra={"key_file": str(path), "mode": oct(mode)})
        os.chmod(path, 0o600)
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError, OSError) as exc:
        raise EdgeError(f"{path}: not a readable Ed25519 private key ({exc})") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise EdgeError(f"{path}: the key is not Ed25519")
    return Signer(key)


def verify_signature(public_key_b64: str, hash_hex: str, signature_b64: str) -> bool:
    """True when the signature over the hex hash string is valid for the base64 raw public key."""
    try:
        raw = base64.b64decode(public_key_b64, validate=True)
        sig = base64.b64decode(signature_b64, validate=True)
        Ed25519PublicKey.from_public_bytes(raw).verify(sig, hash_hex.encode("utf-8"))
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True
