"""Measurement schedules: the points each episode gets without anyone pressing a button, and
which points are due or overdue.

- **start**: when an episode opens, due on the opening day (``ensure_start_point``);
- **review** at every plan review, due on the review's date, unless a review point is already
  waiting or done within ``NYTH_OUTCOMES_REVIEW_MERGE_DAYS`` of it (``ensure_review_point``);
- **review** at an interval: when no point of an open episode is waiting, the next is due
  ``NYTH_OUTCOMES_REVIEW_INTERVAL_DAYS`` after the last point's due date
  (``ensure_interval_review``: called when a point is recorded or marked not done, and swept
  daily by ``manage.py schedule_outcome_reviews``);
- **end**: when an episode closes, due on the closing day (``ensure_end_point``), and still
  recordable after the close (``is_recordable``, the one rule).

Every function here is idempotent (calling it twice creates one point) and audited with the
route: ``people.access.audit_route`` for a person's change, ``Route.SYSTEM`` for the daily sweep.
The callers (``episodes.services``, ``plans.services``, ``outcomes.services``) have already
checked that the person may change the record; these functions do not check again, so the
sweep (no person) can call them too.
"""

from __future__ import annotations

import datetime
import enum
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from audit.models import Action, Route
from audit.services import record
from episodes.models import Episode, EpisodeStatus
from outcomes.models import MeasurementPoint, PointKind, PointStatus
from people.access import audit_route

if TYPE_CHECKING:
    from accounts.models import User
    from people.models import Child
    from plans.models import PlanReview


# --- Settings, typed -------------------------------------------------------------------------


def review_interval_days() -> int:
    return int(settings.NYTH_OUTCOMES_REVIEW_INTERVAL_DAYS)


def review_merge_days() -> int:
    return int(settings.NYTH_OUTCOMES_REVIEW_MERGE_DAYS)


def due_window_days() -> int:
    return int(settings.NYTH_OUTCOMES_DUE_WINDOW_DAYS)


# --- Which points wait, and which are due or overdue -------------------------------------------


def recordable_q(prefix: str = "") -> Q:
    """Points that may still be recorded or marked not done: still due, and either their
    episode is current or they are its end point (measured at or just after the close).
    ``prefix`` is the path to the point (``"measurement_points__"`` from a child)."""
    return Q(**{f"{prefix}status": PointStatus.DUE}) & (
        ~Q(**{f"{prefix}episode__status": EpisodeStatus.CLOSED}) | Q(**{f"{prefix}kind": PointKind.END})
    )


def is_recordable(point: MeasurementPoint) -> bool:
    """The one rule for writing at a point (the Python twin of ``recordable_q``)."""
    return point.status == PointStatus.DUE and (point.episode.is_current or point.kind == PointKind.END)


def require_recordable(point: MeasurementPoint) -> None:
    if point.status != PointStatus.DUE:
        raise ValidationError({NON_FIELD_ERRORS: _("This measurement point has already been recorded")})
    if not is_recordable(point):
        raise ValidationError({NON_FIELD_ERRORS: _("Support has ended: only the end measures can still be recorded")})


class DueState(enum.StrEnum):
    DUE = "due"
    OVERDUE = "overdue"


def due_state(due_on: datetime.date | None, *, today: datetime.date) -> DueState | None:
    """For a point that is still waiting: overdue once its date has passed, due from
    ``NYTH_OUTCOMES_DUE_WINDOW_DAYS`` before it (and on the day), else nothing to show yet."""
    if due_on is None:
        return None
    if due_on < today:
        return DueState.OVERDUE
    if due_on <= today + datetime.timedelta(days=due_window_days()):
        return DueState.DUE
    return None


def showing_until(today: datetime.date) -> datetime.date:
    """The last due date shown as due today."""
    return today + datetime.timedelta(days=due_window_days())


