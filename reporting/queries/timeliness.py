"""Timeliness: days from a referral to its decision, from the decision to the initial
consultation, from the referral to the first therapeutic session, and time on the allocation list
(accepted → allocated, and how long those still waiting at the period's end have waited so far).

Every stage's day differences are computed in the database: datetimes become dates in the
service's time zone (``TruncDate`` uses the current time zone, Europe/London) and one date is
subtracted from the other (a ``DurationField``, as ``_common.support_days`` does). The period rule
is the same for every stage: **the later event happened on a day in the period** (for those still
waiting: accepted by the period's last day and not allocated by then).

Means are ``Avg`` in the database. **Medians**: on PostgreSQL ``percentile_cont(0.5) WITHIN GROUP
(ORDER BY …)`` (``Median`` below), in the same aggregate query; on SQLite, which has no such
aggregate, one more query returns the day differences sorted (computed in the database, nothing
else selected) and the median is taken from the middle of that list. Either way the number of
queries does not grow with the data.

The referrals page (``referrals.services.timeliness``) counts working days to the initial
consultation from acceptance, against the service's target; these are calendar days from the
first decision, the guidance's measure for the Regional Partnership Board.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Case,
    CharField,
    Count,
    DateField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_lazy as _

from reporting.filters import Filters
from reporting.periods import Period
from reporting.queries._common import PEOPLE_DIMENSIONS, Counts, Figures, Indicator, Stat, by_dimensions, group
from reporting.queries.activity import _referral_by, _referral_fields, _referral_q

#: Bands of days waited (the release of a timeliness indicator): code → (fewest, most) days.
BANDS: dict[str, tuple[int, int | None]] = {
    "0-7": (0, 7),
    "8-28": (8, 28),
    "29-91": (29, 91),
    "over-91": (92, None),
}
BAND_LABELS = {
    "0-7": _("0 to 7 days"),
    "8-28": _("8 to 28 days"),
    "29-91": _("29 to 91 days"),
    "over-91": _("More than 91 days"),
}

#: The stages of ``timeliness_figures``: code → label.
STAGES = {
    "decision": _("Referral to decision"),
    "consultation": _("Decision to initial consultation"),
    "first_session": _("Referral to first session"),
}


class Median(Aggregate):
    """PostgreSQL's ``percentile_cont(0.5) WITHIN GROUP (ORDER BY expression)``: the median,
    interpolated between the two middle values when there is an even number (as
    ``statistics.median``). It works on intervals, so day differences stay durations."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    allow_distinct = False


def _days(later: Any, earlier: Any) -> ExpressionWrapper:
    """``later - earlier`` (both dates) as a duration, in the database."""
    return ExpressionWrapper(later - earlier, output_field=DurationField())


def _date(field: str) -> TruncDate:
    """A datetime field's day in the service's time zone."""
    return TruncDate(field, output_field=DateField())


def _as_days(value: datetime.timedelta | float | int | None) -> float | None:
    if value is None:
        return None
    if isinstance(value, datetime.timedelta):
        return value.total_seconds() / 86400
    return float(value)


def _stat(rows: QuerySet[Any]) -> tuple[int, float | None, float | None]:
    """(number, mean days, median days) of the rows' ``_days`` (a duration annotation): one
    aggregate query on PostgreSQL, one more (the sorted differences) on SQLite."""
    rows = rows.order_by()
    if connection.vendor == "postgresql":
        got = rows.aggregate(n=Count("pk"), mean=Avg("_days"), median=Median("_days", output_field=DurationField()))
        return int(got["n"]), _as_days(got["mean"]), _as_days(got["median"])
    got = rows.aggregate(n=Count("pk"), mean=Avg("_days"))
    n = int(got["n"])
    if not n:
        return 0, None, None
    # SQLite: the differences (computed in the database), sorted there; the middle one(s) here.
    ordered = [_as_days(d) for d in rows.order_by("_days").values_list("_days", flat=True)]
    middle = n // 2
    low, high = ordered[middle - 1 if n % 2 == 0 else middle], ordered[middle]
    median = None if low is None or high is None else (low + high) / 2
    return n, _as_days(got["mean"]), median


def _band(days: str) -> Case:
    """The band of the duration annotation ``days``, computed in the database."""
    whens = []
    for code, (low, high) in BANDS.items():
        q = Q(**{f"{days}__gte": datetime.timedelta(days=low)})
        if high is not None:
            q &= Q(**{f"{days}__lte": datetime.timedelta(days=high)})
        whens.append(When(q, then=Value(code)))
    return Case(*whens, default=Value(""), output_field=CharField())


