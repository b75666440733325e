"""The audit chain (ADR 012): the sequencer that chains recorded events, and the verifier.

``audit.services.record`` only inserts an event row. ``seal_pending`` – run by the worker every
NYTH_AUDIT_SEAL_SECONDS and by ``manage.py seal_audit`` – gives committed, unchained events their
place in the chain in short transactions: it locks the one head row for as long as it takes to
insert a batch of ``AuditLink`` rows, then moves the head forward. Requests never wait for it.

Version-2 links are HMAC-SHA256 under a key held outside the database (settings), over the
event's fields (with the actor's organisation id), its position and the previous hash, so
someone with only database access cannot recompute a chain they have rewritten. Version-1 links
are the SHA-256 chain of events recorded before ADR 012, copied by migration 0005.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Literal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from audit.models import GENESIS_HASH, HASH_V1, HASH_V2, AuditChainHead, AuditEvent, AuditLink

# The demo's and the tests' key: public on purpose, refused outside them.
DEV_KEY_ID = "dev"
DEV_KEY = b"nyth-development-audit-key-not-a-secret"
MIN_KEY_BYTES = 32


@dataclass(frozen=True)
class Keys:
    current_id: str
    by_id: dict[str, bytes]


def _parse_key_lines(text: str, source: str) -> Keys:
    by_id: dict[str, bytes] = {}
    current = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key_id, sep, secret = line.partition(":")
        if not sep or not key_id or len(secret.encode()) < MIN_KEY_BYTES:
            raise ImproperlyConfigured(
                f"{source}: each key is one line 'id:secret' with a secret of at least {MIN_KEY_BYTES} bytes."
            )
        by_id[key_id] = secret.encode()
        current = key_id
    if not current:
        raise ImproperlyConfigured(f"{source} holds no key.")
    return Keys(current_id=current, by_id=by_id)


def hmac_keys() -> Keys:
    """The HMAC keys: the last one configured makes new hashes, all of them verify."""
    if settings.NYTH_AUDIT_HMAC_KEY_FILE:
        path = Path(settings.NYTH_AUDIT_HMAC_KEY_FILE)
        try:
            text = path.read_text()
        except OSError as error:
            raise ImproperlyConfigured(f"NYTH_AUDIT_HMAC_KEY_FILE: cannot read {path}: {error}") from error
        return _parse_key_lines(text, "NYTH_AUDIT_HMAC_KEY_FILE")
    if settings.NYTH_AUDIT_HMAC_KEY:
        return _parse_key_lines(settings.NYTH_AUDIT_HMAC_KEY, "NYTH_AUDIT_HMAC_KEY")
    if settings.NYTH_AUDIT_DEV_KEY_ALLOWED:
        return Keys(current_id=DEV_KEY_ID, by_id={DEV_KEY_ID: DEV_KEY})
    raise ImproperlyConfigured(
        "The audit trail's HMAC key is missing: set NYTH_AUDIT_HMAC_KEY_FILE (a file of 'id:secret' lines, "
        "readable only by Nyth's worker) or NYTH_AUDIT_HMAC_KEY='id:secret'. See docs/adr/012-audit-chain-sequencer.md."
    )


def link_hash_v2(event: AuditEvent, *, seq: int, prev_hash: str, key_id: str, key: bytes) -> str:
    message = event.canonical_v2(seq=seq, prev_hash=prev_hash, key_id=key_id).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


class ChainTailMismatch(RuntimeError):
    """The head does not match the last link (deleted, moved or tampered with): the sequencer
    refuses to extend a chain whose end it cannot vouch for; verify_audit says what is wrong."""


#: What ``seal_pending`` looks at. "new": only events above the highest id already chained – an
#: index range, cheap however long the trail, so the worker can run it every few seconds; an event
#: whose transaction committed after later ones were chained waits for the next sweep. "recent":
#: every unchained event recorded in the last NYTH_AUDIT_SWEEP_HOURS (the worker's periodic sweep;
#: no request or job transaction stays open that long). "all": the whole trail (seal_audit,
#: verify_audit, tests).
SealScope = Literal["new", "recent", "all"]


def _candidates(scope: SealScope, limit: int) -> list[int]:
    events = AuditEvent.objects.unsealed()
    if scope == "new":
        above = AuditLink.objects.aggregate(top=Max("event_id"))["top"] or 0
        events = events.filter(id__gt=above)
    elif scope == "recent":
        events = events.filter(occurred_at__gte=timezone.now() - timedelta(hours=settings.NYTH_AUDIT_SWEEP_HOURS))
    return list(events.order_by("id").values_list("id", flat=True)[:limit])


def seal_pending(*, limit: int = 500, scope: SealScope = "all") -> int:
    """Chain committed, unchained events, ``limit`` per short transaction, in the order of
    their ids; returns how many were chained. Safe to run in several processes at once: the
    head row lock makes them take turns, and each batch is re-read after the lock is taken.
    The search for candidates (an anti-join that can be long on a big trail) runs before the
    lock, so the lock is held only to chain a batch."""
    keys = hmac_keys()
    key = keys.by_id[keys.current_id]
    sealed = 0
    while True:
        candidates = _candidates(scope, limit)
        if not candidates:
            return sealed
        with transaction.atomic():
            head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
            # Another sequencer may have chained some of them meanwhile.
            pending = list(AuditEvent.objects.unsealed().filter(id__in=candidates).order_by("id"))
            if not pending:
                continue
            last = AuditLink.objects.order_by("-seq").values_list("seq", "hash").first() or (0, GENESIS_HASH)
            if last != (head.last_seq, head.last_hash):
                raise ChainTailMismatch(
                    f"The chain head records sequence {head.last_seq}, the last link is {last[0]}: "
                    "not sealing onto it (run verify_audit)."
                )
            now = timezone.now()
            seq, prev = head.last_seq, head.last_hash
            links = []
            for event in pending:
                seq += 1
                digest = link_hash_v2(event, seq=seq, prev_hash=prev, key_id=keys.current_id, key=key)
                links.append(
                    AuditLink(
                        seq=seq,
                        event=event,
                        hash_version=HASH_V2,
                        key_id=keys.current_id,
                        prev_hash=prev,
                        hash=digest,
                        sealed_at=now,
                    )
                )
                prev = digest
            AuditLink.objects.bulk_create(links)
            head.last_seq, head.last_hash = seq, prev
            head.save(update_fields=["last_seq", "last_hash"])
        sealed += len(pending)
        if len(candidates) < limit:
            return sealed


@dataclass(frozen=True)
class Verification:
    ok: bool
    message: str
    checked: int
    unsealed: int
    last_seq: int
    last_hash: str


def _expected_hash(link: AuditLink, event: AuditEvent, keys: Keys | None) -> str | None:
    """The hash ``link`` should carry, or None when it cannot be recomputed (unknown key)."""
    if link.hash_version == HASH_V1:
        # A version-1 link copies the chain the event row itself carried before ADR 012.
        if event.seq != link.seq or event.prev_hash != link.prev_hash or event.hash != link.hash:
            return ""
        return event.compute_hash()
    if link.hash_version == HASH_V2 and keys is not None and link.key_id in keys.by_id:
        return link_hash_v2(
            event, seq=link.seq, prev_hash=link.prev_hash, key_id=link.key_id, key=keys.by_id[link.key_id]
        )
    return None


def verify_chain(*, seal: bool = True) -> tuple[bool, str, int]:
    """(ok, message, events checked); see ``verify``."""
    result = verify(seal=seal)
    return result.ok, result.message, result.checked


def verify(*, seal: bool = True) -> Verification:
    """Walk the whole chain in sequence order. The message names the first altered, inserted,
    re-linked or deleted event. ``seal`` chains waiting events first (so a verification covers
    everything recorded so far); without it, waiting events are counted, not checked."""
    if seal:
        try:
            seal_pending()
        except ChainTailMismatch:
            pass  # the walk below names what is wrong
    keys = hmac_keys()
    expected_prev = GENESIS_HASH
    expected_seq = 1
    seen_v2 = False
    checked = 0

    def fail(message: str) -> Verification:
        return Verification(False, message, checked, AuditEvent.objects.unsealed().count(), checked, expected_prev)

    links = AuditLink.objects.select_related("event").order_by("seq")
    for link in links.iterator(chunk_size=2000):
        event = link.event
        where = f"sequence {link.seq} (event id {event.pk})"
        if link.seq != expected_seq:
            return fail(f"Event(s) deleted: expected sequence {expected_seq}, found {link.seq} (event id {event.pk}).")
        if link.prev_hash != expected_prev:
            return fail(f"Chain broken at {where}: an event was inserted, deleted or re-linked before it.")
        if link.hash_version == HASH_V1 and seen_v2:
            # Without the key, a forger could only write version 1: it may not follow version 2.
            return fail(f"Chain broken at {where}: a version-1 hash after version-2 ones (a forged link).")
        expected = _expected_hash(link, event, keys)
        if expected is None:
            return fail(
                f"Cannot verify {where}: hash version {link.hash_version}, key {link.key_id!r} is not configured."
            )
        if not hmac.compare_digest(expected, link.hash):
            return fail(f"Event altered: {where} no longer matches its hash.")
        seen_v2 = seen_v2 or link.hash_version == HASH_V2
        expected_prev = link.hash
        expected_seq += 1
        checked += 1
    unsealed = AuditEvent.objects.unsealed().count()
    head = AuditChainHead.objects.filter(pk=1).first() or AuditChainHead(pk=1)
    if head.last_seq != checked or head.last_hash != expected_prev:
        return Verification(
            False,
            f"Event(s) deleted from the end: the chain head records sequence {head.last_seq}, "
            f"the trail ends at {checked}.",
            checked,
            unsealed,
            checked,
            expected_prev,
        )
    waiting = f" {unsealed} events waiting to be sealed." if unsealed else ""
    return Verification(
        True, f"Audit trail intact: {checked} events verified.{waiting}", checked, unsealed, checked, expected_prev
    )
