"""Placement stability (moves per young person per year, before vs during support) and
significant events in the year before support (only where recording was complete).

**A move** is a ``people.Placement`` already recorded whose start is a change of placement: every
placement a young person starts except the earliest one recorded for them (that one is where they
were when first recorded – its start is not known to be a move from somewhere). Significant events
of kind "placement breakdown or unplanned move" are **never added** to moves: a breakdown names
the placement that ended (``SignificantEvent.placement``) and the move itself is the next
placement's start, so counting both would count one move twice. (Those events still count as
significant events in the events indicators, where they are one kind among others.)

**During support**: moves starting on a day in the period while the young person had an episode
open, per young person-year of support in the period (``_common.support_days`` ÷ 365.25).
**Before support**: for young people whose episode opened in the period, moves starting in the
365 days before the day it opened, per young person (so per young person-year too).
Day differences are durations computed in the database, as in ``timeliness``.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.db.models import Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from reporting.filters import Filters
from reporting.periods import Period
from reporting.queries._common import (
    PEOPLE_DIMENSIONS,
    Counts,
    Figures,
    Indicator,
    Stat,
    by_dimension,
    by_dimensions,
    dimension_field,
    episodes_in,
    group,
    memoised,
    on,
    support_days,
)

YEAR = datetime.timedelta(days=365)
NONE = datetime.timedelta(0)
DAYS_PER_YEAR = 365.25


def _moves() -> QuerySet[Any]:
    """Placements that are moves: not the young person's earliest recorded placement."""
    from people.models import Placement

    earlier = Placement.objects.filter(child=OuterRef("child")).filter(
        Q(start_date__lt=OuterRef("start_date")) | Q(start_date=OuterRef("start_date"), pk__lt=OuterRef("pk"))
    )
    return Placement.objects.filter(Exists(earlier))


def _opened_in(period: Period, filters: Filters) -> QuerySet[Any]:
    return episodes_in(period, filters).filter(on(period, "opened_on"))


def _before(episodes: QuerySet[Any], field: str) -> Exists:
    """An episode of ``episodes`` of the same young person opened within 365 days after the outer
    row's ``field`` (a date): the row is in the year before that support."""
    gap = ExpressionWrapper(F("opened_on") - OuterRef(field), output_field=DurationField())
    return Exists(episodes.filter(child=OuterRef("child")).alias(_gap=gap).filter(_gap__gt=NONE, _gap__lte=YEAR))


def _moves_during(period: Period, filters: Filters) -> QuerySet[Any]:
    episodes = episodes_in(period, filters)
    inside = episodes.filter(child=OuterRef("child"), opened_on__lte=OuterRef("start_date")).filter(
        ~Q(status="closed") | Q(closed_on__gte=OuterRef("start_date"))
    )
    return _moves().filter(on(period, "start_date")).filter(Exists(inside))


def _moves_before(period: Period, filters: Filters) -> QuerySet[Any]:
    return _moves().filter(_before(_opened_in(period, filters), "start_date"))


def moves_during_support(period: Period, filters: Filters, by: str = "type") -> Counts:
    """Moves during support in the period, by the type of the placement moved to or a
    dimension of the young person."""
    rows = _moves_during(period, filters)
    if by == "type":
        return group(rows, "type")
    return by_dimension(rows, by, period, "child__")


def moves_during_support_many(period: Period, filters: Filters, dims: Sequence[str]) -> dict[str, Counts]:
    """``moves_during_support`` by each of ``dims``, from one query."""
    fields = {d: "type" if d == "type" else dimension_field(d, "child__") if d != "age_band" else "" for d in dims}
    return by_dimensions(_moves_during(period, filters), fields, period, age_from="child__date_of_birth")


def stability_figures(period: Period, filters: Filters) -> Figures:
    """Moves during support per young person-year of support, and moves in the year before
    support per young person who started support in the period (four aggregate queries)."""
    episodes = episodes_in(period, filters)
    during = _moves_during(period, filters).count()
    supported = episodes.aggregate(n=Count("child_id", distinct=True))["n"]
    years = support_days(episodes, period) / DAYS_PER_YEAR
    before = _moves_before(period, filters).count()
    started = _opened_in(period, filters).aggregate(n=Count("child_id", distinct=True))["n"]
    return {
        "moves_during": during,
        "during_per_young_person_year": Stat(during / years if years else None, supported),
        "moves_before": before,
        "before_per_young_person": Stat(before / started if started else None, started),
    }


