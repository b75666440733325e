"""Activity: referrals and their decisions, young people supported, professional consultations
and significant events during support."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
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
    caseload_children,
    dimension_field,
    episodes_in,
    group,
    memoised,
    on,
    on_dates,
    support_days,
    support_days_and_people,
)

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
    if filters.caseload_of:
        q &= Q(child_id__in=caseload_children(filters.caseload_of))
    return q


def referrals_received(period: Period, filters: Filters, by: str = "route") -> Counts:
    """Referrals received in the period, by route, referrer type or a dimension."""
    from referrals.models import Referral

    rows = Referral.objects.filter(on_dates(period, "received_at")).filter(_referral_q(filters, period.end))
    if by in ("route", "referrer_type"):
        return group(rows, by)
    return _referral_by(rows, by, period, "")


def _referral_rows(period: Period, filters: Filters) -> QuerySet[Any]:
    from referrals.models import Referral

    return Referral.objects.filter(on_dates(period, "received_at")).filter(_referral_q(filters, period.end))


def _referral_fields(dims: Sequence[str], prefix: str, own: tuple[str, ...]) -> dict[str, str]:
    """The field of each dimension for referral rows reached by ``prefix`` (as ``_referral_by``)."""
    return {
        d: d
        if d in own
        else dimension_field(d, f"{prefix}child__")
        if d in ("gender", "ethnicity")
        else dimension_field(d, prefix)
        for d in dims
    }


def referrals_received_many(period: Period, filters: Filters, dims: Sequence[str]) -> dict[str, Counts]:
    """``referrals_received`` by each of ``dims``, from one query."""
    fields = _referral_fields(dims, "", ("route", "referrer_type"))
    return by_dimensions(_referral_rows(period, filters), fields, period, age_from="date_of_birth")


def _referral_by(rows: QuerySet[Any], by: str, period: Period, prefix: str) -> Counts:
    """By a dimension of the referral itself, or of its linked record for gender and ethnicity
    ("" – not recorded – where none is linked yet)."""
    if by in ("gender", "ethnicity"):
        return by_dimension(rows, by, period, f"{prefix}child__")
    return by_dimension(rows, by, period, prefix)


def referral_decisions(period: Period, filters: Filters, by: str = "outcome") -> Counts:
    """Decisions made in the period, by outcome (accepted / consultation / warm handover) or, for
    warm handovers, by where to (``by="directory_service"``: the directory entry's id)."""
    from referrals.models import Decision

    rows = Decision.objects.filter(on_dates(period, "decided_at"), referral__in=_referrals_matching(filters, period))
    if by == "directory_service":
        return group(rows.filter(outcome="redirected"), "directory_service_id")
    if by == "outcome":
        return group(rows, "outcome")
    return _referral_by(rows, by, period, "referral__")


def warm_handovers(period: Period, filters: Filters, by: str = "directory_service") -> Counts:
    """Warm handovers decided in the period (a referral handed on to a better-placed service), by
    where to (the directory entry's id; "" where none was chosen) or a dimension."""
    from referrals.models import Decision, Outcome

    rows = Decision.objects.filter(
        on_dates(period, "decided_at"),
        outcome=Outcome.REDIRECTED,
        referral__in=_referrals_matching(filters, period),
    )
    if by == "directory_service":
        return group(rows, "directory_service_id")
    return _referral_by(rows, by, period, "referral__")


def warm_handovers_many(period: Period, filters: Filters, dims: Sequence[str]) -> dict[str, Counts]:
    """``warm_handovers`` by each of ``dims``, from one query."""
    from referrals.models import Decision, Outcome

    rows = Decision.objects.filter(
        on_dates(period, "decided_at"),
        outcome=Outcome.REDIRECTED,
        referral__in=_referrals_matching(filters, period),
    )
    fields = _referral_fields(dims, "referral__", ("directory_service",))
    fields = {d: "directory_service_id" if d == "directory_service" else f for d, f in fields.items()}
    return by_dimensions(rows, fields, period, age_from="referral__date_of_birth")


def referral_decisions_many(period: Period, filters: Filters, dims: Sequence[str]) -> dict[str, Counts]:
    """``referral_decisions`` by each of ``dims`` (not ``directory_service``), from one query."""
    from referrals.models import Decision

    rows = Decision.objects.filter(on_dates(period, "decided_at"), referral__in=_referrals_matching(filters, period))
    fields = _referral_fields(dims, "referral__", ("outcome",))
    return by_dimensions(rows, fields, period, age_from="referral__date_of_birth")


def _referrals_matching(filters: Filters, period: Period) -> QuerySet[Any]:
    from referrals.models import Referral

    return Referral.objects.filter(_referral_q(filters, period.end)).values("pk")


# --- Episodes of support ---------------------------------------------------------------------


def young_people_supported(period: Period, filters: Filters, by: str = "") -> Counts:
    """Young people with an episode of support open at some time in the period (``supported``),
    with one opened in it (``new``) and with one closed in it (``closed``); or ``supported``
    by a dimension."""
    rows = episodes_in(period, filters)
    if by:
        return by_dimension(rows, by, period, "child__", distinct="child_id")
    figures = rows.aggregate(
        supported=Count("child_id", distinct=True),
        new=Count("child_id", distinct=True, filter=on(period, "opened_on")),
        closed=Count("child_id", distinct=True, filter=Q(status="closed") & on(period, "closed_on")),
    )
    return {k: int(v or 0) for k, v in figures.items()}


def _supported_many(period: Period, filters: Filters, dims: Sequence[str]) -> dict[str, Counts]:
    fields = {d: dimension_field(d, "child__") for d in dims}
    return by_dimensions(
        episodes_in(period, filters), fields, period, age_from="child__date_of_birth", distinct="child_id"
    )


# --- Contacts --------------------------------------------------------------------------------


def professional_consultations(period: Period, filters: Filters, by: str = "consultation_with") -> Counts:
    """Professional consultations held (attended) in the period, by whom with or a dimension."""
    from contacts.models import Attendance, Contact, Kind

    rows = Contact.objects.filter(
        on_dates(period, "starts_at"), kind=Kind.CONSULTATION, attendance=Attendance.ATTENDED
    ).filter(filters.child_q(period.end, "child__"))
    if by == "consultation_with":
        return group(rows, "consultation_with")
    return by_dimension(rows, by, period, "child__")


def professional_consultations_many(period: Period, filters: Filters, dims: Sequence[str]) -> dict[str, Counts]:
    """``professional_consultations`` by each of ``dims``, from one query."""
    from contacts.models import Attendance, Contact, Kind

    rows = Contact.objects.filter(
        on_dates(period, "starts_at"), kind=Kind.CONSULTATION, attendance=Attendance.ATTENDED
    ).filter(filters.child_q(period.end, "child__"))
    fields = {d: d if d == "consultation_with" else dimension_field(d, "child__") for d in dims}
    return by_dimensions(rows, fields, period, age_from="child__date_of_birth")


# --- Significant events ----------------------------------------------------------------------


def significant_events_during_support(period: Period, filters: Filters) -> Counts:
    """Significant events (not removed) in the period that happened while the young person had an
    episode open, by kind; and ``young_person_days``: the days of support in the period, summed
    over young people – the denominator of a rate per young person-year. (Support days are
    counted per episode; a young person has at most one current episode.)"""
    counts = _events_by_kind(period, filters, "kind")
    counts["young_person_days"] = support_days(episodes_in(period, filters), period)
    return counts


@memoised
def _events_by_kind(period: Period, filters: Filters, by: str = "kind") -> Counts:
    """The events by kind alone (the breakdown needs no support days: one query fewer)."""
    from events.models import SignificantEvent

    inside = (
        episodes_in(period, filters)
        .filter(child=OuterRef("child"), opened_on__lte=OuterRef("occurred_on"))
        .filter(~Q(status="closed") | Q(closed_on__gte=OuterRef("occurred_on")))
    )
    events = SignificantEvent.objects.filter(on(period, "occurred_on"), removed_at__isnull=True).filter(Exists(inside))
    return group(events, "kind")


def _events_figures(period: Period, filters: Filters) -> Figures:
    # Two queries, not four: the events by kind, and the days of support with the young people
    # supported (the same episodes as ``young_people_supported``) from one aggregate.
    events = sum(_events_by_kind(period, filters, "kind").values())
    days, people = support_days_and_people(episodes_in(period, filters), period)
    years = days / 365.25
    return {
        "events": events,
        "young_person_years": Stat(round(years, 1), people),
        "per_young_person_year": Stat(events / years if years else None, people),
    }


def _supported_figures(period: Period, filters: Filters) -> Figures:
    return dict(young_people_supported(period, filters))


def _supported_by(period: Period, filters: Filters, by: str) -> Counts:
    return young_people_supported(period, filters, by=by)


INDICATORS: list[Indicator] = [
    Indicator(
        "referrals_received",
        _("Referrals received"),
        _("Referrals received by the service, whatever the route or who referred."),
        _("None: a count."),
        _("Received on a day in the period."),
        referrals_received,
        dimensions=("route", "referrer_type", *PEOPLE_DIMENSIONS),
        count_many=referrals_received_many,
    ),
    Indicator(
        "referral_decisions",
        _("Decisions on referrals"),
        _("Decisions made: accepted, consultation only, or a warm handover (with where to)."),
        _("None: a count. A referral decided twice counts each decision."),
        _("Decided on a day in the period."),
        referral_decisions,
        dimensions=("outcome", *PEOPLE_DIMENSIONS),
        count_many=referral_decisions_many,
    ),
    Indicator(
        "warm_handovers",
        _("Warm handovers, by where to"),
        _("Referrals handed on warmly to a better-placed service, by the service they were handed on to."),
        _("None: a count. A referral handed on twice counts each time."),
        _("Decided on a day in the period."),
        warm_handovers,
        dimensions=("directory_service", *PEOPLE_DIMENSIONS),
        count_many=warm_handovers_many,
    ),
    Indicator(
        "young_people_supported",
        _("Young people supported"),
        _(
            "Young people with an episode of support open at any time in the period; new: opened in it; closed: closed in it."
        ),
        _("None: a count of young people (each once)."),
        _("An episode opened on or before the last day and not closed before the first day."),
        _supported_by,
        dimensions=PEOPLE_DIMENSIONS,
        figures=_supported_figures,
        labels={"supported": _("Supported"), "new": _("New"), "closed": _("Closed")},
        count_many=_supported_many,
    ),
    Indicator(
        "professional_consultations",
        _("Professional consultations"),
        _("Consultations with the professionals around a young person that took place."),
        _("None: a count."),
        _("Held on a day in the period."),
        professional_consultations,
        dimensions=("consultation_with", *PEOPLE_DIMENSIONS),
        count_many=professional_consultations_many,
    ),
    Indicator(
        "significant_events",
        _("Significant events during support"),
        _("Significant events that happened while the young person's support was open, by kind."),
        _("Young person-years of support in the period (days of open support ÷ 365.25)."),
        _(
            "The event and the support both in the period. A description, not evidence of effect: young people are often referred at a peak."
        ),
        _events_by_kind,
        dimensions=("kind",),
        figures=_events_figures,
        labels={
            "events": _("Significant events"),
            "young_person_years": _("Young person-years of support"),
            "per_young_person_year": _("Events per young person-year"),
        },
    ),
]
