"""Signed checkpoints of the audit chain's head (ADR 012).

The checkpoint job (``manage.py audit_checkpoint``, a systemd timer) seals waiting events, then
signs {sequence, hash, time} of the head with an Ed25519 private key only it can read, and writes
the result to NYTH_AUDIT_CHECKPOINT_DIR (to be copied off the database server). Someone who can
rewrite the database – even wipe it and restart the chain – cannot produce a checkpoint, so
``verify_audit --checkpoints DIR`` catches a trail that is shorter than a checkpoint, has another
hash at a checkpoint's sequence (restarted or rewritten), or has lost its head.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from audit import chain
from audit.models import AuditChainHead, AuditLink

FORMAT = "nyth-audit-checkpoint-1"


def generate_key_pair(private_path: Path, public_path: Path) -> None:
    """A new Ed25519 key pair: the private key readable only by its owner (mode 0600)."""
    key = Ed25519PrivateKey.generate()
    private_bytes = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    # Created with 0600 from the start (no moment when another user could read it); never overwritten.
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(private_bytes)
    public_path.write_bytes(
        key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )


def load_private_key(path: Path) -> Ed25519PrivateKey:
    if path.stat().st_mode & 0o077:
        raise PermissionError(f"{path} must be readable by its owner only (chmod 600).")
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 private key.")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(path.read_bytes())
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"{path} is not an Ed25519 public key.")
    return key


def _payload(seq: int, digest: str, at: str) -> bytes:
    return json.dumps(
        {"format": FORMAT, "seq": seq, "hash": digest, "time": at}, sort_keys=True, separators=(",", ":")
    ).encode()


def write_checkpoint(directory: Path, private_key: Ed25519PrivateKey) -> Path:
    """Seal, then sign the head as it is now; returns the file written."""
    chain.seal_pending()
    head = AuditChainHead.objects.filter(pk=1).first() or AuditChainHead(pk=1)
    at = datetime.now(UTC).isoformat(timespec="seconds")
    payload = _payload(head.last_seq, head.last_hash, at)
    document = {
        "format": FORMAT,
        "seq": head.last_seq,
        "hash": head.last_hash,
        "time": at,
        "signature": base64.b64encode(private_key.sign(payload)).decode(),
    }
    directory.mkdir(parents=True, exist_ok=True)
    stamp = at.replace(":", "").replace("+0000", "Z")
    path = directory / f"checkpoint-{head.last_seq:012d}-{stamp}.json"
    path.write_text(json.dumps(document, indent=2) + "\n")
    return path


@dataclass(frozen=True)
class CheckpointResult:
    ok: bool
    message: str
    count: int


def verify_checkpoints(
    directory: Path, public_key: Ed25519PublicKey, *, until: datetime | None = None
) -> CheckpointResult:
    """Check every checkpoint in ``directory`` against its signature and the chain as it is.
    Run after ``audit.chain.verify`` has passed (so the links it compares are themselves sound).
    ``until`` leaves out checkpoints signed after it (a restored backup is older than the newest
    ones); every signature is still checked."""
    files = sorted(directory.glob("checkpoint-*.json"))
    if not files:
        return CheckpointResult(False, f"No checkpoints in {directory}: nothing to compare the trail with.", 0)
    head = AuditChainHead.objects.filter(pk=1).first()
    compared = 0
    for path in files:
        try:
            document = json.loads(path.read_text())
            seq, digest, at = int(document["seq"]), str(document["hash"]), str(document["time"])
            public_key.verify(base64.b64decode(document["signature"]), _payload(seq, digest, at))
        except (InvalidSignature, ValueError, KeyError, TypeError):
            return CheckpointResult(
                False, f"Checkpoint {path.name}: the signature does not verify (forged or damaged).", 0
            )
        if until is not None and datetime.fromisoformat(at) > until:
            continue
        compared += 1
        if seq == 0:
            continue
        if head is None:
            return CheckpointResult(
                False, f"The chain head is missing, but checkpoint {path.name} ({at}) records sequence {seq}.", 0
            )
        if head.last_seq < seq:
            return CheckpointResult(
                False,
                f"The trail is shorter than checkpoint {path.name} ({at}): it ends at sequence {head.last_seq}, "
                f"the checkpoint records {seq}. Events were deleted or the chain was restarted.",
                0,
            )
        at_seq = AuditLink.objects.filter(seq=seq).values_list("hash", flat=True).first()
        if at_seq != digest:
            return CheckpointResult(
                False,
                f"The chain was restarted or rewritten: sequence {seq} has another hash than checkpoint {path.name} ({at}).",
                0,
            )
    if not compared:
        return CheckpointResult(
            False, f"No checkpoints in {directory} signed before {until}: nothing to compare the trail with.", 0
        )
    return CheckpointResult(True, f"{compared} signed checkpoints match the trail.", compared)
