"""A report: the indicators for one period and filters, in the shape its audience may see.

``suppressed_report`` is what a commissioner's page, every export (CSV, XLSX, PDF) and the
quarterly return are built from: each indicator's breakdowns as one ``core.releases.Release``
(suppressed together) and its headline figures suppressed one by one (counts as cells,
percentages with ``share``, means, medians and rates with ``statistic``). Nothing in a
``SuppressedReport`` carries a true small number, so a template or an export cannot leak one.

``internal_report`` is the service manager's and practitioner's own screen: the same figures
unsuppressed (they may see their own service's records anyway); it is never exported.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings

from core.disclosure import Cell, suppress, threshold
from core.releases import Figure, Release, share, statistic
from reporting.filters import Filters
from reporting.periods import Period
from reporting.queries import INDICATORS, Counts, Figures, Indicator, Share, Stat, release
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
    A trend needs only the totals: ``with_figures=False`` leaves the headline figures out."""
    if not period.fixed:
        raise ValueError("a suppressed report is for a quarter or a year")
    limit = threshold()
    if round_to is None:  # the service's choice for every release (0: exact counts)
        round_to = int(getattr(settings, "NYTH_REPORT_ROUND_TO", 0)) or None
    wanted = None if dimensions is None else set(dimensions)
    with one_report():  # a figure two indicators' parts need is computed once
        sections = _suppressed_sections(period, filters, codes, wanted, limit, round_to, with_figures)
    return SuppressedReport(period, filters, sections, limit, round_to)


def _suppressed_sections(
    period: Period,
    filters: Filters,
    codes: Iterable[str] | None,
    wanted: set[str] | None,
    limit: int,
    round_to: int | None,
    with_figures: bool = True,
) -> list[SuppressedSection]:
    sections = []
    for indicator in _chosen(codes):
        # A threshold of 1 suppresses nothing: for indicators that count no people.
        own_limit = limit if indicator.about_people else 1
        dims = [d for i, d in enumerate(indicator.dimensions) if i == 0 or wanted is None or d in wanted]
        rel = (
            release(
                period,
                filters,
                count=indicator.count,
                count_many=indicator.count_many,
                dimensions=dims,
                round_to=round_to,
                limit=own_limit,
            )
            if dims
            else None
        )
        raw = indicator.figures(period, filters) if indicator.figures and with_figures else {}
        figures = {k: _suppressed_figure(v, own_limit, round_to) for k, v in raw.items()}
        shares = frozenset(k for k, v in raw.items() if isinstance(v, Share))
        sections.append(SuppressedSection(indicator, rel, figures, shares))
    return sections


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