def waiting_points(points: QuerySet[MeasurementPoint], *, today: datetime.date) -> QuerySet[MeasurementPoint]:
    """The due and overdue points among ``points`` (already scoped by the caller), soonest first."""
    return points.filter(recordable_q(), due_on__lte=showing_until(today)).order_by("due_on", "pk")


def overdue_points(points: QuerySet[MeasurementPoint], *, today: datetime.date) -> QuerySet[MeasurementPoint]:
    """The overdue points among ``points`` (already scoped by the caller): waiting, date passed."""
    return points.filter(recordable_q(), due_on__lt=today)


def service_overdue(user: User, *, today: datetime.date) -> QuerySet[MeasurementPoint]:
    """The overdue points of the young people held by the manager's service, through the one
    scope (``visible_to``), longest overdue first."""
    return (
        overdue_points(MeasurementPoint.objects.visible_to(user), today=today)
        .filter(child__service_id=user.organisation_id, child__merged_into__isnull=True)
        .order_by("due_on", "pk")
    )


def with_next_measure(children: QuerySet[Child], *, today: datetime.date) -> QuerySet[Child]:
    """Annotate each young person with their soonest due or overdue point, in the same query:
    ``measure_due_on`` (None when nothing is due) and ``measure_point_id`` (its entry page).

    Correlated subqueries on the point's (child, due date) rather than ``Min`` over a join: a
    join beside the caseload's contacts would multiply every contact by every point."""
    soonest = waiting_points(MeasurementPoint.objects.filter(child=OuterRef("pk")), today=today)
    return children.annotate(
        measure_due_on=Subquery(soonest.values("due_on")[:1]),
        measure_point_id=Subquery(soonest.values("pk")[:1]),
    )


# --- Creating points ------------------------------------------------------------------------


def _route(by: User | None, episode: Episode) -> str:
    """The route a scheduling write took: the person's own route to the young person, or the
    system (the daily sweep, which acts for nobody)."""
    return audit_route(by, episode.child_id) if by is not None else Route.SYSTEM


def _create(*, by: User | None, episode: Episode, kind: str, due_on: datetime.date, why: str) -> MeasurementPoint:
    point = MeasurementPoint.objects.create(child_id=episode.child_id, episode=episode, kind=kind, due_on=due_on)
    record(
        actor=by,
        action=Action.CREATE,
        obj=point,
        child_id=episode.child_id,
        route=_route(by, episode),
        detail={"kind": kind, "due_on": due_on.isoformat(), "scheduled": why},
    )
    return point


def _one_per_episode(
    *, by: User | None, episode: Episode, kind: str, due_on: datetime.date, why: str
) -> tuple[MeasurementPoint, bool]:
    existing = MeasurementPoint.objects.filter(episode=episode, kind=kind).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return _create(by=by, episode=episode, kind=kind, due_on=due_on, why=why), True
    except IntegrityError:  # created by a concurrent request (one_start_and_end_per_episode)
        return MeasurementPoint.objects.get(episode=episode, kind=kind), False


@transaction.atomic
def ensure_start_point(*, by: User | None, episode: Episode) -> tuple[MeasurementPoint, bool]:
    """The start point, due on the day support opens (the first session may not be booked yet;
    the opening day is known and comes at or before it)."""
    return _one_per_episode(by=by, episode=episode, kind=PointKind.START, due_on=episode.opened_on, why="opened")


@transaction.atomic
def ensure_end_point(*, by: User | None, episode: Episode, on: datetime.date) -> tuple[MeasurementPoint, bool]:
    """The end point, due on the closing day. An end point still waiting (scheduled by hand, or
    left from an earlier close) moves to this closing day; one already recorded stays as it is."""
    point, created = _one_per_episode(by=by, episode=episode, kind=PointKind.END, due_on=on, why="closed")
    if not created and point.status == PointStatus.DUE and point.due_on != on:
        point.due_on = on
        point.save(update_fields=["due_on"])
        record(
            actor=by,
            action=Action.UPDATE,
            obj=point,
            child_id=episode.child_id,
            route=_route(by, episode),
            detail={"kind": PointKind.END, "due_on": on.isoformat(), "scheduled": "closed"},
        )
    return point, created


