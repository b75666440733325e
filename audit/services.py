"""Writing to the audit trail. Every view, export and change of personal data calls
``record`` explicitly (never a signal: bulk writes would slip past signals).

The route has no default: each caller says how the reader reached what they read. For a child's
record that is ``people.access.audit_route(user, child)``, computed from the reader's grants, so
a read through emergency access is filed as such and reaches the manager's review (issue 12 A2);
a default of "web pages" once hid a duty worker's emergency reads of referrals."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from audit import chain
from audit.models import Action, AuditEvent, Route


def _actor_fields(actor: Any) -> dict[str, Any]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor": None, "actor_label": "", "actor_organisation": "", "actor_organisation_id": None}
    organisation = getattr(actor, "organisation", None)
    return {
        "actor": actor,
        "actor_label": actor.get_full_name() or actor.get_username(),
        # The label in the language of the moment, and the id, inside the hash, to name it in
        # the reader's language later (audit.labels.organisation_names).
        "actor_organisation": str(organisation) if organisation else "",
        "actor_organisation_id": getattr(actor, "organisation_id", None),
    }


def _event(
    actor_fields: dict[str, Any],
    *,
    action: Action | str,
    obj: models.Model | None,
    child_id: int | None,
    route: Route | str,
    reason: str,
    detail: dict[str, Any] | None,
    at: Any,
) -> AuditEvent:
    return AuditEvent(
        occurred_at=at,
        action=str(action),
        route=str(route),
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        child_id=child_id,
        reason=reason,
        detail=detail or {},
        **actor_fields,
    )


def record(
    *,
    actor: Any,
    action: Action | str,
    obj: models.Model | None = None,
    child_id: int | None = None,
    route: Route | str,
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record one event and return it.

    Runs in the caller's transaction when there is one, so a change and its audit event are
    committed together or not at all. It only inserts the row – no lock – so audited requests
    never wait for each other; the sequencer (``audit.chain.seal_pending``) chains the event once
    it is committed (ADR 012).
    """
    event = _event(
        _actor_fields(actor),
        action=action,
        obj=obj,
        child_id=child_id,
        route=route,
        reason=reason,
        detail=detail,
        at=timezone.now(),
    )
    event.save()
    return event


def record_list(
    *,
    actor: Any,
    page: str,
    children: Iterable[int | None],
    route: Route | str,
    child_id: int | None = None,
    **detail: Any,
) -> AuditEvent:
    """Record one page view of a list that names children: one LIST event, whose detail holds the
    page and the ids of the children it showed (sorted, each once; ``None`` – a referral not yet
    linked to a record – is left out). One event per page view, not one per child, so a long list
    costs one insert. "Who has seen my story" counts reads, copies and shares of the story, not a
    name on a list (``assessments.seen``). ``child_id`` is the child whose page the list is on,
    if any (their possible duplicates)."""
    ids = sorted({int(pk) for pk in children if pk is not None})
    return record(
        actor=actor,
        action=Action.LIST,
        child_id=child_id,
        route=route,
        detail={"page": page, "children": ids, **detail},
    )


def record_many(*, actor: Any, events: list[dict[str, Any]]) -> list[AuditEvent]:
    """Record several events in one insert (bulk imports); chained later like ``record``'s.
    Each item takes ``record``'s keyword arguments except ``actor``; ``route`` is required."""
    if not events:
        return []
    actor_fields = _actor_fields(actor)
    now = timezone.now()
    built = [
        _event(
            actor_fields,
            action=item["action"],
            obj=item.get("obj"),
            child_id=item.get("child_id"),
            route=item["route"],
            reason=item.get("reason", ""),
            detail=item.get("detail"),
            at=now,
        )
        for item in events
    ]
    with transaction.atomic():
        return AuditEvent.objects.bulk_create(built, batch_size=1000)


def verify_chain(*, seal: bool = True) -> tuple[bool, str, int]:
    """Seal waiting events, then walk the whole chain: (ok, message, events checked). The
    message names the first altered, inserted or deleted event (``audit.chain.verify``)."""
    return chain.verify_chain(seal=seal)
