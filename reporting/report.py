"""A report: the indicators for one period and filters, in the shape its audience may see.

``suppressed_report`` is what a commissioner's page, every export (CSV, XLSX, PDF) and the
quarterly return are built from: each indicator's breakdowns as one ``core.releases.Release``
(suppressed together) and its headline figures suppressed one by one (counts as cells,
percentages with ``share``, means, medians and rates with ``statistic``). Nothing in a
``SuppressedReport`` carries a true small number, so a template or an export cannot leak one.

**One release per region, its authorities inside it** (against differencing, ADR 029). A region's
release of an indicator that breaks down by local authority also holds the fixed two-way table
local authority × the indicator's own category, suppressed with the rest; a local authority's
report is *a view of its region's release* – its row of that table – never a release of its own.
So a region's page and its authorities' pages are one set of suppression decisions: subtracting
an authority's figures from the region's gives nothing the region's release did not already
protect. The price: an authority sees its young people served by its region's services (its
row), counted by the indicator's own category only, without headline figures (a percentage or
mean over an authority's people would be a second, unprotected, release).

``internal_report`` is the service manager's and practitioner's own screen: the same figures
unsuppressed (they may see their own service's records anyway); it is never exported.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.conf import settings

from core.disclosure import Cell, Reason, suppress, threshold
from core.releases import Figure, Release, SuppressedTable, share, statistic
from reporting.filters import Filters
from reporting.periods import Period
from reporting.queries import AUTHORITY, INDICATORS, Counts, Figures, Indicator, Share, Stat, release
from reporting.queries._common import one_report


@dataclass(frozen=True)
class SuppressedSection:
    indicator: Indicator
    #: The indicator's breakdowns suppressed together (None when it has no breakdowns).
    release: Release | None
    #: Headline figures as they may be shown, keyed as ``indicator.labels``.
    figures: dict[str, Cell | Figure]
    #: Which of ``figures`` are percentages (a suppressed ``Figure`` no longer says).
    percentages: frozenset[str] = frozenset()


@dataclass(frozen=True)
class SuppressedReport:
    """The only shape in which figures reach a commissioner or leave Nyth in an export."""

    period: Period
    filters: Filters
    sections: list[SuppressedSection]
    limit: int
    round_to: int | None


@dataclass(frozen=True)
class InternalSection:
    indicator: Indicator
    breakdowns: dict[str, Counts]
    figures: Figures


@dataclass(frozen=True)
class InternalReport:
    period: Period
    filters: Filters
    sections: list[InternalSection]


def _chosen(codes: Iterable[str] | None) -> list[Indicator]:
    return [INDICATORS[c] for c in codes] if codes is not None else list(INDICATORS.values())


def _suppressed_figure(value: int | Share | Stat, limit: int, round_to: int | None) -> Cell | Figure:
    if isinstance(value, Share):
        return share(value.numerator, value.denominator, limit=limit)
    if isinstance(value, Stat):
        return statistic(value.value, value.people, limit=limit)
    return suppress(value, limit=limit, round_to=round_to)


def suppressed_report(
    period: Period,
    filters: Filters,
    codes: Iterable[str] | None = None,
    *,
    dimensions: Iterable[str] | None = None,
    round_to: int | None = None,
    with_figures: bool = True,
) -> SuppressedReport:
    """The indicators ``codes`` (all by default) for a fixed period, suppressed: each one's own
    category and the ``dimensions`` it supports (all of them by default) released together.
    A trend needs only the totals: ``with_figures=False`` leaves the headline figures out.
    Filters of one local authority alone give the authority's view of its region's release
    (``authority_view``)."""
    if not period.fixed:
        raise ValueError("a suppressed report is for a quarter or a year")
    limit = threshold()
    if round_to is None:  # the service's choice for every release (0: exact counts)
        round_to = int(getattr(settings, "NYTH_REPORT_ROUND_TO", 0)) or None
    if filters.local_authority_id and filters == Filters(local_authority_id=filters.local_authority_id):
        return authority_view(period, filters.local_authority_id, codes, limit=limit, round_to=round_to)
    wanted = None if dimensions is None else set(dimensions)
    # A trend (no breakdown, no figures) shows the totals only, and a total's decision is its own
    # (shown unless small): the authorities' table would change nothing in it.
    totals_only = wanted == set() and not with_figures
    with one_report():  # a figure two indicators' parts need is computed once
        sections = _suppressed_sections(
            period, filters, codes, wanted, limit, round_to, with_figures, authority_tables=not totals_only
        )
    return SuppressedReport(period, filters, sections, limit, round_to)


def _is_region(filters: Filters) -> bool:
    return bool(filters.region_id) and filters == Filters(region_id=filters.region_id)


def _with_authorities(indicator: Indicator, filters: Filters) -> bool:
    """A region's release of an indicator that breaks down by local authority holds the two-way
    table local authority × the indicator's own category."""
    return _is_region(filters) and AUTHORITY in indicator.dimensions[1:]