def _by(rows: QuerySet[Any], by: str, period: Period) -> Counts:
    if by == "band":
        return group(rows.annotate(_band=_band("_days")), "_band")
    if by == "state":
        return group(rows, "_state")
    # A dimension of the referral itself, or of its linked record for gender and ethnicity.
    return _referral_by(rows, by, period, "")


def _many(rows: QuerySet[Any], dims: Sequence[str], period: Period) -> dict[str, Counts]:
    """Every breakdown ``dims`` of ``rows`` from one query (``by_dimensions``): the band and the
    state are the rows' own annotations, the rest the referral's or its young person's."""
    if "band" in dims:  # not "_band": by_dimensions' name for the age band
        rows = rows.annotate(_days_band=_band("_days"))
    fields = _referral_fields(dims, "", ("band", "state"))
    fields = {d: ("_days_band" if d == "band" else "_state" if d == "state" else f) for d, f in fields.items()}
    return by_dimensions(rows, fields, period, age_from="date_of_birth")


# --- Referral → decision → initial consultation → first session ------------------------------


def _first_decided() -> Subquery:
    from referrals.models import Decision

    first = Decision.objects.filter(referral=OuterRef("pk")).order_by().values("referral")
    return Subquery(first.annotate(on=Min(TruncDate("decided_at"))).values("on")[:1], output_field=DateField())


def _referrals(filters: Filters, period: Period) -> QuerySet[Any]:
    from referrals.models import Referral

    return Referral.objects.filter(_referral_q(filters, period.end))


def _stage(stage: str, period: Period, filters: Filters) -> QuerySet[Any]:
    """The referrals of one stage, annotated ``_days`` (the stage's length)."""
    rows = _referrals(filters, period).annotate(_decided=_first_decided())
    if stage == "decision":
        # The referral's first decision made in the period (a referral decided again counts once).
        rows = rows.filter(_decided__gte=period.start, _decided__lte=period.end)
        return rows.annotate(_days=_days(F("_decided"), _date("received_at")))
    if stage == "consultation":
        rows = rows.filter(
            initial_consultation__held_on__gte=period.start,
            initial_consultation__held_on__lte=period.end,
            _decided__isnull=False,
        )
        return rows.annotate(_days=_days(F("initial_consultation__held_on"), F("_decided")))
    if stage == "first_session":
        rows = rows.filter(first_session_at__date__gte=period.start, first_session_at__date__lte=period.end)
        return rows.annotate(_days=_days(_date("first_session_at"), _date("received_at")))
    raise ValueError(f"not a stage: {stage}")


def stage_days(stage: str, period: Period, filters: Filters) -> Stat:
    """Mean days of one stage (``decision``, ``consultation`` or ``first_session``) over the
    referrals whose later event was in the period. See the module for the median."""
    n, mean, _median = _stat(_stage(stage, period, filters))
    return Stat(mean, n)


def timeliness_figures(period: Period, filters: Filters) -> Figures:
    """For each stage: the number of referrals (``n_…``), the mean and the median days
    (``mean_…``, ``median_…``) as ``Stat`` over that number. Medians: ``percentile_cont`` on
    PostgreSQL; on SQLite one sorted query of the day differences (in the database), the middle
    taken from it."""
    figures: Figures = {}
    for stage in STAGES:
        n, mean, median = _stat(_stage(stage, period, filters))
        figures[f"n_{stage}"] = n
        figures[f"mean_{stage}"] = Stat(mean, n)
        figures[f"median_{stage}"] = Stat(median, n)
    return figures


def decisions_by_days(period: Period, filters: Filters, by: str = "band") -> Counts:
    """Referrals first decided in the period, by band of days from referral to decision or by a
    dimension."""
    return _by(_stage("decision", period, filters), by, period)


def decisions_by_days_many(period: Period, filters: Filters, dims: Sequence[str]) -> dict[str, Counts]:
    return _many(_stage("decision", period, filters), dims, period)


# --- The allocation list ---------------------------------------------------------------------


