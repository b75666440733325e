"""A young person's outcomes: first, latest, change and category per measure, and the CORC
category across measures. Reads only (the scope is the caller's: pass querysets already through
``visible_to``); a fixed number of queries however many measurements there are.

Only results recorded *at measurement points* of one episode count. Every figure says whether it
is per measure or across measures (the CORC category)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Q

from outcomes import scoring
from outcomes.models import Answer, AppliesTo, GoalRating, Instrument, Measurement, MeasurementPoint, ScoringMethod
from outcomes.scoring import ChangeCategory, CorcCategory

if TYPE_CHECKING:
    from accounts.models import User
    from episodes.models import Episode
    from people.models import Child


@dataclass
class MeasureRow:
    instrument: Instrument
    count: int
    first_on: datetime.date
    first: Decimal | str
    latest_on: datetime.date | None = None
    latest: Decimal | str | None = None
    change: Decimal | None = None
    category: ChangeCategory | None = None
    #: Why there is no category: "unpaired" (one result only) or "not_configured".
    no_category: str = ""
    #: Scores-only measures: (subscale name, score) as entered, beside the first and latest total.
    first_subscales: list[tuple[str, int]] = field(default_factory=list)
    latest_subscales: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class GoalRow:
    text: str
    #: (date, rating, at a measurement point, who rated it – "A carer"…), oldest first.
    ratings: list[tuple[datetime.date, int, bool, str]]
    first: int | None
    latest: int | None
    change: int | None
    category: ChangeCategory | None = None
    #: The plan goal's stable ``uuid`` (what the ratings attach to): pages that list the plan's
    #: goals find each goal's row by it.
    goal_id: object = None


@dataclass
class Summary:
    rows: list[MeasureRow] = field(default_factory=list)
    goals: list[GoalRow] = field(default_factory=list)
    gbo_mean: Decimal | None = None
    gbo_category: ChangeCategory | None = None
    gbo_instrument: Instrument | None = None
    corc: CorcCategory | None = None
    paired: int = 0
    unpaired: int = 0


def _value(m: Measurement) -> Decimal | str:
    if m.instrument.scoring == ScoringMethod.QUESTION:
        return str(Answer(m.answer).label)
    return m.score if m.score is not None else ""


def _subscales(m: Measurement) -> list[tuple[str, int]]:
    """The subscales entered, in the instrument's order, named in the page's language."""
    entered = m.subscales or {}
    return [(s["name"], entered[s["code"]]) for s in m.instrument.subscale_list() if s["code"] in entered]


def summarise(measurements: list[Measurement], ratings: list[GoalRating], gbo: Instrument | None) -> Summary:
    """Build the summary from one episode's measurements (with ``instrument``) and goal ratings
    (with ``goal``), each in date order."""
    summary = Summary(gbo_instrument=gbo)
    categories: list[ChangeCategory] = []
    by_instrument: dict[int, list[Measurement]] = defaultdict(list)
    for m in sorted(measurements, key=lambda m: (m.instrument.order, m.taken_on, m.pk)):
        by_instrument[m.instrument_id].append(m)
    for results in by_instrument.values():
        first, latest = results[0], results[-1]
        row = MeasureRow(
            instrument=first.instrument, count=len(results), first_on=first.taken_on, first=_value(first),
            first_subscales=_subscales(first),
        )  # fmt: skip
        if len(results) < 2:
            row.no_category = "unpaired"
            summary.unpaired += 1
        else:
            row.latest_on, row.latest = latest.taken_on, _value(latest)
            row.latest_subscales = _subscales(latest)
            summary.paired += 1
            first_score, latest_score = first.score, latest.score
            if (
                first.instrument.scoring != ScoringMethod.QUESTION
                and first_score is not None
                and latest_score is not None
            ):
                row.change = latest_score - first_score
                rule = first.instrument.change_rule()
                if rule is None:
                    row.no_category = "not_configured"
                else:
                    row.category = scoring.change_category(first=first_score, latest=latest_score, rule=rule)
                    categories.append(row.category)
        summary.rows.append(row)
    if ratings:
        by_goal: dict[object, list[GoalRating]] = defaultdict(list)
        for r in ratings:
            by_goal[r.goal_id].append(r)
        rule = gbo.change_rule() if gbo is not None else None
        per_goal = {
            goal_id: [scoring.GoalRating(on=r.rated_on, value=r.value, at_point=r.point_id is not None) for r in rs]
            for goal_id, rs in by_goal.items()
        }
        goal_categories = []
        for goal_id, rs in by_goal.items():
            change = scoring.goal_change(per_goal[goal_id])
            goal_row = GoalRow(
                goal_id=goal_id, text=rs[0].goal.text, ratings=[(r.rated_on, r.value, r.point_id is not None, r.get_rated_by_display()) for r in rs],
                first=change.first if change else None, latest=change.latest if change else None,
                change=change.change if change else None,
            )  # fmt: skip
            if change and rule is not None and gbo is not None and gbo.rc_applies_to == AppliesTo.PER_GOAL:
                goal_row.category = scoring.change_category(
                    first=Decimal(change.first), latest=Decimal(change.latest), rule=rule
                )
                goal_categories.append(goal_row.category)
            summary.goals.append(goal_row)
        summary.gbo_mean = scoring.episode_gbo_change(per_goal)
        if summary.gbo_mean is not None:
            summary.paired += 1
            if rule is not None and gbo is not None and gbo.rc_applies_to != AppliesTo.PER_GOAL:
                # The threshold applies to the mean change: compare the mean with zero.
                summary.gbo_category = scoring.change_category(first=Decimal(0), latest=summary.gbo_mean, rule=rule)
            elif goal_categories:
                corc = scoring.corc_category(goal_categories)
                summary.gbo_category = (
                    {
                        CorcCategory.RELIABLE_IMPROVEMENT: ChangeCategory.RELIABLE_IMPROVEMENT,
                        CorcCategory.RELIABLE_DETERIORATION: ChangeCategory.RELIABLE_DETERIORATION,
                    }.get(corc, ChangeCategory.NO_RELIABLE_CHANGE)
                    if corc is not None
                    else ChangeCategory.NO_RELIABLE_CHANGE
                )
            if summary.gbo_category is not None:
                categories.append(summary.gbo_category)
        else:
            summary.unpaired += 1
    summary.corc = scoring.corc_category(categories)
    return summary


def latest_episode(user: User, child: Child, *, shared: bool = False) -> Episode | None:
    """The young person's latest episode of support. A reader of the whole record finds it
    through the episodes' own scope; a partner the scores are shared with (``shared``) does not
    see the episodes, only the scores, so the episode is the one their latest measurement
    point belongs to (an episode with no point has no scores to show them)."""
    from episodes.models import Episode

    if not shared:
        return Episode.objects.visible_to(user).filter(child=child).order_by("-opened_on", "-pk").first()
    point = (
        MeasurementPoint.objects.visible_to(user, include_shared=True)
        .filter(child=child)
        .select_related("episode")
        .order_by("-episode__opened_on", "-episode_id")
        .first()
    )
    return point.episode if point is not None else None


def results_for(
    user: User, child: Child, episode: Episode, *, shared: bool = False
) -> tuple[list[Measurement], list[GoalRating]]:
    """``child``'s results in ``episode`` as ``user`` may see them (``shared``: also the scores a
    consent shares with them): the results at the episode's points, and GBO ratings since it
    opened, with their points (the charts label each reading). Two queries."""
    measurements = list(
        Measurement.objects.visible_to(user, include_shared=shared)
        .filter(child=child, point__episode=episode)
        .select_related("instrument", "point")
    )
    ratings = list(
        GoalRating.objects.visible_to(user, include_shared=shared)
        .filter(child=child)
        .filter(Q(point__episode=episode) | Q(point__isnull=True, rated_on__gte=episode.opened_on))
        .select_related("goal", "point")
        .order_by("rated_on", "pk")
    )
    return measurements, ratings


def for_child(user: User, child: Child, episode: Episode | None, *, shared: bool = False) -> Summary | None:
    """The summary of ``child``'s ``episode`` as ``user`` may see it (``shared``: also the scores
    a consent shares with them), in three queries whatever the number of results; None without
    an episode."""
    if episode is None:
        return None
    measurements, ratings = results_for(user, child, episode, shared=shared)
    return summarise(measurements, ratings, Instrument.objects.filter(code="gbo").first())
