"""What the young person's own pages show and do: my plan, my goals, my nest, my sessions, help
now, and the requests they send their care team. Every function takes a record already reached
through the one scope (``myspace.space.own_child``) and reads only that record's parts; the
views stay thin and never touch a personal model themselves (the scoping lint)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from audit.models import Action, Route
from audit.services import record
from core.text_language import interface_language
from myspace.models import HelpLine, RequestKind, SpaceRequest

if TYPE_CHECKING:
    from accounts.models import User
    from contacts.models import Contact
    from outcomes.models import GoalRating
    from people.models import Child, RelatedPerson
    from plans.models import Goal, Plan, PlanAction

#: The longest request a young person can send (a few sentences; the team talks with them).
REQUEST_MAX = 1000


# --- My plan ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanView:
    plan: Plan
    goals: list[Goal]
    actions: list[PlanAction]


def plan_for(child: Child) -> PlanView | None:
    """Their plan: the goals still being worked on (in their words), what each person will do
    (not yet done first) and the next review. None when there is no plan yet."""
    from plans.models import Goal, GoalStatus, Plan, PlanAction

    plan = Plan.objects.filter(child=child).first()
    if plan is None:
        return None
    goals = list(Goal.objects.filter(plan=plan, status=GoalStatus.ACTIVE).order_by("order", "pk"))
    actions = list(
        PlanAction.objects.filter(plan=plan, done_on__isnull=True).select_related("goal").order_by("by_when", "pk")
    )
    return PlanView(plan=plan, goals=goals, actions=actions)


# --- My goals ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoalToRate:
    goal: Goal
    latest: GoalRating | None


def goals_for(child: Child) -> list[GoalToRate]:
    """The goals they can rate now (outcomes' rule: the plan's current goals, at most three),
    each with its latest rating, in two queries whatever the number of ratings."""
    from outcomes.models import GoalRating, RatedBy
    from outcomes.services import goals_to_rate
    from plans.models import Goal

    goals = goals_to_rate(child)
    # "Your last score" is theirs: a carer's rating of the same goal (myspace.carers) is not.
    ratings = (
        GoalRating.objects.filter(child=child)
        .exclude(rated_by=RatedBy.CARER)
        .order_by("-rated_on", "-recorded_at", "-pk")
    )
    with_ratings = Goal.objects.filter(pk__in=[g.pk for g in goals]).prefetch_related(
        Prefetch("ratings", queryset=ratings, to_attr="newest_first")
    )
    by_pk = {g.pk: g for g in with_ratings}
    result = []
    for goal in goals:
        newest = getattr(by_pk[goal.pk], "newest_first", [])
        result.append(GoalToRate(goal=goal, latest=newest[0] if newest else None))
    return result


def goal_of(child: Child, goal_uuid: str) -> Goal | None:
    """One of the goals they can rate now, by its uuid, or None."""
    return next((item.goal for item in goals_for(child) if str(item.goal.uuid) == goal_uuid), None)


# --- My nest ----------------------------------------------------------------------------------


def nest_for(child: Child) -> list[RelatedPerson]:
    """The people in their nest still involved: only what the page shows (name and role) is
    read – never phone, email or notes, which the young person's space does not show."""
    from people.models import RelatedPerson

    return list(
        RelatedPerson.objects.filter(child=child, is_active=True)
        .only("pk", "child_id", "name", "role", "role_other")
        .order_by("name", "pk")
    )


# --- My sessions ------------------------------------------------------------------------------


def sessions_for(child: Child, now: datetime.datetime | None = None) -> list[Contact]:
    """Sessions booked with them from now on, soonest first, with the practitioner's name (one
    query). Professional consultations and carer training are about them, not with them."""
    from contacts.models import DIRECT_KINDS, Attendance, Contact, Kind

    now = now or timezone.now()
    return list(
        Contact.objects.filter(
            child=child,
            attendance=Attendance.BOOKED,
            starts_at__gte=now,
            kind__in=[*DIRECT_KINDS, Kind.OUT_OF_HOURS],
        )
        .select_related("practitioner")
        .order_by("starts_at", "pk")
    )


def session_of(child: Child, contact_pk: int) -> Contact | None:
    return next((c for c in sessions_for(child) if c.pk == contact_pk), None)


# --- Requests to the care team ----------------------------------------------------------------


@transaction.atomic
def make_request(
    *, by: User, child: Child, kind: str, text: str, key: str, contact: Contact | None = None
) -> tuple[SpaceRequest, bool]:
    """A request from their space to the care team; returns (request, created). The text is
    kept as typed (shown escaped); the same form sent twice (``key``) makes one request."""
    done = SpaceRequest.objects.filter(form_key=key).first()
    if done is not None:
        if done.child_id != child.pk:  # a key from someone else's form
            raise PermissionDenied
        return done, False
    text = text.strip()
    errors: dict[str, str] = {}
    if kind not in RequestKind.values:
        errors["kind"] = _("Choose what you are asking for")
    if kind == RequestKind.SESSION_CHANGE and contact is None:
        errors["text"] = _("That session is not booked any more")
    if not text:
        errors["text"] = (
            _("Write who you would like to add")
            if kind == RequestKind.ADD_PERSON
            else _("Write what you would like to change")
        )
    elif len(text) > REQUEST_MAX:
        errors["text"] = _("Write %(max)d characters or fewer") % {"max": REQUEST_MAX}
    if errors:
        raise ValidationError(errors)
    request = SpaceRequest(
        child=child, kind=kind, text=text, contact=contact, created_by=by, form_key=key,
        text_language=interface_language(),
    )  # fmt: skip
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:  # the same key committed by a concurrent request
        return SpaceRequest.objects.get(form_key=key), False
    record(
        actor=by, action=Action.CREATE, obj=request, child_id=child.pk, route=Route.SELF,
        detail={"kind": kind, "contact": contact.pk if contact else None},
    )  # fmt: skip
    return request, True


# --- Help now ---------------------------------------------------------------------------------


def help_lines(*, include_inactive: bool = False) -> list[HelpLine]:
    lines = HelpLine.objects.all() if include_inactive else HelpLine.objects.filter(is_active=True)
    return list(lines.order_by("order", "pk"))


def may_manage_help(user: User) -> bool:
    """Service managers keep the Help now lines, as they keep the service directory."""
    return user.role == Role.SERVICE_MANAGER


@transaction.atomic
def save_help_line(*, by: User, form: Any) -> HelpLine:
    """Save a Help now line from its (valid) form; every version is kept (history) and audited.
    The lines are national, not one service's: any service manager may correct a number."""
    if not may_manage_help(by):
        raise PermissionDenied
    creating = form.instance.pk is None
    line: HelpLine = form.save()
    record(actor=by, action=Action.CREATE if creating else Action.UPDATE, obj=line, route=Route.UI)
    return line
