"""Ed25519 keys and DSSE envelopes: the signature layer of ``wardscan attest`` / ``verify``.

Why DSSE (https://github.com/secure-systems-lab/dsse): it signs the exact payload bytes
together with their type (the pre-authentication encoding, PAE), so a signature over a scan
statement can never be replayed as a signature over something else, and no canonical JSON is
needed. Why Ed25519: small keys, deterministic signatures, one obvious choice. The
``cryptography`` library does the cryptography; it is imported only by these commands.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scanner.errors import ScannerError

PAYLOAD_TYPE = "application/vnd.in-toto+json"


class KeyFileError(ScannerError):
    """A key file that cannot be read, is not PEM, or is not an Ed25519 key."""


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE pre-authentication encoding: ``DSSEv1 SP LEN(type) SP type SP LEN(body) SP body``,
    lengths as ASCII decimal byte counts."""
    kind = payload_type.encode("utf-8")
    return b" ".join([b"DSSEv1", str(len(kind)).encode(), kind, str(len(payload)).encode(),
                      payload])


def key_id(public_pem: bytes) -> str:
    """The sha256 of the public key's DER encoding (SubjectPublicKeyInfo), as hex."""
    from cryptography.hazmat.primitives import serialization

    key = _load_public(public_pem, "public key")
    der = key.public_bytes(serialization.Encoding.DER,
                           serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


def generate(passphrase: bytes | None = None) -> tuple[bytes, bytes]:
    """A new Ed25519 key pair as (private PKCS#8 PEM, public SubjectPublicKeyInfo PEM); the
    private key is encrypted when a passphrase is given."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    encryption: Any = (serialization.BestAvailableEncryption(passphrase) if passphrase
                       else serialization.NoEncryption())
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                encryption)
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    return private, public


def write_key_pair(stem: str, force: bool = False,
                   passphrase: bytes | None = None) -> tuple[Path, Path, str]:
    """Write ``STEM.key`` (mode 0600, created so, never widened) and ``STEM.pub``; return the
    paths and the key id. Existing files are kept unless ``force``."""
    private_path, public_path = Path(f"{stem}.key"), Path(f"{stem}.pub")
    for p in (private_path, public_path):
        if p.exists() and not force:
            raise ScannerError(f"{p} exists; use --force to replace it")
    private, public = generate(passphrase)
    try:
        private_path.unlink(missing_ok=True)
        fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(private)
        public_path.write_bytes(public)
    except OSError as exc:
        raise ScannerError(f"cannot write key: {exc.strerror or exc}", str(exc.filename or stem)
                           ) from None
    return private_path, public_path, key_id(public)


def _read(path: str, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise KeyFileError(f"cannot read {what}: {exc.strerror or exc}", path) from None


def _load_public(pem: bytes, where: str) -> Any:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        key = serialization.load_pem_public_key(pem)
    except ValueError:
        raise KeyFileError("not a PEM public key (expected the .pub file keygen wrote)",
                        where) from None
    if not isinstance(key, Ed25519PublicKey):
        raise KeyFileError("not an Ed25519 public key", where)
    return key


def load_private(path: str, passphrase: bytes | None = None) -> tuple[Any, str]:
    """The private key in ``path`` and its key id."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    pem = _read(path, "private key")
    try:
        key = serialization.load_pem_private_key(pem, password=passphrase)
    except TypeError:
        hint = ("the key is encrypted: give its passphrase" if passphrase is None
                else "the key is not encrypted: give no passphrase")
        raise KeyFileError(hint, path) from None
    except ValueError:
        raise KeyFileError("not a PEM private key, or a wrong passphrase", path) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError("not an Ed25519 private key", path)
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    return key, key_id(public)


def load_public(path: str) -> tuple[Any, str]:
    """The public key in ``path`` and its key id."""
    pem = _read(path, "public key")
    key = _load_public(pem, path)
    return key, key_id(pem)


def sign_envelope(payload: bytes, private_key: Any, keyid: str,
                  payload_type: str = PAYLOAD_TYPE) -> dict[str, Any]:
    """A DSSE envelope (JSON form) holding ``payload`` signed with ``private_key``."""
    signature = private_key.sign(pae(payload_type, payload))
    return {
        "payloadType": payload_type,
        "payload": base64.b64encode(payload).decode("ascii"),
        "signatures": [{"keyid": keyid, "sig": base64.b64encode(signature).decode("ascii")}],
    }


def envelope_text(envelope: dict[str, Any]) -> str:
    return json.dumps(envelope, indent=2) + "\n"


def _b64(text: Any) -> bytes | None:
    """Standard or URL-safe base64 (DSSE allows both); None when it is neither."""
    if not isinstance(text, str):
        return None
    try:
        if "-" in text or "_" in text:
            return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


@dataclass(frozen=True, slots=True)
class Opened:
    """What checking an envelope found: the payload (when the envelope is well formed), and
    one (check name, passed, detail) row per check made."""

    payload: bytes | None
    payload_type: str
    checks: tuple[tuple[str, bool, str], ...]

    @property
    def ok(self) -> bool:
        return all(ok for _name, ok, _detail in self.checks)


def open_envelope(envelope: Any, public_key: Any, keyid: str) -> Opened:
    """Check an envelope's shape, payload type and signature with ``public_key``."""
    from cryptography.exceptions import InvalidSignature

    if not isinstance(envelope, dict) or not {"payloadType", "payload", "signatures"} <= set(
            envelope):
        return Opened(None, "", (("envelope", False, "not a DSSE envelope (payloadType, "
                                  "payload and signatures are required)"),))
    payload_type = envelope["payloadType"]
    payload = _b64(envelope["payload"])
    sigs = envelope["signatures"]
    if not isinstance(payload_type, str) or payload is None or not isinstance(sigs, list) \
            or not sigs:
        return Opened(None, "", (("envelope", False, "malformed DSSE envelope: the payload is "
                                  "not base64 or there is no signature"),))
    checks = [("envelope", True, "DSSE envelope")]
    if payload_type != PAYLOAD_TYPE:
        checks.append(("payload type", False, f"payload type is {payload_type!r}, not "
                                              f"{PAYLOAD_TYPE!r}"))
    else:
        checks.append(("payload type", True, PAYLOAD_TYPE))
    message = pae(payload_type, payload)
    verified = False
    for sig in sigs:
        raw = _b64(sig.get("sig")) if isinstance(sig, dict) else None
        if raw is None:
            continue
        try:
            public_key.verify(raw, message)
        except InvalidSignature:
            continue
        verified = True
        break
    if verified:
        checks.append(("signature", True, f"Ed25519 signature by key {keyid[:16]}"))
    else:
        named = [s.get("keyid") for s in sigs if isinstance(s, dict)]
        detail = ("no signature verifies with this key: the payload or the signature was "
                  "changed, or it was signed with another key")
        if named and keyid not in named:
            detail += f" (signed by key {str(named[0])[:16]}, this key is {keyid[:16]})"
        checks.append(("signature", False, detail))
    return Opened(payload, payload_type, tuple(checks))