def _allocation_list(period: Period, filters: Filters) -> QuerySet[Any]:
    """Referrals allocated in the period (``_state`` "allocated": days accepted → allocated) and
    those still on the list at its end (``_state`` "waiting": accepted by the last day, not
    allocated by then, and not decided otherwise since: days from acceptance to the last day)."""
    from referrals.models import Decision

    end = Value(period.end, output_field=DateField())
    left_otherwise = Decision.objects.filter(
        referral=OuterRef("pk"), decided_at__gt=OuterRef("accepted_at"), decided_at__date__lte=period.end
    ).exclude(outcome="accepted")
    allocated_in = Q(allocated_at__date__gte=period.start, allocated_at__date__lte=period.end)
    waiting = (
        Q(accepted_at__date__lte=period.end)
        & (Q(allocated_at__isnull=True) | Q(allocated_at__date__gt=period.end))
        & Q(~Exists(left_otherwise))
    )
    rows = _referrals(filters, period).filter(accepted_at__isnull=False).filter(allocated_in | waiting)
    return rows.annotate(
        _state=Case(When(allocated_in, then=Value("allocated")), default=Value("waiting"), output_field=CharField()),
        _days=Case(
            When(allocated_in, then=_days(_date("allocated_at"), _date("accepted_at"))),
            default=_days(end, _date("accepted_at")),
            output_field=DurationField(),
        ),
    )


def allocation_list(period: Period, filters: Filters, by: str = "band") -> Counts:
    """Referrals allocated in the period or still waiting at its end, by band of days on the list,
    by ``state`` (allocated / waiting) or by a dimension."""
    return _by(_allocation_list(period, filters), by, period)


def allocation_list_many(period: Period, filters: Filters, dims: Sequence[str]) -> dict[str, Counts]:
    return _many(_allocation_list(period, filters), dims, period)


def allocation_figures(period: Period, filters: Filters) -> Figures:
    """Mean and median days accepted → allocated (allocated in the period), and so far for those
    still waiting at its end; medians as in ``timeliness_figures``."""
    rows = _allocation_list(period, filters)
    figures: Figures = {}
    for state in ("allocated", "waiting"):
        n, mean, median = _stat(rows.filter(_state=state))
        figures[f"n_{state}"] = n
        figures[f"mean_{state}"] = Stat(mean, n)
        figures[f"median_{state}"] = Stat(median, n)
    return figures


def _stage_labels() -> dict[str, Any]:
    labels: dict[str, Any] = dict(BAND_LABELS)
    labels.update(
        {
            "n_decision": _("Referral to decision: referrals"),
            "mean_decision": _("Referral to decision: mean days"),
            "median_decision": _("Referral to decision: median days"),
            "n_consultation": _("Decision to initial consultation: referrals"),
            "mean_consultation": _("Decision to initial consultation: mean days"),
            "median_consultation": _("Decision to initial consultation: median days"),
            "n_first_session": _("Referral to first session: referrals"),
            "mean_first_session": _("Referral to first session: mean days"),
            "median_first_session": _("Referral to first session: median days"),
        }
    )
    return labels


INDICATORS: list[Indicator] = [
    Indicator(
        "timeliness",
        _("Days from referral to support"),
        _(
            "Days from a referral being received to its first decision; from that decision to the initial consultation; from the referral to the first therapeutic session. Mean and median of each."
        ),
        _("The referrals that reached each stage in the period (each stage counted separately)."),
        _(
            "The later event on a day in the period; days are calendar days between the two dates in the service's time zone. Broken down by days from referral to decision."
        ),
        decisions_by_days,
        dimensions=("band", *PEOPLE_DIMENSIONS),
        count_many=decisions_by_days_many,
        figures=timeliness_figures,
        labels=_stage_labels(),
    ),
    Indicator(
        "allocation_list",
        _("Time on the allocation list"),
        _(
            "Days from a referral being accepted to its allocation to a practitioner; and for those still waiting at the end of the period, days waited so far."
        ),
        _("Referrals allocated in the period, and referrals still on the list on its last day."),
        _(
            "Allocated on a day in the period; or accepted by its last day and neither allocated nor decided otherwise by then."
        ),
        allocation_list,
        dimensions=("band", "state", *PEOPLE_DIMENSIONS),
        count_many=allocation_list_many,
        figures=allocation_figures,
        labels={
            **BAND_LABELS,
            "allocated": _("Allocated"),
            "waiting": _("Still waiting"),
            "n_allocated": _("Allocated: referrals"),
            "mean_allocated": _("Allocated: mean days on the list"),
            "median_allocated": _("Allocated: median days on the list"),
            "n_waiting": _("Still waiting: referrals"),
            "mean_waiting": _("Still waiting: mean days so far"),
            "median_waiting": _("Still waiting: median days so far"),
        },
    ),
]
