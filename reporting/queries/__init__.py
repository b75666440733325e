"""The one reviewed door for aggregates (issue 15): every figure a report shows is computed in
this package, in the database – one aggregate query per figure or breakdown, never a loop over
records.

These functions read whole tables *on purpose*, without ``visible_to``: a report is about the
service, not about a person, and commissioners have no record scope at all. That is why this
package is allow-listed in the scoping lint and why it never returns a record, a name or an id of
a young person: only counts by category, percentages, means and medians. What leaves it for a
commissioner or an export goes through ``release`` (counts) and ``core.releases.share`` /
``statistic`` (figures), whose results are suppressed – ``reporting.report.SuppressedReport`` is
the only type the commissioner-facing pages and the exports accept (safe small numbers, ADR 021).

Each indicator has a definition (numerator, denominator, period rule) in ``INDICATORS``, shown
beside it in both languages and written out in ``docs/indicators.md``. One module per family of
indicators (``activity``, …); each exports a list ``INDICATORS`` gathered here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from core.releases import Breakdown, CrossTable, Release, suppress_release
from reporting.filters import Filters
from reporting.periods import Period
from reporting.queries import activity, nest, outcomes, stability, timeliness, training, welsh
from reporting.queries._common import Counts, Figures, Indicator, Share, Stat
from reporting.queries.activity import (
    professional_consultations,
    referral_decisions,
    referrals_received,
    significant_events_during_support,
    young_people_supported,
)

#: In the order reports show them: activity, timeliness, outcomes, stability, training, Welsh,
#: and the service's own NEST/NYTH self-assessment.
INDICATORS: dict[str, Indicator] = {
    i.code: i
    for family in (activity, timeliness, outcomes, stability, training, welsh, nest)
    for i in family.INDICATORS
}


#: The dimension of a region's two-way table with an indicator's own category (ADR 029).
AUTHORITY = "local_authority"


def release(
    period: Period,
    filters: Filters,
    *,
    count: Callable[[Period, Filters, str], Counts],
    dimensions: list[str],
    round_to: int | None = None,
    limit: int | None = None,
    count_many: Callable[[Period, Filters, Sequence[str]], dict[str, Counts]] | None = None,
    authorities: bool = False,
    count_by_authority: Callable[[Period, Filters], dict[tuple[str, str], int]] | None = None,
) -> Release:
    """A commissioner's release of one count: the total and one breakdown per dimension, all
    suppressed together. Only fixed periods (quarters, years) may be released (differencing).
    ``authorities`` (a region's release; ``dimensions`` then include ``AUTHORITY``): also the
    two-way table local authority × the first dimension, whose rows the authorities' reports
    show (``reporting.report.authority_view``)."""
    if not period.fixed:
        raise ValueError("commissioners are given quarters and years only")
    if not dimensions:
        raise ValueError("a release needs at least one breakdown (its total is their sum)")
    if count_many is not None and len(dimensions) > 1:
        # All the breakdowns from one query (the same partitions as ``count`` each).
        many = count_many(period, filters, dimensions)
        computed = [many[d] for d in dimensions]
    else:
        computed = [count(period, filters, d) for d in dimensions]
    total = sum(computed[0].values())
    by = dict(zip(dimensions, computed, strict=True))
    tables = [_authority_table(period, filters, count, dimensions[0], by, count_by_authority)] if authorities else []
    breakdowns = [Breakdown(d, counts) for d, counts in by.items()]
    return suppress_release(total, breakdowns, tables, round_to=round_to, limit=limit)


def _authority_table(
    period: Period,
    filters: Filters,
    count: Callable[[Period, Filters, str], Counts],
    own: str,
    by: dict[str, Counts],
    count_by_authority: Callable[[Period, Filters], dict[tuple[str, str], int]] | None = None,
) -> CrossTable:
    """Local authority × ``own`` for a region: each authority's row is the indicator counted for
    the region and that authority (one query each – a region has a few authorities, so the count
    is constant in the data size); the row of young people with no authority recorded ("") is
    what the region's breakdown leaves, so the table's margins are the region's two breakdowns."""
    if not filters.region_id or filters != Filters(region_id=filters.region_id) or AUTHORITY not in by:
        raise ValueError("an authority table is part of a region's release with its breakdown by authority")
    columns, rows = by[own], by[AUTHORITY]
    cells: dict[tuple[str, str], int] = {}
    rest = dict(columns)
    together = count_by_authority(period, filters) if count_by_authority is not None else None
    for authority, people in rows.items():
        if not authority:
            continue
        if together is not None:
            row = {c: n for (a, c), n in together.items() if a == authority and n}
        else:
            row = count(period, Filters(region_id=filters.region_id, local_authority_id=int(authority)), own)
        if set(row) - set(columns) or sum(row.values()) != people:
            raise ValueError(f"an authority's counts by {own} are not a part of its region's")
        for column in columns:
            cells[(authority, column)] = row.get(column, 0)
            rest[column] -= row.get(column, 0)
    if "" in rows:
        cells.update({("", column): n for column, n in rest.items()})
    if any(n < 0 for n in cells.values()):
        raise ValueError(f"the authorities' counts by {own} exceed their region's")
    return CrossTable(AUTHORITY, own, cells)


__all__ = [
    "AUTHORITY",
    "INDICATORS",
    "Counts",
    "Figures",
    "Indicator",
    "Share",
    "Stat",
    "professional_consultations",
    "referral_decisions",
    "referrals_received",
    "release",
    "significant_events_during_support",
    "young_people_supported",
]
