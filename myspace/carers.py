"""Carers in the young person's space: who is the current carer, the carer's route to the
record, and what their space shows.

A carer reaches the young person's record only while all three hold, read at each request
(nothing to switch off, no job): (a) their account is not revoked, (b) they are recorded as a
carer on a placement of that young person that is open today (and no contact restriction is
recorded on them), and (c) a consent in force names them (their person in the nest) for
"support at home". A new placement ending the old one, or a
withdrawal, ends the access on the carer's next request.

What a carer writes – a goal rating, their named feedback – goes through the outcomes services
(``rate_goal``, ``record_named_feedback``), which ask ``through_carer_route`` /
``may_rate_goals`` here again at the write, so it ends with the access too.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from accounts.models import Role
from consent.models import ConsentDecision, Item, Purpose
from outcomes.models import RatedBy
from people.models import Child, Placement, RelatedPerson

if TYPE_CHECKING:
    from accounts.models import User
    from contacts.models import Contact
    from myspace.models import SpaceAccount
    from outcomes.models import GoalRating
    from plans.models import Goal, PlanAction


def open_placements(on: datetime.date | None = None) -> Q:
    """Placements open on ``on`` (today): started, and not ended. A placement's end date is the
    day the next one starts, so on that day its carers are no longer the current carers."""
    today = on or timezone.localdate()
    return Q(start_date__lte=today) & (Q(end_date__isnull=True) | Q(end_date__gt=today))


def current_carers(child: Child, on: datetime.date | None = None) -> QuerySet[RelatedPerson]:
    """The people in ``child``'s nest recorded as carers on one of their open placements."""
    placements = Placement.objects.filter(open_placements(on), child=child)
    return RelatedPerson.objects.filter(child=child, placements_caring__in=placements).distinct().order_by("name", "pk")


def is_current_carer(person: RelatedPerson, on: datetime.date | None = None) -> bool:
    return Placement.objects.filter(open_placements(on), child_id=person.child_id, carers=person).exists()


def support_consents(person: RelatedPerson, on: datetime.date | None = None) -> list[ConsentDecision]:
    """In-force consents naming ``person`` for support at home (purposes are a JSON list, not
    portably searchable in SQL: the few consents naming one person are filtered here)."""
    found = ConsentDecision.objects.in_force(on).filter(child_id=person.child_id, recipient_person=person)
    return [c for c in found if Purpose.SUPPORT_AT_HOME in c.purposes]


def reached_child_ids(user: User, on: datetime.date | None = None) -> list[int]:
    """The record (at most one) a carer's account reaches today under the rule above."""
    from myspace.models import SpaceAccount

    if user.role != Role.CARER or not user.is_active:
        return []
    today = on or timezone.localdate()
    accounts = SpaceAccount.objects.filter(
        user=user,
        revoked_at__isnull=True,
        related_person__isnull=False,
        related_person__child_id=F("child_id"),  # the person is in this young person's nest
        # A contact restriction recorded after the invitation ends the access too.
        related_person__contact_restricted=False,
        related_person__placements_caring__in=Placement.objects.filter(open_placements(today)),
    ).values_list("child_id", "related_person_id")
    ids: list[int] = []
    for child_id, person_id in accounts.distinct():
        consents = ConsentDecision.objects.in_force(today).filter(child_id=child_id, recipient_person_id=person_id)
        if any(Purpose.SUPPORT_AT_HOME in c.purposes for c in consents):
            ids.append(child_id)
    return ids


def through_carer_route(user: User, child: Child) -> RelatedPerson | None:
    """The carer's person in ``child``'s nest when ``user`` reaches ``child`` through the one
    scope by their own route ("carer", ``myspace.access.carer_record``) – not by any other
    part-reaching route – else None. What a carer may *write* (a goal rating, their feedback)
    asks this, so it ends with the access: a withdrawal, the placement's end, a revocation."""
    from myspace.access import carer_record
    from myspace.models import SpaceAccount

    route = carer_record(user)
    if route is None or not Child.objects.visible_to(user, include_shared=True).filter(route, pk=child.pk).exists():
        return None
    account = (
        SpaceAccount.objects.filter(user=user, child=child, revoked_at__isnull=True, related_person__isnull=False)
        .select_related("related_person")
        .first()
    )
    return account.related_person if account is not None else None


