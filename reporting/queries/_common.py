"""What every indicator module of ``reporting.queries`` shares: the shapes of a figure, the
definition of an indicator and the few query helpers (see the package's docstring)."""

from __future__ import annotations

import copy
import datetime
import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db.models import (
    Case,
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
    When,
)
from django.db.models.functions import Greatest, Least
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
    #: Headline figures named from reference data rather than ``labels``: a prefix of the
    #: figure's code → (the dimension the rest of the code is a category of, a message naming it
    #: by that dimension, e.g. ``"Mean level: %(domain)s"``). ``reporting.labels`` reads the
    #: names with the page's categories, in one query per kind of name.
    named_figures: Mapping[str, tuple[str, Promise]] = field(default_factory=dict)
    #: A description rather than evidence of effect (shown beside it), e.g. events before support.
    caveat: Promise | None = None
    #: False for an indicator that counts no people (the services' own self-assessment): small
    #: numbers of statements identify nobody, so its releases are not suppressed.
    about_people: bool = True
    #: Optional: every breakdown asked for from one query (``count_many(period, filters, dims)``,
    #: the same partitions as ``count`` for each); ``breakdowns`` uses it when given.
    count_many: Callable[[Period, Filters, Sequence[str]], dict[str, Counts]] | None = None
    #: Optional: a region's two-way table local authority × own category from one query
    #: (``{(authority id, category): n}``); ``queries.release`` otherwise counts each authority.
    count_by_authority: Callable[[Period, Filters], dict[tuple[str, str], int]] | None = None

    def breakdowns(self, period: Period, filters: Filters, dimensions: Sequence[str]) -> dict[str, Counts]:
        """The breakdowns ``dimensions``: from ``count_many`` when the indicator has it (one
        query at national scale instead of one a breakdown: bench/report.py), else ``count`` each."""
        if self.count_many is not None and len(dimensions) > 1:
            return self.count_many(period, filters, dimensions)
        return {d: self.count(period, filters, d) for d in dimensions}


T = TypeVar("T")

#: While a report is computed (``one_report``): results of ``memoised`` functions by arguments.
_memo: ContextVar[dict[tuple[Any, ...], Any] | None] = ContextVar("reporting_memo", default=None)


@contextmanager
def one_report() -> Iterator[None]:
    """Within one report the same figure for the same period and filters is computed once: an
    indicator's breakdown and its headline may need the same rows (significant events by kind are
    both; at national scale that query is the report's heaviest, bench/report.py). Outside a
    report nothing is kept, so no figure outlives the report that asked for it."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def memoised(function: Callable[..., T]) -> Callable[..., T]:
    """``function(period, filters, …)`` computed once per report (``one_report``); each caller
    gets its own copy (callers add to the counts they are given)."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        memo = _memo.get()
        if memo is None:
            return function(*args, **kwargs)
        key = (function.__module__, function.__qualname__, args, tuple(sorted(kwargs.items())))
        if key not in memo:
            memo[key] = function(*args, **kwargs)
        return copy.deepcopy(memo[key])

    return wrapper


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


def dimension_field(by: str, child_prefix: str) -> str:
    """The field (path) of the dimension ``by``: one of ``DIMENSIONS`` (a field of the young
    person, reached by ``child_prefix``) or a field of the rows themselves (not for age bands)."""
    return f"{child_prefix}{DIMENSIONS[by]}" if by in DIMENSIONS else by


def by_dimensions(
    rows: QuerySet[Any], fields: Mapping[str, str], period: Period, *, age_from: str = "", distinct: str = ""
) -> dict[str, Counts]:
    """Several breakdowns from one query: ``rows`` grouped by all the ``fields`` (dimension ->
    field path) at once, the groups then summed per dimension. The same partitions as one
    ``group`` each, because every row has one value of each field; with ``distinct`` (a young
    person's id) because a young person's dimensions are the same on all their rows, so they are
    in one group only. ``age_band`` is computed from the date of birth ``age_from``. The groups
    are at most the rows counted (a few thousand for a region's quarter), summed in Python."""
    if "age_band" in fields:
        rows = rows.annotate(_band=age_band_expression(period.end, age_from))
    paths = {d: ("_band" if d == "age_band" else f) for d, f in fields.items()}
    columns = sorted(set(paths.values()))
    counter = Count(distinct, distinct=True) if distinct else Count("pk")
    out: dict[str, Counts] = {d: {} for d in fields}
    for row in rows.order_by().values(*columns).annotate(_n=counter):
        for dimension, path in paths.items():
            key = "" if row[path] is None else str(row[path])
            counts = out[dimension]
            counts[key] = counts.get(key, 0) + row["_n"]
    return out


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
    return support_days_and_people(episodes, period)[0]


def support_days_and_people(episodes: QuerySet[Any], period: Period) -> tuple[int, int]:
    """``support_days`` and the young people they are of (each once), from one query. Support
    ends at the closing date only while the episode is closed: one re-opened keeps its last
    "closed" event but is open again (to the period's end)."""
    start = Greatest(F("opened_on"), Value(period.start, output_field=DateField()))
    last_day = Value(period.end, output_field=DateField())
    end = Least(Case(When(status="closed", then=F("closed_on")), default=last_day, output_field=DateField()), last_day)
    span = episodes.annotate(_span=ExpressionWrapper(end - start, output_field=DurationField()))
    figures = span.aggregate(days=Sum("_span"), episodes=Count("pk"), people=Count("child_id", distinct=True))
    if not figures["episodes"]:
        return 0, 0
    # Inclusive of both ends: one more day per episode.
    return int(figures["days"].days) + int(figures["episodes"]), int(figures["people"])


def days_between(later: datetime.date, earlier: datetime.date) -> int:
    return (later - earlier).days
