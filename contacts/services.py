"""Recording contacts. Permission and idempotency live here; views only parse and render."""

from __future__ import annotations

import datetime
import hashlib
import json
from typing import TYPE_CHECKING, Any, TypedDict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from audit.models import Action
from audit.services import record
from contacts.models import DIRECT_KINDS, Attendance, Contact, Kind
from people.access import access_routes, audit_route

if TYPE_CHECKING:
    from accounts.models import User
    from people.models import Child

_WRITE_ROUTES = frozenset({"care_team", "service_manager"})
_STAFF = frozenset({Role.PRACTITIONER, Role.SERVICE_MANAGER, Role.DUTY_WORKER})
class ContactValues(TypedDict, total=False):
    """A contact as recorded or changed. Its keys are written once, here: ContactForm
    (contacts/forms.py) takes its fields from them (``starts_at`` is its date and time boxes)."""

    kind: str
    starts_at: datetime.datetime
    attendance: str
    consultation_with: str
    duration_minutes: int
    language: str
    location: str
    summary: str


CONTACT_FIELDS = tuple(ContactValues.__annotations__)


def can_record(user: User, child: Child, kind: str | None = None) -> bool:
    """Care team and managers record any contact. A duty/on-call worker reaching the record
    only through break-glass may record the out-of-hours contact that brought them there."""
    if user.role not in _STAFF:
        return False
    routes = set(access_routes(user, child))
    if routes & _WRITE_ROUTES:
        return True
    return "break_glass" in routes and kind in (None, Kind.OUT_OF_HOURS)


def _key(by: User, child: Child, values: ContactValues, people: list[int]) -> str:
    payload: dict[str, object] = {k: str(values.get(k, "")) for k in CONTACT_FIELDS}
    payload.update(by=by.pk, child=child.pk, people=sorted(people))
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _validate(values: ContactValues) -> None:
    errors: dict[str, str] = {}
    if values.get("kind") == Kind.CONSULTATION and not values.get("consultation_with"):
        errors["consultation_with"] = _("Say who the consultation was with")
    starts_at = values.get("starts_at")
    happened = (Attendance.ATTENDED, Attendance.DID_NOT_ATTEND)
    if starts_at and values.get("attendance") in happened and starts_at > timezone.now() + datetime.timedelta(minutes=5):
        errors["attendance"] = _("A contact in the future has not happened yet: choose “Booked” and record what happened after it")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def record_contact(*, by: User, child: Child, values: ContactValues, people: list[Any] | None = None) -> tuple[Contact, bool]:
    """Record one contact; returns (contact, created). The same form sent twice (double click,
    browser retry) records one contact."""
    people = list(people or [])
    if not can_record(by, child, values.get("kind")):
        raise PermissionDenied
    _validate(values)
    if any(person.child_id != child.pk for person in people):
        raise ValidationError({"people": _("Choose people around this young person")})
    key = _key(by, child, values, [p.pk for p in people])
    existing = Contact.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            contact = Contact.objects.create(
                child=child,
                practitioner=by,  # the person recording it (no caller names anyone else)
                recorded_by=by,
                idempotency_key=key,
                **{k: v for k, v in values.items() if k in CONTACT_FIELDS},
            )
    except IntegrityError:
        return Contact.objects.get(idempotency_key=key), False
    contact.people.set(people)
    record(
        actor=by,
        action=Action.CREATE,
        obj=contact,
        child_id=child.pk,
        route=audit_route(by, child),
        detail={"kind": contact.kind, "attendance": contact.attendance, "people": [p.pk for p in people]},
    )
    refresh_first_session(child)
    return contact, True


def refresh_first_session(child: Child) -> None:
    """Set each open referral's first therapeutic session from the contacts recorded – the
    timeliness figures are computed from events, never typed in."""
    from referrals.models import Referral, Status

    for referral in Referral.objects.filter(child=child, status__in=[Status.ACCEPTED, Status.ALLOCATED]):
        first = (
            Contact.objects.filter(
                child=child, kind__in=DIRECT_KINDS, attendance=Attendance.ATTENDED, starts_at__gte=referral.received_at
            ).aggregate(first=Min("starts_at"))["first"]
        )
        if first != referral.first_session_at:
            Referral.objects.filter(pk=referral.pk).update(first_session_at=first)


@transaction.atomic
def update_contact(
    *, by: User, contact: Contact, expected_version: int, values: ContactValues, people: list[Any] | None = None
) -> Contact:
    """Change a contact – above all, record what happened at a booked one. Refuses (changing
    nothing) when someone saved it after the form was opened; every change is in its history."""
    from core.errors import StaleEditError

    locked = Contact.objects.select_for_update().get(pk=contact.pk)
    if not can_record(by, locked.child, values.get("kind")) or not can_record(by, locked.child, locked.kind):
        raise PermissionDenied
    if locked.version != expected_version:
        raise StaleEditError(locked)
    _validate(values)
    people = list(people or [])
    if any(person.child_id != locked.child_id for person in people):
        raise ValidationError({"people": _("Choose people around this young person")})
    given: dict[str, Any] = dict(values)
    changed = [name for name in CONTACT_FIELDS if name in given and getattr(locked, name) != given[name]]
    for name in changed:
        setattr(locked, name, given[name])
    before = set(locked.people.values_list("pk", flat=True))
    after = {person.pk for person in people}
    if not changed and before == after:
        return locked
    locked.version += 1
    locked.save()
    locked.people.set(people)
    record(
        actor=by,
        action=Action.UPDATE,
        obj=locked,
        child_id=locked.child_id,
        route=audit_route(by, locked.child),
        detail={"fields": changed + (["people"] if before != after else [])},
    )
    refresh_first_session(locked.child)
    return locked
