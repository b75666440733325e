"""What every indicator module of ``reporting.queries`` shares: the shapes of a figure, the
definition of an indicator and the few query helpers (see the package's docstring)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Count,
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils.functional import Promise

from reporting.filters import DIMENSIONS, Filters, age_band_expression
from reporting.periods import Period

#: Counts by category of one breakdown (internal: not suppressed). Every counted person or item is
#: in exactly one category ("" is "not recorded"), so a breakdown's counts add up to its total.
Counts = dict[str, int]

#: The dimensions of the young person every people-counting indicator can be broken down by.
PEOPLE_DIMENSIONS: tuple[str, ...] = tuple(DIMENSIONS)


@dataclass(frozen=True)
class Share:
    """A percentage to be: ``numerator`` of ``denominator`` people (suppressed by
    ``core.releases.share`` before a commissioner sees it)."""

    numerator: int
    denominator: int


@dataclass(frozen=True)
class Stat:
    """A mean, median or rate over ``people`` (suppressed by ``core.releases.statistic``)."""

    value: float | None
    people: int


#: An indicator's headline figures, keyed by a code labelled in ``Indicator.labels``: a count
#: (``int``), a percentage (``Share``) or a mean, median or rate (``Stat``).
Figures = dict[str, int | Share | Stat]


@dataclass(frozen=True)
class Indicator:
    """One of the service's measures: its definition in both languages and how it is computed.

    ``count(period, filters, by)`` returns a partition (``Counts``) by ``by``, one of
    ``dimensions`` (the first is the indicator's own category, e.g. a referral's route); a
    commissioner's release of the indicator is those breakdowns suppressed together.
    ``figures(period, filters)``, when given, returns the headline (totals, percentages, means,
    medians, rates). ``labels`` names the categories and figure codes for people."""

    code: str
    title: Promise
    numerator: Promise
    denominator: Promise
    period_rule: Promise
    count: Callable[[Period, Filters, str], Counts]
    dimensions: tuple[str, ...] = ()
    figures: Callable[[Period, Filters], Figures] | None = None
    labels: Mapping[str, Promise] = field(default_factory=dict)
    #: A description rather than evidence of effect (shown beside it), e.g. events before support.
    caveat: Promise | None = None


def caseload_children(user_id: int) -> QuerySet[Any]:
    """The young people on ``user_id``'s caseload now, as a subquery of ids (never returned to a
    page): their current care-team memberships, as ``dashboard.services.own_caseload`` defines
    the caseload. Membership of the care team is itself the practitioner's route to the record
    (``people.access``), so these are within their scope."""
    from people.models import CareTeamMembership

    return CareTeamMembership.objects.filter(
        user_id=user_id, ended_at__isnull=True, child__merged_into__isnull=True
    ).values("child_id")


def on(period: Period, field: str) -> Q:
    return Q(**{f"{field}__gte": period.start, f"{field}__lte": period.end})


def on_dates(period: Period, field: str) -> Q:
    """For a DateTimeField: the period's whole days, in the service's time zone."""
    return Q(**{f"{field}__date__gte": period.start, f"{field}__date__lte": period.end})


def group(rows: QuerySet[Any], field: str, *, distinct: str = "") -> Counts:
    """One query: the rows counted by ``field`` (an empty value is the category "")."""
    counter = Count(distinct, distinct=True) if distinct else Count("pk")
    out: Counts = {}
    for row in rows.order_by().values(field).annotate(n=counter):
        key = "" if row[field] is None else str(row[field])
        out[key] = out.get(key, 0) + row["n"]
    return out


def by_dimension(rows: QuerySet[Any], by: str, period: Period, child_prefix: str, *, distinct: str = "") -> Counts:
    """``rows`` counted by the dimension ``by``: one of ``DIMENSIONS`` (a field of the young
    person, reached by ``child_prefix``) or a field of the rows themselves."""
    if by == "age_band":
        rows = rows.annotate(_band=age_band_expression(period.end, f"{child_prefix}date_of_birth"))
        return group(rows, "_band", distinct=distinct)
    field = f"{child_prefix}{DIMENSIONS[by]}" if by in DIMENSIONS else by
    return group(rows, field, distinct=distinct)


def closed_on() -> Subquery:
    """An episode's closing date (its last "closed" event), as a subquery."""
    from episodes.models import EpisodeEvent

    last = EpisodeEvent.objects.filter(episode=OuterRef("pk"), kind="closed").order_by("-on", "-pk").values("on")[:1]
    return Subquery(last)


def episodes_in(period: Period, filters: Filters) -> QuerySet[Any]:
    """Episodes open at some time in the period: opened by its end, not closed before its start
    (annotated ``closed_on``)."""
    from episodes.models import Episode

    return (
        Episode.objects.annotate(closed_on=closed_on())
        .filter(opened_on__lte=period.end)
        .filter(~Q(status="closed") | Q(closed_on__gte=period.start))
        .filter(filters.child_q(period.end, "child__"))
    )


def support_days(episodes: QuerySet[Any], period: Period) -> int:
    """Days of support inside the period, summed over ``episodes`` (from ``episodes_in``), in
    the database; both ends inclusive."""
    start = Greatest(F("opened_on"), Value(period.start, output_field=DateField()))
    end = Least(
        Coalesce(F("closed_on"), Value(period.end, output_field=DateField())),
        Value(period.end, output_field=DateField()),
    )
    span = episodes.annotate(_span=ExpressionWrapper(end - start, output_field=DurationField()))
    figures = span.aggregate(days=Sum("_span"), episodes=Count("pk"))
    if not figures["episodes"]:
        return 0
    # Inclusive of both ends: one more day per episode.
    return int(figures["days"].days) + int(figures["episodes"])


def days_between(later: datetime.date, earlier: datetime.date) -> int:
    return (later - earlier).days