def may_rate_goals(user: User, child: Child) -> bool:
    """Whether a carer may rate ``child``'s goals (Goal Based Outcomes, rated by a carer):
    through their own route, and only while a consent for support at home shares the plan with
    them – the goals are the plan's, in the young person's words."""
    person = through_carer_route(user, child)
    return person is not None and shares_plan(person)


def carer_account(user: User) -> SpaceAccount | None:
    """The carer's account and the record it reaches through the scope, or None (any other
    user, a revoked account, a placement ended, a consent withdrawn)."""
    from myspace.models import SpaceAccount

    if user.role != Role.CARER:
        return None
    reached = Child.objects.visible_to(user, include_shared=True)
    return (
        SpaceAccount.objects.filter(user=user, revoked_at__isnull=True, child__in=reached)
        .select_related("child__service", "related_person")
        .first()
    )


def shares_plan(person: RelatedPerson) -> bool:
    """Whether a consent for support at home names the plan among what may be shared."""
    return any(Item.PLAN in c.items for c in support_consents(person))


def carer_actions(child: Child, person: RelatedPerson) -> list[PlanAction]:
    """The plan's actions for carers, when the consent shares the plan (goal words come only
    with the plan itself, so the action's text is all that is shown)."""
    from plans.models import ActionBy, PlanAction

    if not shares_plan(person):
        return []
    return list(
        PlanAction.objects.filter(plan__child=child, who=ActionBy.CARER, done_on__isnull=True).order_by("by_when", "pk")
    )


def carer_sessions(child: Child, person: RelatedPerson) -> list[Contact]:
    """Sessions and training booked for this carer (contacts naming them, still to come)."""
    from contacts.models import Attendance, Contact

    return list(
        Contact.objects.filter(child=child, people=person, attendance=Attendance.BOOKED, starts_at__gte=timezone.now())
        .select_related("practitioner")
        .order_by("starts_at", "pk")
    )


def help_now_url() -> str:
    """The space's help-now page (``myspace:help``: it reads no record, so a carer opens it too)."""
    from django.urls import reverse

    return reverse("myspace:help")


# --- The goals a carer rates ------------------------------------------------------------------


@dataclass(frozen=True)
class CarerGoal:
    goal: Goal
    #: This carer's own latest rating of the goal (their own words back), or None.
    mine: GoalRating | None
    #: The latest rating by anyone else (the young person, the practitioner with them, another
    #: carer) – only when outcomes' existing rule shares the scores with this user
    #: (``outcomes.models.children_sharing_scores``), which for a carer today it never does.
    latest_other: GoalRating | None = None


def goals_for_carer(user: User, child: Child) -> list[CarerGoal]:
    """The goals a carer may rate now (outcomes' rule: the plan's current goals, at most three),
    empty unless ``may_rate_goals``. Two queries for the ratings whatever their number."""
    from outcomes.models import GoalRating, children_sharing_scores
    from outcomes.services import goals_to_rate

    if not may_rate_goals(user, child):
        return []
    goals = goals_to_rate(child)
    scores_shared = children_sharing_scores(user).filter(pk=child.pk).exists()
    ratings = GoalRating.objects.filter(child=child, goal__in=goals).order_by("-rated_on", "-recorded_at", "-pk")
    if not scores_shared:
        # The young person's own ratings (and anyone else's) are theirs: the carer sees only
        # what they typed themselves.
        ratings = ratings.filter(recorded_by=user, rated_by=RatedBy.CARER)
    mine: dict[object, GoalRating] = {}
    other: dict[object, GoalRating] = {}
    for rating in ratings:
        own = rating.recorded_by_id == user.pk and rating.rated_by == RatedBy.CARER
        (mine if own else other).setdefault(rating.goal_id, rating)
    return [CarerGoal(goal=g, mine=mine.get(g.uuid), latest_other=other.get(g.uuid)) for g in goals]


def carer_goal_of(user: User, child: Child, goal_uuid: str) -> Goal | None:
    """One of the goals the carer may rate now, by its uuid, or None."""
    return next((item.goal for item in goals_for_carer(user, child) if str(item.goal.uuid) == goal_uuid), None)
