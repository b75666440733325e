"""The service's on-call rota (``myspace.OnCallShift``), kept by its service managers.

Out of the service's cover hours an alert from a young person goes to whoever is on call now
(``myspace.voice.on_call_now``), so the rota decides whether the page can say "a duty worker
will see this now" or must say "nobody is watching". The rules here keep it honest: only the
service's own active duty workers (the role ``on_call_now`` counts), the end after the start, no
person on two shifts at once, and every gap out of hours shown plainly to the manager. Shifts
are not personal data about a child; each change is audited (route "ui") all the same."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from audit.models import Action, Route
from audit.services import record
from core.errors import StaleEditError
from myspace.models import OnCallShift
from myspace.voice import CoverHours, _open_on, parse_cover_hours

if TYPE_CHECKING:
    from accounts.models import Organisation

#: How far ahead the rota page looks (four weeks).
ROTA_DAYS = 28
#: The roles a shift may be given to: the one role an alert is routed to out of hours.
ON_CALL_ROLES = (Role.DUTY_WORKER,)


def managed_service(user: User) -> Organisation | None:
    """The service whose rota ``user`` keeps: a service manager's own service, else None."""
    if user.role != Role.SERVICE_MANAGER or user.organisation_id is None:
        return None
    return user.organisation


def on_call_staff(service: Organisation) -> QuerySet[User]:
    """Who may be put on the rota: the service's active staff with a role that can be on call."""
    return User.objects.filter(organisation=service, is_active=True, role__in=ON_CALL_ROLES).order_by(
        "first_name", "last_name", "pk"
    )


def shifts_between(service: Organisation, start: datetime.datetime, end: datetime.datetime) -> list[OnCallShift]:
    """The service's shifts that overlap ``start``–``end``, earliest first."""
    return list(
        OnCallShift.objects.filter(service=service, starts_at__lt=end, ends_at__gt=start)
        .select_related("user")
        .order_by("starts_at", "pk")
    )


@dataclass(frozen=True)
class Gap:
    starts_at: datetime.datetime
    ends_at: datetime.datetime


def _cover_periods(start: datetime.datetime, end: datetime.datetime, hours: CoverHours) -> list[Gap]:
    """The service's own open hours between ``start`` and ``end`` (nobody need be on call then)."""
    periods = []
    day = timezone.localtime(start).date() - datetime.timedelta(days=1)
    while day <= timezone.localtime(end).date():
        if _open_on(day, hours):
            opens = timezone.make_aware(datetime.datetime.combine(day, hours.opens))
            closes = timezone.make_aware(datetime.datetime.combine(day, hours.closes))
            periods.append(Gap(opens, closes))
        day += datetime.timedelta(days=1)
    return periods


def gaps(
    service: Organisation,
    start: datetime.datetime,
    end: datetime.datetime,
    hours: CoverHours | None = None,
    shifts: list[OnCallShift] | None = None,
) -> list[Gap]:
    """The times between ``start`` and ``end`` when the service is closed and nobody who counts
    is on call: the times a young person's alert would wait. A shift of someone no longer an
    active duty worker covers nothing (``on_call_now`` would not route to them). ``shifts``:
    the service's shifts in that time when the caller has read them already."""
    hours = hours or parse_cover_hours(settings.NYTH_SPACE_COVER_HOURS)
    shifts = shifts if shifts is not None else shifts_between(service, start, end)
    covered = _cover_periods(start, end, hours) + [
        Gap(s.starts_at, s.ends_at) for s in shifts if s.user.is_active and s.user.role in ON_CALL_ROLES
    ]
    found = []
    cursor = start
    for period in sorted(covered, key=lambda p: p.starts_at):
        if period.starts_at > cursor:
            found.append(Gap(cursor, min(period.starts_at, end)))
        cursor = max(cursor, period.ends_at)
        if cursor >= end:
            break
    if cursor < end:
        found.append(Gap(cursor, end))
    return [gap for gap in found if gap.ends_at > gap.starts_at]


def _validate(service: Organisation, shift: OnCallShift) -> None:
    errors: dict[str, list[str]] = {}
    if not on_call_staff(service).filter(pk=shift.user_id).exists():
        errors["user"] = [_("Choose a duty worker of this service")]
    if shift.ends_at <= shift.starts_at:
        errors["ends_at"] = [_("The end must be after the start")]
    elif (
        OnCallShift.objects.filter(user_id=shift.user_id, starts_at__lt=shift.ends_at, ends_at__gt=shift.starts_at)
        .exclude(pk=shift.pk)
        .exists()
    ):
        errors["starts_at"] = [_("This person is already on call at some of this time")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_shift(
    *,
    by: User,
    service: Organisation,
    shift_pk: int | None,
    expected_version: int,
    user: User,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
) -> OnCallShift:
    """Add a shift (``shift_pk`` None) or change one from ``expected_version``. Someone else's
    save in between raises ``StaleEditError`` with what is stored now, and changes nothing."""
    if managed_service(by) != service:
        raise PermissionDenied
    # Lock the person: two managers adding overlapping shifts for them at once cannot both pass.
    User.objects.select_for_update().filter(pk=user.pk).first()
    if shift_pk is None:
        shift = OnCallShift(service=service)
    else:
        shift = OnCallShift.objects.select_for_update().get(service=service, pk=shift_pk)
        if shift.version != expected_version:
            raise StaleEditError(shift)
    before = {"user": shift.user_id, "starts_at": shift.starts_at, "ends_at": shift.ends_at} if shift.pk else None
    shift.user, shift.starts_at, shift.ends_at = user, starts_at, ends_at
    _validate(service, shift)
    if before is not None:
        if before == {"user": user.pk, "starts_at": starts_at, "ends_at": ends_at}:
            return shift  # nothing changed: no new version, no event
        shift.version += 1
    shift.save()
    record(
        actor=by,
        action=Action.CREATE if before is None else Action.UPDATE,
        obj=shift,
        route=Route.UI,
        detail={"user": user.pk, "starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat()},
    )
    return shift


@transaction.atomic
def remove_shift(*, by: User, service: Organisation, shift_pk: int, expected_version: int) -> None:
    """Remove a shift, unless someone changed it after the page was opened (``StaleEditError``)."""
    if managed_service(by) != service:
        raise PermissionDenied
    shift = OnCallShift.objects.select_for_update().get(service=service, pk=shift_pk)
    if shift.version != expected_version:
        raise StaleEditError(shift)
    record(
        actor=by,
        action=Action.DELETE,
        obj=shift,
        route=Route.UI,
        detail={"user": shift.user_id, "starts_at": shift.starts_at.isoformat(), "ends_at": shift.ends_at.isoformat()},
    )
    shift.delete()