@transaction.atomic
def withdraw_end_point(*, by: User, episode: Episode) -> bool:
    """Re-opening support: an end point still waiting (nothing was recorded at it) is removed,
    so the young person is not shown as overdue for an end that has not come. Returns whether
    one was removed."""
    point = MeasurementPoint.objects.filter(episode=episode, kind=PointKind.END, status=PointStatus.DUE).first()
    if point is None:
        return False
    record(
        actor=by,
        action=Action.DELETE,
        obj=point,
        child_id=episode.child_id,
        route=audit_route(by, episode.child_id),
        detail={"kind": PointKind.END, "due_on": point.due_on.isoformat(), "reason": "reopened"},
    )
    point.delete()
    return True


@transaction.atomic
def ensure_review_point(*, by: User, review: PlanReview) -> tuple[MeasurementPoint | None, bool]:
    """A review point due on the plan review's date, for the young person's current episode
    (none when support is not current or the review is from before it). No new point when a
    review point is already waiting or done within ``NYTH_OUTCOMES_REVIEW_MERGE_DAYS`` of the
    review: that one is the review's measurement (returned, with False)."""
    episode = (
        Episode.objects.filter(child_id=review.plan.child_id)
        .exclude(status=EpisodeStatus.CLOSED)
        .order_by("-opened_on", "-pk")
        .first()
    )
    if episode is None or review.held_on < episode.opened_on:
        return None, False
    near = datetime.timedelta(days=review_merge_days())
    existing = (
        MeasurementPoint.objects.filter(
            episode=episode,
            kind=PointKind.REVIEW,
            status__in=(PointStatus.DUE, PointStatus.DONE),
            due_on__range=(review.held_on - near, review.held_on + near),
        )
        .order_by("due_on", "pk")
        .first()
    )
    if existing is not None:
        return existing, False
    return _create(by=by, episode=episode, kind=PointKind.REVIEW, due_on=review.held_on, why="plan_review"), True


def interval_due_on(last_due_on: datetime.date) -> datetime.date:
    return last_due_on + datetime.timedelta(days=review_interval_days())


@transaction.atomic
def ensure_interval_review(*, by: User | None, episode: Episode) -> MeasurementPoint | None:
    """When an open episode has points and none is waiting, add the next review, due
    ``NYTH_OUTCOMES_REVIEW_INTERVAL_DAYS`` after the last point's due date. Returns the point
    created, or None (nothing needed). A paused or closed episode gets none."""
    locked = Episode.objects.select_for_update().filter(pk=episode.pk, status=EpisodeStatus.OPEN).first()
    if locked is None:
        return None
    points = MeasurementPoint.objects.filter(episode=locked)
    if points.filter(status=PointStatus.DUE).exists():
        return None
    last = points.order_by("-due_on", "-pk").values_list("due_on", flat=True).first()
    if last is None:
        return None
    return _create(by=by, episode=locked, kind=PointKind.REVIEW, due_on=interval_due_on(last), why="interval")


def schedule_interval_reviews() -> int:
    """The daily sweep (``manage.py schedule_outcome_reviews``): every open episode with points
    and none waiting gets its next interval review. Idempotent; returns how many were added.
    Each episode in its own transaction, so one failure leaves the others done."""
    episodes = (
        Episode.objects.filter(status=EpisodeStatus.OPEN, measurement_points__isnull=False)
        .exclude(measurement_points__status=PointStatus.DUE)
        .distinct()
        .order_by("pk")
    )
    added = 0
    for episode in episodes.iterator():
        if ensure_interval_review(by=None, episode=episode) is not None:
            added += 1
    return added
