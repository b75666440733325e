"""The young person's voice in their space: how I'm feeling, the honest alert, before my review.

Rules here, views thin. The record is reached through the one scope before any of these is
called (``myspace.space.own_child`` for the young person, ``visible_to`` for staff); every write
is audited in the same transaction, by the young person with the route "self" and by staff with
their own route.

Being honest about when an alert is seen: ``cover_now`` says whether the service is open now
(``NYTH_SPACE_COVER_HOURS`` on Welsh working days), else whether a duty worker is on call in
Nyth's rota, else that nobody is watching – and when somebody next will be. The page says
exactly that; the escalation clock starts when somebody is watching, so an alert raised on
Friday night escalates on Monday morning, not at 1 am to a manager who is asleep."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Role, User
from audit.models import Action, Route
from audit.services import record
from core.forms import reject_markup
from core.workdays import is_working_day
from jobs.email import send_once
from myspace.models import Alert, AlertKind, CheckIn, Cover, Draft, OnCallShift, ReviewNote, read_by_for
from people.access import can_change
from people.models import CareTeamMembership, CareTeamRole, Child

if TYPE_CHECKING:
    from accounts.models import Organisation

NOTE_MAX = 2000
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_COVER = re.compile(r"^\s*(\w{3})(?:-(\w{3}))?\s+(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})\s*$")


# --- Cover hours ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CoverHours:
    weekdays: frozenset[int]
    opens: datetime.time
    closes: datetime.time


def parse_cover_hours(text: str) -> CoverHours:
    """``"mon-fri 09:00-17:00"`` (or one day, ``"sat 10:00-14:00"``). A setting that cannot be
    read is an error at once, not a page that promises cover nobody gives."""
    match = _COVER.match(text.lower())
    if not match or match.group(1) not in _DAYS or (match.group(2) or match.group(1)) not in _DAYS:
        raise ValueError(f"NYTH_SPACE_COVER_HOURS: cannot read {text!r} (for example 'mon-fri 09:00-17:00')")
    first = _DAYS.index(match.group(1))
    last = _DAYS.index(match.group(2) or match.group(1))
    days = frozenset(range(first, last + 1)) if first <= last else frozenset([*range(first, 7), *range(0, last + 1)])
    opens = datetime.time(int(match.group(3)), int(match.group(4)))
    closes = datetime.time(int(match.group(5)), int(match.group(6)))
    if closes <= opens:
        raise ValueError("NYTH_SPACE_COVER_HOURS: the service must close after it opens")
    return CoverHours(days, opens, closes)


def _open_on(day: datetime.date, hours: CoverHours) -> bool:
    """A covered weekday that is a bank holiday or an extra closure is not covered; a covered
    weekend day is (it is never a working day, but the service said it opens)."""
    return day.weekday() in hours.weekdays and (day.weekday() >= 5 or is_working_day(day))


def in_cover(now: datetime.datetime, hours: CoverHours | None = None) -> bool:
    hours = hours or parse_cover_hours(settings.NYTH_SPACE_COVER_HOURS)
    local = timezone.localtime(now)
    return _open_on(local.date(), hours) and hours.opens <= local.time() < hours.closes


def next_cover_start(now: datetime.datetime, hours: CoverHours | None = None) -> datetime.datetime:
    """When the service next opens after ``now`` (``now`` itself when it is open)."""
    hours = hours or parse_cover_hours(settings.NYTH_SPACE_COVER_HOURS)
    if in_cover(now, hours):
        return now
    local = timezone.localtime(now)
    day = local.date()
    for _step in range(400):
        if _open_on(day, hours):
            start = timezone.make_aware(datetime.datetime.combine(day, hours.opens))
            if start > now:
                return start
        day += datetime.timedelta(days=1)
    raise ValueError("NYTH_SPACE_COVER_HOURS: the service never opens")


def on_call_now(service: Organisation, now: datetime.datetime) -> User | None:
    """The duty worker on call in Nyth's rota now (the latest shift to start), or None."""
    shift = (
        OnCallShift.objects.filter(
            service=service, starts_at__lte=now, ends_at__gt=now, user__is_active=True, user__role=Role.DUTY_WORKER
        )
        .select_related("user")
        .order_by("-starts_at", "-pk")
        .first()
    )
    return shift.user if shift is not None else None


@dataclass(frozen=True)
class CoverNow:
    cover: str  # a ``Cover`` value
    #: When the alert will be seen: soon in hours, the next opening otherwise.
    seen_by: datetime.datetime
    on_call: User | None
    #: The local authority's emergency duty team, for the page when nobody at the service is watching.
    emergency_duty_phone: str


