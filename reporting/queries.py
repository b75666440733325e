"""The one reviewed door for aggregates (issue 15): every figure a report shows is computed here,
in the database – one aggregate query per figure or breakdown, never a loop over records.

These functions read whole tables *on purpose*, without ``visible_to``: a report is about the
service, not about a person, and commissioners have no record scope at all. That is why this
module is allow-listed in the scoping lint and why it never returns a record, a name or an id of
a young person: only counts by category. What leaves it for a commissioner goes through
``release``, whose result is a suppressed ``core.releases.Release`` – the only type the
commissioner-facing pages accept (safe small numbers, ADR 021).

Each indicator has a definition (numerator, denominator, period rule) in ``INDICATORS``, shown
beside it in both languages and written out in ``docs/indicators.md``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Count,
    DateField,
    DurationField,
    Exists,
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
from django.utils.translation import gettext_lazy as _

from core.releases import Breakdown, Release, suppress_release
from reporting.filters import DIMENSIONS, Filters, age_band_expression
from reporting.periods import Period

#: Counts by category of one breakdown (internal: not suppressed).
Counts = dict[str, int]


def _on(period: Period, field: str) -> Q:
    return Q(**{f"{field}__gte": period.start, f"{field}__lte": period.end})


def _on_dates(period: Period, field: str) -> Q:
    """For a DateTimeField: the period's whole days, in the service's time zone."""
    return Q(**{f"{field}__date__gte": period.start, f"{field}__date__lte": period.end})


def _group(rows: QuerySet[Any], field: str, *, distinct: str = "") -> Counts:
    """One query: the rows counted by ``field`` (an empty value is the category "")."""
    counter = Count(distinct, distinct=True) if distinct else Count("pk")
    out: Counts = {}
    for row in rows.order_by().values(field).annotate(n=counter):
        key = "" if row[field] is None else str(row[field])
        out[key] = out.get(key, 0) + row["n"]
    return out


def _by(rows: QuerySet[Any], by: str, period: Period, child_prefix: str, *, distinct: str = "") -> Counts:
    """``rows`` counted by the dimension ``by``: one of ``DIMENSIONS`` (a field of the young
    person, reached by ``child_prefix``) or a field of the rows themselves."""
    if by == "age_band":
        rows = rows.annotate(_band=age_band_expression(period.end, f"{child_prefix}date_of_birth"))
        return _group(rows, "_band", distinct=distinct)
    field = f"{child_prefix}{DIMENSIONS[by]}" if by in DIMENSIONS else by
    return _group(rows, field, distinct=distinct)


# --- Referrals -------------------------------------------------------------------------------


def _referral_q(filters: Filters, on: datetime.date) -> Q:
    """Referrals carry their own legal status, authority, language and date of birth (many are
    not linked to a record yet); gender and ethnicity come from the linked record."""
    q = Filters(
        service_id=filters.service_id,
        region_id=filters.region_id,
        local_authority_id=filters.local_authority_id,
        age_band=filters.age_band,
        legal_status=filters.legal_status,
        language=filters.language,
    ).child_q(on)
    if filters.gender:
        q &= Q(child__gender=filters.gender)
    if filters.ethnicity:
        q &= Q(child__ethnicity=filters.ethnicity)
    return q


def referrals_received(period: Period, filters: Filters, by: str = "route") -> Counts:
    """Referrals received in the period, by route, referrer type or a dimension."""
    from referrals.models import Referral

    rows = Referral.objects.filter(_on_dates(period, "received_at")).filter(_referral_q(filters, period.end))
    if by in ("route", "referrer_type"):
        return _group(rows, by)
    return _by(rows, by, period, "")


def referral_decisions(period: Period, filters: Filters, by: str = "outcome") -> Counts:
    """Decisions made in the period, by outcome (accepted / consultation / warm handover) or, for
    warm handovers, by where to (``by="directory_service"``: the directory entry's id)."""
    from referrals.models import Decision

    rows = Decision.objects.filter(_on_dates(period, "decided_at"), referral__in=_referrals_matching(filters, period))
    if by == "directory_service":
        return _group(rows.filter(outcome="redirected"), "directory_service_id")
    if by == "outcome":
        return _group(rows, "outcome")
    return _by(rows, by, period, "referral__")


def _referrals_matching(filters: Filters, period: Period) -> QuerySet[Any]:
    from referrals.models import Referral

    return Referral.objects.filter(_referral_q(filters, period.end)).values("pk")


# --- Episodes of support ---------------------------------------------------------------------


def _closed_on() -> Subquery:
    from episodes.models import EpisodeEvent

    last = EpisodeEvent.objects.filter(episode=OuterRef("pk"), kind="closed").order_by("-on", "-pk").values("on")[:1]
    return Subquery(last)


def _episodes_in(period: Period, filters: Filters) -> QuerySet[Any]:
    """Episodes open at some time in the period: opened by its end, not closed before its start."""
    from episodes.models import Episode

    return (
        Episode.objects.annotate(closed_on=_closed_on())
        .filter(opened_on__lte=period.end)
        .filter(~Q(status="closed") | Q(closed_on__gte=period.start))
        .filter(filters.child_q(period.end, "child__"))
    )


def young_people_supported(period: Period, filters: Filters, by: str = "") -> Counts:
    """Young people with an episode of support open at some time in the period (``supported``),
    with one opened in it (``new``) and with one closed in it (``closed``); or ``supported``
    by a dimension."""
    rows = _episodes_in(period, filters)
    if by:
        return _by(rows, by, period, "child__", distinct="child_id")
    figures = rows.aggregate(
        supported=Count("child_id", distinct=True),
        new=Count("child_id", distinct=True, filter=_on(period, "opened_on")),
        closed=Count("child_id", distinct=True, filter=Q(status="closed") & _on(period, "closed_on")),
    )
    return {k: int(v or 0) for k, v in figures.items()}


# --- Contacts --------------------------------------------------------------------------------


def professional_consultations(period: Period, filters: Filters, by: str = "consultation_with") -> Counts:
    """Professional consultations held (attended) in the period, by whom with or a dimension."""
    from contacts.models import Attendance, Contact, Kind

    rows = Contact.objects.filter(
        _on_dates(period, "starts_at"), kind=Kind.CONSULTATION, attendance=Attendance.ATTENDED
    ).filter(filters.child_q(period.end, "child__"))
    if by == "consultation_with":
        return _group(rows, "consultation_with")
    return _by(rows, by, period, "child__")


# --- Significant events ----------------------------------------------------------------------


def significant_events_during_support(period: Period, filters: Filters) -> Counts:
    """Significant events (not removed) in the period that happened while the young person had an
    episode open, by kind; and ``young_person_days``: the days of support in the period, summed
    over young people – the denominator of a rate per young person-year. (Support days are
    counted per episode; a young person has at most one current episode.)"""
    from events.models import SignificantEvent

    episodes = _episodes_in(period, filters)
    inside = episodes.filter(child=OuterRef("child"), opened_on__lte=OuterRef("occurred_on")).filter(
        ~Q(status="closed") | Q(closed_on__gte=OuterRef("occurred_on"))
    )
    events = SignificantEvent.objects.filter(_on(period, "occurred_on"), removed_at__isnull=True).filter(Exists(inside))
    counts = _group(events, "kind")
    counts["young_person_days"] = _support_days(episodes, period)
    return counts


def _support_days(episodes: QuerySet[Any], period: Period) -> int:
    """Days of support inside the period, summed over episodes, in the database."""
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


# --- Definitions and releases ----------------------------------------------------------------


@dataclass(frozen=True)
class Indicator:
    code: str
    title: Promise
    numerator: Promise
    denominator: Promise
    period_rule: Promise
    compute: Callable[..., Counts]


INDICATORS: dict[str, Indicator] = {
    i.code: i
    for i in (
        Indicator(
            "referrals_received",
            _("Referrals received"),
            _("Referrals received by the service, whatever the route or who referred."),
            _("None: a count."),
            _("Received on a day in the period."),
            referrals_received,
        ),
        Indicator(
            "referral_decisions",
            _("Decisions on referrals"),
            _("Decisions made: accepted, consultation only, or a warm handover (with where to)."),
            _("None: a count. A referral decided twice counts each decision."),
            _("Decided on a day in the period."),
            referral_decisions,
        ),
        Indicator(
            "young_people_supported",
            _("Young people supported"),
            _(
                "Young people with an episode of support open at any time in the period; new: opened in it; closed: closed in it."
            ),
            _("None: a count of young people (each once)."),
            _("An episode opened on or before the last day and not closed before the first day."),
            young_people_supported,
        ),
        Indicator(
            "professional_consultations",
            _("Professional consultations"),
            _("Consultations with the professionals around a young person that took place."),
            _("None: a count."),
            _("Held on a day in the period."),
            professional_consultations,
        ),
        Indicator(
            "significant_events",
            _("Significant events during support"),
            _("Significant events that happened while the young person's support was open, by kind."),
            _("Young person-years of support in the period (days of open support ÷ 365.25)."),
            _(
                "The event and the support both in the period. A description, not evidence of effect: young people are often referred at a peak."
            ),
            significant_events_during_support,
        ),
    )
}


def release(
    period: Period, filters: Filters, *, count: Callable[[Period, Filters, str], Counts], dimensions: list[str]
) -> Release:
    """A commissioner's release of one count: the total and one breakdown per dimension, all
    suppressed together. Only fixed periods (quarters, years) may be released (differencing)."""
    if not period.fixed:
        raise ValueError("commissioners are given quarters and years only")
    if not dimensions:
        raise ValueError("a release needs at least one breakdown (its total is their sum)")
    first = count(period, filters, dimensions[0])
    total = sum(first.values())
    breakdowns = [Breakdown(dimensions[0], first)]
    for dimension in dimensions[1:]:
        breakdowns.append(Breakdown(dimension, count(period, filters, dimension)))
    return suppress_release(total, breakdowns)