# --- Significant events in the year before support ---------------------------------------------


@memoised
def events_before_support(period: Period, filters: Filters) -> tuple[Counts, int, int]:
    """For young people whose support opened in the period and whose event recording covered the
    whole of the 365 days before (``events.services.complete_for`` over their recording periods):
    their significant events (not removed) in those days, by kind; how many such young people;
    and how many others started support in the period but are left out (recording incomplete).

    Coverage is a union of date ranges, decided by the one rule in ``complete_for``: two queries
    fetch the opening dates and the recording periods (dates only), the rule runs over those few
    rows per young person, then one grouped query counts the events. Three queries, whatever the
    data size, and once per report (``memoised``: the breakdown by kind and the headline both need
    it; at national scale the events' query is the indicator's cost, bench/report.py); what is
    returned is counts only."""
    from events.models import RecordingPeriod, SignificantEvent
    from events.services import complete_for

    started = _opened_in(period, filters)
    opened: dict[int, list[datetime.date]] = {}
    for child_id, opened_on in started.order_by().values_list("child_id", "opened_on"):
        opened.setdefault(child_id, []).append(opened_on)
    periods: dict[int, list[RecordingPeriod]] = {}
    for rp in RecordingPeriod.objects.filter(child__in=started.values("child_id")).only(
        "child_id", "starts_on", "ends_on"
    ):
        periods.setdefault(rp.child_id, []).append(rp)
    complete = {
        child_id
        for child_id, days in opened.items()
        if all(complete_for(periods.get(child_id, []), day - YEAR, day - datetime.timedelta(days=1)) for day in days)
    }
    events = SignificantEvent.objects.filter(removed_at__isnull=True).filter(_before(started, "occurred_on"))
    counts: Counts = {}
    for row in events.order_by().values("child_id", "kind").annotate(n=Count("pk")):
        if row["child_id"] in complete:
            counts[row["kind"]] = counts.get(row["kind"], 0) + row["n"]
    return counts, len(complete), len(opened) - len(complete)


def _events_before_by_kind(period: Period, filters: Filters, by: str = "kind") -> Counts:
    return events_before_support(period, filters)[0]


def _events_before_figures(period: Period, filters: Filters) -> Figures:
    counts, people, incomplete = events_before_support(period, filters)
    events = sum(counts.values())
    # Each young person counted contributes one year (the 365 days before their support).
    return {
        "events": events,
        "young_people": people,
        "not_counted": incomplete,
        "per_young_person_year": Stat(events / people if people else None, people),
    }


INDICATORS: list[Indicator] = [
    Indicator(
        "placement_stability",
        _("Placement stability"),
        _(
            "Placement moves: a new placement starting (not the first one recorded). During support: moves while support was open; before support: moves in the year before it started. Placement breakdown events are not counted again."
        ),
        _(
            "During support: young person-years of support in the period. Before support: young people whose support started in the period (one year each)."
        ),
        _(
            "During: the move on a day in the period while support was open. Before: support started in the period, the move in the 365 days before it started."
        ),
        moves_during_support,
        dimensions=("type", *PEOPLE_DIMENSIONS),
        count_many=moves_during_support_many,
        figures=stability_figures,
        labels={
            "moves_during": _("Moves during support"),
            "during_per_young_person_year": _("Moves per young person-year during support"),
            "moves_before": _("Moves in the year before support"),
            "before_per_young_person": _("Moves per young person in the year before support"),
        },
    ),
    Indicator(
        "significant_events_before_support",
        _("Significant events in the year before support"),
        _(
            "Significant events in the 365 days before support started, only for young people whose events were recorded completely over that year."
        ),
        _("Young person-years: one for each young person counted."),
        _("Support started on a day in the period; the events in the 365 days before it started."),
        _events_before_by_kind,
        dimensions=("kind",),
        figures=_events_before_figures,
        labels={
            "events": _("Significant events"),
            "young_people": _("Young people with complete recording"),
            "not_counted": _("Young people not counted: recording incomplete"),
            "per_young_person_year": _("Events per young person-year before support"),
        },
        caveat=_(
            "A description, not evidence of effect: young people are often referred at a peak, so fewer events later may happen anyway."
        ),
    ),
]
