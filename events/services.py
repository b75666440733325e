"""Recording significant events and recording periods. Permission (the care team and the
service's managers: ``people.access.can_change``), validation, the stale-edit refusal and the
audit live here; views only parse and render."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, TypedDict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Action
from audit.services import record
from core.errors import StaleEditError
from core.text_language import interface_language
from events.models import EventKind, RecordingPeriod, SignificantEvent
from people.access import audit_route, can_change

if TYPE_CHECKING:
    from accounts.models import User
    from people.models import Child, Placement


class EventValues(TypedDict, total=False):
    kind: str
    occurred_on: datetime.date
    source: str
    note: str
    text_language: str
    placement: Placement | None


EVENT_FIELDS = ("kind", "occurred_on", "source", "note", "text_language", "placement")


def _require(by: User, child: Child) -> None:
    if not can_change(by, child):
        raise PermissionDenied


def _validate(child: Child, values: EventValues) -> None:
    errors: dict[str, str] = {}
    when = values.get("occurred_on")
    if when is not None:
        if when > timezone.localdate():
            errors["occurred_on"] = _("The date must be today or in the past")
        elif child.date_of_birth and when < child.date_of_birth:
            errors["occurred_on"] = _("The date must be on or after their date of birth")
    placement = values.get("placement")
    if placement is not None:
        if values.get("kind") != EventKind.PLACEMENT_BREAKDOWN:
            errors["placement"] = _("Name a placement only for a placement breakdown or unplanned move")
        elif placement.child_id != child.pk:
            errors["placement"] = _("Choose one of this young person's placements")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def record_event(*, by: User, child: Child, values: EventValues, key: str) -> tuple[SignificantEvent, bool]:
    """Record one event; returns (event, created). The same form sent twice (``key``) records once."""
    _require(by, child)
    done = SignificantEvent.objects.filter(form_key=key).first()
    if done is not None:
        if done.child_id != child.pk:  # a key from another young person's form
            raise PermissionDenied
        return done, False
    _validate(child, values)
    fields = {k: v for k, v in values.items() if k in EVENT_FIELDS}
    fields.setdefault("text_language", interface_language() if values.get("note") else "")
    event = SignificantEvent(child=child, recorded_by=by, form_key=key, **fields)
    event.full_clean(exclude=["form_key"])
    try:
        with transaction.atomic():
            event.save()
    except IntegrityError:  # the same key committed by a concurrent request
        return SignificantEvent.objects.get(form_key=key), False
    record(
        actor=by, action=Action.CREATE, obj=event, child_id=child.pk, route=audit_route(by, child),
        detail={"kind": event.kind},
    )  # fmt: skip
    return event, True


@transaction.atomic
def change_event(*, by: User, event: SignificantEvent, expected_version: int, values: EventValues) -> SignificantEvent:
    """Correct an event. A change based on an older version is refused (``StaleEditError``)."""
    child = event.child
    _require(by, child)
    current = SignificantEvent.objects.select_for_update().get(pk=event.pk)
    if current.version != expected_version or current.removed_at is not None:
        raise StaleEditError(current)
    _validate(child, values)
    changed = [k for k in EVENT_FIELDS if k in values and getattr(current, k) != values[k]]  # type: ignore[literal-required]
    if not changed:
        return current
    for k in changed:
        setattr(current, k, values[k])  # type: ignore[literal-required]
    current.version += 1
    current.full_clean()
    current.save()
    record(
        actor=by, action=Action.UPDATE, obj=current, child_id=child.pk, route=audit_route(by, child),
        detail={"fields": changed},
    )  # fmt: skip
    return current


@transaction.atomic
def remove_event(*, by: User, event: SignificantEvent, expected_version: int, reason: str) -> SignificantEvent:
    """An event entered in error: kept with who removed it and why, left out of counts."""
    child = event.child
    _require(by, child)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why this event is being removed")})
    if len(reason) > 1000:
        raise ValidationError({"reason": _("Write %(max)d characters or fewer") % {"max": 1000}})
    current = SignificantEvent.objects.select_for_update().get(pk=event.pk)
    if current.version != expected_version:
        raise StaleEditError(current)
    if current.removed_at is not None:
        return current
    current.removed_at, current.removed_by, current.removed_reason = timezone.now(), by, reason
    current.version += 1
    current.save(update_fields=["removed_at", "removed_by", "removed_reason", "version"])
    record(
        actor=by, action=Action.DELETE, obj=current, child_id=child.pk, route=audit_route(by, child),
        reason=reason, detail={"kind": current.kind, "entered_in_error": True},
    )  # fmt: skip
    return current


@transaction.atomic
def record_period(
    *, by: User, child: Child, starts_on: datetime.date, ends_on: datetime.date | None, source: str
) -> RecordingPeriod:
    """Say that every kind of event was recorded for ``child`` from ``starts_on`` to ``ends_on``."""
    _require(by, child)
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if starts_on > today:
        errors["starts_on"] = _("The date must be today or in the past")
    if ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = _("The end must be on or after the start")
    elif ends_on is not None and ends_on > today:
        errors["ends_on"] = _("The date must be today or in the past")
    if not source.strip():
        errors["source"] = _("Say how you know the recording is complete")
    if errors:
        raise ValidationError(errors)
    period = RecordingPeriod(child=child, starts_on=starts_on, ends_on=ends_on, source=source.strip(), recorded_by=by)
    period.full_clean()
    period.save()
    record(
        actor=by, action=Action.CREATE, obj=period, child_id=child.pk, route=audit_route(by, child),
        detail={"starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat() if ends_on else None},
    )  # fmt: skip
    return period


def counted() -> Q:
    """Events that count (not removed as entered in error) – for lists and the measures."""
    return Q(removed_at__isnull=True)


def complete_for(periods: list[RecordingPeriod], start: datetime.date, end: datetime.date) -> bool:
    """Whether ``periods`` (one young person's) together cover every day from ``start`` to
    ``end``: only then does a count of their events over that time mean something."""
    today = timezone.localdate()
    reached = start - datetime.timedelta(days=1)  # covered up to and including this day
    for period in sorted(periods, key=lambda p: p.starts_on):
        if period.starts_on > reached + datetime.timedelta(days=1):
            break
        reached = max(reached, period.ends_on or today)
        if reached >= end:
            return True
    return reached >= end