def _suppressed_sections(
    period: Period,
    filters: Filters,
    codes: Iterable[str] | None,
    wanted: set[str] | None,
    limit: int,
    round_to: int | None,
    with_figures: bool = True,
    *,
    authority_tables: bool = True,
) -> list[SuppressedSection]:
    sections = []
    for indicator in _chosen(codes):
        # A threshold of 1 suppresses nothing: for indicators that count no people.
        own_limit = limit if indicator.about_people else 1
        dims = [d for i, d in enumerate(indicator.dimensions) if i == 0 or wanted is None or d in wanted]
        two_way = authority_tables and _with_authorities(indicator, filters)
        only_for_table = two_way and AUTHORITY not in dims
        if only_for_table:
            # The table's margins are the same cells whatever breakdown the page shows: always
            # computed, so a region's first-category cells do not change with the reader's choice.
            dims.append(AUTHORITY)
        rel = (
            release(
                period,
                filters,
                count=indicator.count,
                count_many=indicator.count_many,
                dimensions=dims,
                round_to=round_to,
                limit=own_limit,
                authorities=two_way,
                count_by_authority=indicator.count_by_authority,
            )
            if dims
            else None
        )
        if rel is not None and only_for_table:  # not asked for: the table keeps its cells
            rel = replace(rel, breakdowns={d: c for d, c in rel.breakdowns.items() if d != AUTHORITY})
        raw = indicator.figures(period, filters) if indicator.figures and with_figures else {}
        figures = {k: _suppressed_figure(v, own_limit, round_to) for k, v in raw.items()}
        shares = frozenset(k for k, v in raw.items() if isinstance(v, Share))
        sections.append(SuppressedSection(indicator, rel, figures, shares))
    return sections


def authority_view(
    period: Period,
    authority_id: int,
    codes: Iterable[str] | None = None,
    *,
    limit: int | None = None,
    round_to: int | None = None,
) -> SuppressedReport:
    """A local authority's report: for each indicator broken down by local authority, the
    authority's row of its region's two-way table (as that release suppressed it), no headline
    figures. An authority with no region has no release to be a view of: an empty report."""
    from accounts.models import Organisation

    limit = threshold() if limit is None else limit
    region_id = Organisation.objects.filter(pk=authority_id).values_list("region_id", flat=True).first()
    filters = Filters(local_authority_id=authority_id)
    if region_id is None:
        return SuppressedReport(period, filters, [], limit, round_to)
    chosen = [i for i in _chosen(codes) if AUTHORITY in i.dimensions[1:]]
    with one_report():
        region = _suppressed_sections(
            period, Filters(region_id=region_id), [i.code for i in chosen], set(), limit, round_to, with_figures=False
        )
    sections = []
    for section in region:
        assert section.release is not None  # an indicator with breakdowns always has a release
        table = section.release.tables[0]
        sections.append(SuppressedSection(section.indicator, _row_of(table, str(authority_id), section.release), {}))
    return SuppressedReport(period, filters, sections, limit, round_to)


def _row_of(table: SuppressedTable, authority: str, region: Release) -> Release:
    """One authority's row of a region's suppressed two-way table, as a release of its own shape
    (a total and one breakdown): the same cells, so the same decisions."""
    if table.withheld or region.total.value is None:
        gone = region.total if region.total.value is None else Cell(None, Reason.WITHHELD, region.limit)
        return Release(
            gone,
            {table.columns: dict.fromkeys(table.column_totals, gone)},
            [],
            region.limit,
            region.round_to,
            frozenset({table.columns}),
        )
    if authority not in table.row_totals:  # nobody of this authority: every count is 0
        zero = Cell(0, Reason.SHOWN, region.limit)
        return Release(
            zero, {table.columns: dict.fromkeys(table.column_totals, zero)}, [], region.limit, region.round_to
        )
    row = {column: table.cells[(authority, column)] for column in table.column_totals}
    return Release(table.row_totals[authority], {table.columns: row}, [], region.limit, region.round_to)


def internal_report(
    period: Period,
    filters: Filters,
    codes: Iterable[str] | None = None,
    *,
    dimensions: Iterable[str] | None = None,
    with_figures: bool = True,
) -> InternalReport:
    """The same indicators unsuppressed, for the service's own people (any period). A trend
    needs only the totals: ``with_figures=False`` leaves the headline figures out."""
    wanted = None if dimensions is None else set(dimensions)
    sections = []
    with one_report():
        for indicator in _chosen(codes):
            dims = [d for i, d in enumerate(indicator.dimensions) if i == 0 or wanted is None or d in wanted]
            breakdowns = indicator.breakdowns(period, filters, dims)
            figures = indicator.figures(period, filters) if indicator.figures and with_figures else {}
            sections.append(InternalSection(indicator, breakdowns, figures))
    return InternalReport(period, filters, sections)