def cover_now(service: Organisation, now: datetime.datetime) -> CoverNow:
    within = datetime.timedelta(minutes=settings.NYTH_SPACE_ALERT_SEEN_WITHIN_MINUTES)
    phone = settings.NYTH_SPACE_EMERGENCY_DUTY_TEAM_PHONE
    if in_cover(now):
        return CoverNow(Cover.IN_HOURS, now + within, None, phone)
    worker = on_call_now(service, now)
    if worker is not None:
        return CoverNow(Cover.ON_CALL, now + within, worker, phone)
    return CoverNow(Cover.NONE, next_cover_start(now) + within, None, phone)


# --- Check-ins --------------------------------------------------------------------------------


def _clean_note(note: str, field: str = "note") -> str:
    note = note.strip()
    errors: list[str] = []
    if len(note) > NOTE_MAX:
        errors.append(_("Your note must be %(max)d characters or fewer") % {"max": NOTE_MAX})
    try:
        reject_markup(note)
    except ValidationError as exc:
        errors.extend(exc.messages)
    if errors:
        raise ValidationError({field: errors})
    return note


def read_by_date(made: datetime.datetime) -> datetime.date:
    """The inbox's read-by date (``myspace.inbox``: every item from the space has one)."""
    return read_by_for(made)


@transaction.atomic
def check_in(*, user: User, child: Child, feeling: int, note: str, text_language: str) -> CheckIn:
    """Record a check-in (the note checked first: nothing is saved when it is refused)."""
    if feeling not in range(1, 6):
        raise ValidationError({"feeling": _("Choose how you are feeling")})
    note = _clean_note(note)
    now = timezone.now()
    item = CheckIn.objects.create(
        child=child,
        feeling=feeling,
        note=note,
        text_language=text_language if note else "",
        created_at=now,
        read_by_date=read_by_date(now),
    )
    record(actor=user, action=Action.CREATE, obj=item, child_id=child.pk, route=Route.SELF)
    return item


# --- Alerts -----------------------------------------------------------------------------------


def _lead_and_duty(child: Child) -> list[User]:
    """The lead practitioner and the service's duty workers (in its care team or its staff)."""
    leads = CareTeamMembership.objects.filter(
        child=child, ended_at__isnull=True, role__in=[CareTeamRole.LEAD, CareTeamRole.DUTY]
    ).values("user_id")
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(pk__in=leads) | Q(role=Role.DUTY_WORKER, organisation_id=child.service_id))
        .order_by("pk")
    )


def _managers(child: Child) -> list[User]:
    return list(
        User.objects.filter(is_active=True, role=Role.SERVICE_MANAGER, organisation_id=child.service_id).order_by("pk")
    )


def _email(event_key: str, users: list[User]) -> None:
    """An email that names no one (it may reach the wrong inbox and waits in the queue): only
    that an alert from a young person's space is waiting, and where to look."""
    for user in users:
        if not user.email:
            continue
        with translation.override(user.preferred_language or "en"):
            send_once(
                event_key=event_key,
                to=user.email,
                subject=_("Nyth: an alert is waiting for you"),
                body=_(
                    "A young person has asked for help in their own space on Nyth. Please sign in to Nyth "
                    "and open your home page to see it and pick it up: %(path)s"
                )
                % {"path": settings.NYTH_SITE_URL + reverse("core:home")},
            )


@transaction.atomic
def raise_alert(*, user: User, child: Child, kind: str) -> tuple[Alert, CoverNow]:
    if kind not in AlertKind.values:
        raise ValidationError(_("Choose what you need"))
    now = timezone.now()
    cover = cover_now(child.service, now)
    alert = Alert.objects.create(
        child=child,
        kind=kind,
        created_at=now,
        cover=cover.cover,
        watched_from=now if cover.cover != Cover.NONE else next_cover_start(now),
        on_call=cover.on_call,
    )
    record(actor=user, action=Action.CREATE, obj=alert, child_id=child.pk, route=Route.SELF, detail={"kind": kind})
    people = _lead_and_duty(child)
    if cover.on_call is not None and cover.on_call not in people:
        people.append(cover.on_call)
    _email(f"space-alert:{alert.pk}", people)
    return alert, cover


def alerts_for(user: User) -> QuerySet[Alert]:
    """Alerts not yet picked up that are this person's to see: the lead's on their records, the
    service's duty workers' (reached through "space_alert" or the care team), the on-call
    worker's, and, once escalated, the managers'."""
    children = Child.objects.visible_to(user, include_shared=True)
    waiting = Alert.objects.filter(child__in=children, picked_up_at__isnull=True).select_related("child")
    waiting = waiting.order_by("created_at", "pk")
    if user.role == Role.SERVICE_MANAGER:
        return waiting.filter(escalated_at__isnull=False)
    if user.role == Role.DUTY_WORKER:
        return waiting
    lead_of = CareTeamMembership.objects.filter(user=user, ended_at__isnull=True, role=CareTeamRole.LEAD).values(
        "child_id"
    )
    return waiting.filter(Q(child_id__in=lead_of) | Q(on_call=user))


