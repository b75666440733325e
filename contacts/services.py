"""Recording contacts. Permission and idempotency live here; views only parse and render."""

from __future__ import annotations

import datetime
import hashlib
import json
from typing import TYPE_CHECKING, Any, TypedDict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, IntegerField, Min, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import SERVICE_ROLES, Organisation, User
from audit.models import Action
from audit.services import record
from contacts.models import DIRECT_KINDS, Attendance, Contact, Kind
from people.access import Purpose, audit_route, can_change
from people.models import CareTeamMembership

if TYPE_CHECKING:
    from people.models import Child


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
    text_language: str  # of the summary (core/text_language.py)


CONTACT_FIELDS = tuple(ContactValues.__annotations__)


def can_record(user: User, child: Child, kind: str | None = None) -> bool:
    """Care team and managers record any contact. A duty/on-call worker reaching the record
    only through break-glass may record the out-of-hours contact that brought them there
    (``kind`` None: the form, which then offers that kind only). The domain rule here is which
    kinds are that exception; who may change is ``people.access.can_change``."""
    purpose = Purpose.OUT_OF_HOURS_CONTACT if kind in (None, Kind.OUT_OF_HOURS) else None
    return can_change(user, child, purpose=purpose)


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
    if (
        starts_at
        and values.get("attendance") in happened
        and starts_at > timezone.now() + datetime.timedelta(minutes=5)
    ):
        errors["attendance"] = _(
            "A contact in the future has not happened yet: choose “Booked” and record what happened after it"
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def record_contact(
    *, by: User, child: Child, values: ContactValues, people: list[Any] | None = None
) -> tuple[Contact, bool]:
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
        first = Contact.objects.filter(
            child=child, kind__in=DIRECT_KINDS, attendance=Attendance.ATTENDED, starts_at__gte=referral.received_at
        ).aggregate(first=Min("starts_at"))["first"]
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


# --- The manager's team page -----------------------------------------------------------------------


def _count(queryset: QuerySet, by: str) -> Coalesce:
    """A correlated ``COUNT(*)`` of ``queryset``, filtered on ``by = OuterRef("pk")``, as an
    annotation (grouped by ``by``: one group, the outer row's); 0, not NULL, when there is nothing."""
    counted = queryset.filter(**{by: OuterRef("pk")}).order_by().values(by).annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def team_rows(organisation: Organisation, *, week_start: datetime.datetime, now: datetime.datetime) -> QuerySet[User]:
    """The service's active staff with their caseload (active care-team memberships), contacts in
    the week from ``week_start``, professional consultations held and sessions missed in the last
    28 days, and booked contacts whose time has passed (outcome to record). One query.

    Each figure is its own correlated count over one person's rows, answered from the indexes on
    (practitioner, starts_at), the partial index on booked contacts and the one on active
    memberships. Counting through joins instead (users × memberships × contacts, then
    ``COUNT(DISTINCT …)``) multiplies every membership by every contact: with 100,000 young
    people that was 67 million rows and 23–28 s a request (docs/national-scale.md)."""
    since = now - datetime.timedelta(days=28)
    week_end = week_start + datetime.timedelta(days=7)
    return (
        User.objects.filter(organisation=organisation, role__in=SERVICE_ROLES, is_active=True)
        .annotate(
            caseload=_count(CareTeamMembership.objects.filter(ended_at__isnull=True), "user"),
            this_week=_count(Contact.objects.filter(starts_at__gte=week_start, starts_at__lt=week_end), "practitioner"),
            consultations=_count(
                Contact.objects.filter(starts_at__gte=since, kind=Kind.CONSULTATION, attendance=Attendance.ATTENDED),
                "practitioner",
            ),
            to_record=_count(Contact.objects.filter(starts_at__lte=now, attendance=Attendance.BOOKED), "practitioner"),
            missed=_count(
                Contact.objects.filter(starts_at__gte=since, attendance=Attendance.DID_NOT_ATTEND), "practitioner"
            ),
        )
        .order_by("last_name", "first_name", "pk")
    )
