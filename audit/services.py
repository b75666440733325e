"""Writing to the audit trail. Every view, export and change of personal data calls
``record`` explicitly (never a signal: bulk writes would slip past signals)."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.utils import timezone

from audit.models import Action, AuditChainHead, AuditEvent, Route


def _actor_fields(actor: Any) -> dict[str, Any]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor": None, "actor_label": "", "actor_organisation": ""}
    organisation = getattr(actor, "organisation", None)
    return {
        "actor": actor,
        "actor_label": actor.get_full_name() or actor.get_username(),
        "actor_organisation": str(organisation) if organisation else "",
    }


def record(
    *,
    actor: Any,
    action: Action | str,
    obj: models.Model | None = None,
    child_id: int | None = None,
    route: Route | str = Route.UI,
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain and return it.

    Runs in the caller's transaction when there is one, so a change and its audit event are
    committed together or not at all.
    """
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        event = AuditEvent(
            seq=head.last_seq + 1,
            occurred_at=timezone.now(),
            action=str(action),
            route=str(route),
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            child_id=child_id,
            reason=reason,
            detail=detail or {},
            prev_hash=head.last_hash,
            **_actor_fields(actor),
        )
        event.hash = event.compute_hash()
        event.save()
        head.last_seq = event.seq
        head.last_hash = event.hash
        head.save(update_fields=["last_seq", "last_hash"])
    return event


def record_many(*, actor: Any, events: list[dict[str, Any]]) -> list[AuditEvent]:
    """Append several events in one go (bulk imports): one lock, one insert, the same chain.
    Each item takes ``record``'s keyword arguments except ``actor``."""
    if not events:
        return []
    actor_fields = _actor_fields(actor)
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        now = timezone.now()
        built = []
        previous_hash, seq = head.last_hash, head.last_seq
        for item in events:
            obj = item.get("obj")
            seq += 1
            event = AuditEvent(
                seq=seq,
                occurred_at=now,
                action=str(item["action"]),
                route=str(item.get("route", Route.UI)),
                object_type=obj._meta.label_lower if obj is not None else "",
                object_id=str(obj.pk) if obj is not None else "",
                child_id=item.get("child_id"),
                reason=item.get("reason", ""),
                detail=item.get("detail") or {},
                prev_hash=previous_hash,
                **actor_fields,
            )
            event.hash = event.compute_hash()
            previous_hash = event.hash
            built.append(event)
        AuditEvent.objects.bulk_create(built, batch_size=1000)
        head.last_seq, head.last_hash = seq, previous_hash
        head.save(update_fields=["last_seq", "last_hash"])
    return built


def verify_chain() -> tuple[bool, str, int]:
    """Walk the whole chain. Returns (ok, message, events checked); the message names the
    first altered, inserted or deleted event."""
    expected_prev = "0" * 64
    expected_seq = 1
    checked = 0
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
        if event.seq != expected_seq:
            return (
                False,
                f"Event(s) deleted: expected sequence {expected_seq}, found {event.seq} (id {event.pk}).",
                checked,
            )
        if event.prev_hash != expected_prev:
            return (
                False,
                f"Chain broken at sequence {event.seq} (id {event.pk}): an event was inserted, "
                "deleted or re-linked before it.",
                checked,
            )
        if event.compute_hash() != event.hash:
            return False, f"Event altered: sequence {event.seq} (id {event.pk}) no longer matches its hash.", checked
        expected_prev = event.hash
        expected_seq += 1
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first() or AuditChainHead(pk=1)
    if head.last_seq != checked or head.last_hash != expected_prev:
        return (
            False,
            f"Event(s) deleted from the end: the chain head records sequence {head.last_seq}, "
            f"the trail ends at {checked}.",
            checked,
        )
    return True, f"Audit trail intact: {checked} events verified.", checked