def recent_alert(child: Child, pk: object) -> Alert | None:
    """The alert just raised by ``child``'s young person (its id kept in their session), for the
    page after the button; None for another's id or after a day."""
    if not isinstance(pk, int):
        return None
    since = timezone.now() - datetime.timedelta(days=1)
    return Alert.objects.filter(child=child, pk=pk, created_at__gte=since).first()


def alerts_of(user: User, child: Child) -> QuerySet[Alert]:
    """``child``'s alerts (a record already reached, perhaps only through "space_alert")."""
    return Alert.objects.filter(child=child).select_related("picked_up_by", "on_call")


def may_pick_up(user: User, alert: Alert) -> bool:
    """The care team (whoever may change the record), the service's duty workers and the worker
    on call."""
    if user.role == Role.DUTY_WORKER and (
        user.organisation_id == alert.child.service_id or alert.on_call_id == user.pk
    ):
        return True
    return can_change(user, alert.child)


@transaction.atomic
def pick_up(*, by: User, alert: Alert, what_was_done: str, text_language: str, route: str) -> Alert:
    """Record who picked the alert up, when and what they did (the first pick-up is kept)."""
    done = _clean_note(what_was_done, "what_was_done")
    if not done:
        raise ValidationError({"what_was_done": _("Say what was done")})
    locked = Alert.objects.select_for_update().get(pk=alert.pk)
    if locked.picked_up_at is not None:
        raise ValidationError(_("Someone has already picked this alert up."))
    locked.picked_up_at, locked.picked_up_by = timezone.now(), by
    locked.what_was_done, locked.text_language = done, text_language
    locked.save(update_fields=["picked_up_at", "picked_up_by", "what_was_done", "text_language"])
    record(actor=by, action=Action.UPDATE, obj=locked, child_id=locked.child_id, route=route)
    return locked


def escalate_overdue(now: datetime.datetime | None = None) -> int:
    """Alerts nobody picked up within ``NYTH_SPACE_ALERT_ESCALATE_MINUTES`` of someone watching
    go to the service's managers (flagged on their home page and emailed), once each."""
    now = now or timezone.now()
    limit = now - datetime.timedelta(minutes=settings.NYTH_SPACE_ALERT_ESCALATE_MINUTES)
    count = 0
    overdue = Alert.objects.filter(picked_up_at__isnull=True, escalated_at__isnull=True, watched_from__lte=limit)
    for pk in overdue.values_list("pk", flat=True):
        with transaction.atomic():
            alert = Alert.objects.select_for_update().select_related("child").get(pk=pk)
            if alert.picked_up_at is not None or alert.escalated_at is not None:
                continue
            alert.escalated_at = now
            alert.save(update_fields=["escalated_at"])
            record(
                actor=None,
                action=Action.UPDATE,
                obj=alert,
                child_id=alert.child_id,
                route=Route.SYSTEM,
                detail={"escalated": True},
            )
            _email(f"space-alert-escalated:{alert.pk}", _managers(alert.child))
            count += 1
    return count


# --- Before my review -------------------------------------------------------------------------


@transaction.atomic
def say_before_review(*, user: User, child: Child, text: str, text_language: str) -> ReviewNote:
    text = _clean_note(text, "text")
    if not text:
        raise ValidationError({"text": _("Write what you want to say at your review")})
    note = ReviewNote.objects.create(child=child, text=text, text_language=text_language)
    record(actor=user, action=Action.CREATE, obj=note, child_id=child.pk, route=Route.SELF)
    return note


def review_notes(child: Child) -> QuerySet[ReviewNote]:
    return ReviewNote.objects.filter(child=child).select_related("read_by")


# --- Drafts across a timeout ------------------------------------------------------------------

#: Never kept in a draft, whatever the form calls them.
_SECRET = re.compile(r"csrf|password|token|otp|secret", re.IGNORECASE)


def keep_draft(*, user: User, path: str, data: dict[str, list[str]]) -> Draft | None:
    kept = {key: values for key, values in data.items() if not _SECRET.search(key)}
    if not any(value.strip() for values in kept.values() for value in values):
        return None
    Draft.objects.filter(user=user, path=path).delete()
    return Draft.objects.create(user=user, path=path[:300], data=kept)


def take_draft(user: User, path: str) -> dict[str, list[str]] | None:
    """The draft for this form, if one was kept in the last ``NYTH_SPACE_DRAFT_HOURS``; it is
    used once (the form now holds it) and older ones are dropped."""
    since = timezone.now() - datetime.timedelta(hours=settings.NYTH_SPACE_DRAFT_HOURS)
    Draft.objects.filter(user=user, created_at__lt=since).delete()
    draft = Draft.objects.filter(user=user, path=path).first()
    if draft is None:
        return None
    draft.delete()
    return dict(draft.data)
