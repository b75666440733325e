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

from core.releases import Breakdown, Release, suppress_release
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


def release(
    period: Period,
    filters: Filters,
    *,
    count: Callable[[Period, Filters, str], Counts],
    dimensions: list[str],
    round_to: int | None = None,
    limit: int | None = None,
    count_many: Callable[[Period, Filters, Sequence[str]], dict[str, Counts]] | None = None,
) -> Release:
    """A commissioner's release of one count: the total and one breakdown per dimension, all
    suppressed together. Only fixed periods (quarters, years) may be released (differencing)."""
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
    breakdowns = [Breakdown(d, counts) for d, counts in zip(dimensions, computed, strict=True)]
    return suppress_release(total, breakdowns, round_to=round_to, limit=limit)


__all__ = [
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
