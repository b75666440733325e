"""What a reporting page shows, built from a report: plain typed functions the views call.

A commissioner's page is built from a ``SuppressedReport`` only (``build_suppressed``): every
number on it is a ``Cell`` or ``Figure`` that has been through ``core.releases``, so a small
count cannot reach the template. The service's own pages are built from an ``InternalReport``
(``build_internal``). Both come out in one shape (``Page``) so one template renders any
indicator generically – its title, definition, figures, breakdowns and caveat – and a new
indicator in ``reporting.queries`` appears without a template change.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.template.defaultfilters import floatformat
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.disclosure import MARK, Cell
from core.releases import Figure
from reporting import labels
from reporting.charts import Bar, BarChart, render_all
from reporting.periods import Period
from reporting.queries import Indicator, Share, Stat
from reporting.report import InternalReport, SuppressedReport


@dataclass(frozen=True)
class Shown:
    """One number as the page shows it: its text ("12", "45.5%", "[c]", "–"), why it is not
    shown ("" when it is) and the value a chart may draw (None when suppressed or empty)."""

    text: str
    explanation: str = ""
    value: float | None = None

    @property
    def suppressed(self) -> bool:
        return self.text == MARK


NOTHING = Shown("–")


def _number(value: float) -> str:
    return str(floatformat(value, -1))


def from_cell(cell: Cell | Figure, *, percent: bool = False) -> Shown:
    if cell.value is None:
        return Shown(MARK, cell.explanation) if cell.explanation else NOTHING
    text = _number(cell.value) + ("%" if percent else "")
    return Shown(text, "", float(cell.value))


def from_internal(value: int | Share | Stat) -> Shown:
    if isinstance(value, Share):
        if not value.denominator:
            return NOTHING
        percent = round(100 * value.numerator / value.denominator, 1)
        return Shown(_number(percent) + "%", "", percent)
    if isinstance(value, Stat):
        if value.value is None:
            return NOTHING
        return Shown(_number(round(float(value.value), 1)), "", round(float(value.value), 1))
    return Shown(str(value), "", float(value))


@dataclass
class Table:
    dimension: str
    name: str
    rows: list[tuple[str, Shown]]
    total: Shown
    withheld: bool = False
    chart_key: str = ""
    svg: str = ""


@dataclass
class Section:
    indicator: Indicator
    figures: list[tuple[str, Shown]]
    tables: list[Table]

    @property
    def code(self) -> str:
        return self.indicator.code


@dataclass
class Trend:
    indicator: Indicator
    points: list[tuple[Period, Shown]]
    chart_key: str = ""
    svg: str = ""


@dataclass
class Page:
    period: Period
    suppressed: bool
    headline: list[tuple[Indicator, Shown]]
    sections: list[Section]
    trends: list[Trend]
    limit: int | None = None
    any_suppressed: bool = False
    #: A local authority's view of its region's release (no headline figures: ADR 029).
    authority_view: bool = False


def period_label(period: Period) -> str:
    """ "April to June 2026", "1 April 2026 to 31 March 2027", in the reader's language."""
    if period.code.count("Q") == 1 and period.fixed:
        return _("%(start)s to %(end)s") % {
            "start": date_format(period.start, "F"),
            "end": date_format(period.end, "F Y"),
        }
    return _("%(start)s to %(end)s") % {
        "start": date_format(period.start, "j F Y"),
        "end": date_format(period.end, "j F Y"),
    }


def short_period_label(period: Period) -> str:
    if period.fixed and "Q" in period.code:
        return date_format(period.start, "M") + "–" + date_format(period.end, "M Y")
    return period_label(period)


def _label(indicator: Indicator, dimension: str, key: str, names: labels.Names) -> str:
    return labels.category_label(indicator.code, dimension, key, own=indicator.labels, names=names)


def _figure_label(indicator: Indicator, key: str, names: labels.Names) -> str:
    return labels.figure_label(indicator, key, names)


def build_suppressed(report: SuppressedReport, trends: list[SuppressedReport]) -> Page:
    """The commissioner's page: only what ``core.releases`` let through."""
    pairs: list[tuple[str, Iterable[str]]] = [
        (dim, dict(cells)) for s in report.sections if s.release for dim, cells in s.release.breakdowns.items()
    ]
    pairs += [pair for s in report.sections for pair in labels.figure_breakdowns(s.indicator, s.figures)]
    names = labels.row_names(pairs)
    sections, headline = [], []
    any_suppressed = False
    for s in report.sections:
        figures = [
            (_figure_label(s.indicator, k, names), from_cell(v, percent=k in s.percentages))
            for k, v in s.figures.items()
        ]
        tables = []
        if s.release is not None:
            total = from_cell(s.release.total)
            headline.append((s.indicator, total))
            for dim, cells in s.release.breakdowns.items():
                rows = [(_label(s.indicator, dim, k, names), from_cell(c)) for k, c in _ordered(cells)]
                tables.append(
                    Table(dim, labels.dimension_name(dim), rows, total, withheld=dim in s.release.withheld_breakdowns)
                )
            any_suppressed = any_suppressed or s.release.any_suppressed or s.release.total.suppressed
        any_suppressed = any_suppressed or any(shown.suppressed for _, shown in figures)
        sections.append(Section(s.indicator, figures, tables))
    trend_rows = _trends_suppressed(trends)
    authority = bool(report.filters.local_authority_id) and not report.filters.region_id
    return Page(
        report.period,
        True,
        headline,
        sections,
        trend_rows,
        report.limit,
        any_suppressed=any_suppressed,
        authority_view=authority,
    )


def _ordered(cells: dict[str, Cell]) -> list[tuple[str, Cell]]:
    # "Not recorded" last; otherwise the order the query gave (stable for the same data).
    return sorted(cells.items(), key=lambda kv: (kv[0] == "", kv[0]))


def _trends_suppressed(reports: list[SuppressedReport]) -> list[Trend]:
    if not reports:
        return []
    out = []
    for i, section in enumerate(reports[0].sections):
        points = []
        for r in reports:
            rel = r.sections[i].release
            points.append((r.period, from_cell(rel.total) if rel else NOTHING))
        out.append(Trend(section.indicator, points))
    return out


def build_internal(report: InternalReport, trends: list[InternalReport]) -> Page:
    """The service's own page: the same shape, unsuppressed."""
    pairs: list[tuple[str, Iterable[str]]] = [
        (dim, dict(counts)) for s in report.sections for dim, counts in s.breakdowns.items()
    ]
    pairs += [pair for s in report.sections for pair in labels.figure_breakdowns(s.indicator, s.figures)]
    names = labels.row_names(pairs)
    sections, headline = [], []
    for s in report.sections:
        figures = [(_figure_label(s.indicator, k, names), from_internal(v)) for k, v in s.figures.items()]
        tables = []
        for dim, counts in s.breakdowns.items():
            total = from_internal(sum(counts.values()))
            rows = [
                (_label(s.indicator, dim, k, names), from_internal(v))
                for k, v in sorted(counts.items(), key=lambda kv: (kv[0] == "", kv[0]))
            ]
            tables.append(Table(dim, labels.dimension_name(dim), rows, total))
        if s.breakdowns:
            first = next(iter(s.breakdowns.values()))
            headline.append((s.indicator, from_internal(sum(first.values()))))
        sections.append(Section(s.indicator, figures, tables))
    trend_rows = []
    if trends:
        for i, section in enumerate(trends[0].sections):
            points = []
            for r in trends:
                b = r.sections[i].breakdowns
                points.append((r.period, from_internal(sum(next(iter(b.values())).values())) if b else NOTHING))
            trend_rows.append(Trend(section.indicator, points))
    return Page(report.period, False, headline, sections, trend_rows)


def attach_charts(page: Page) -> None:
    """A bar chart beside every table and every trend (drawn from the shown values only)."""
    charts = []
    if page.suppressed:
        summary = _("Bar chart of the table beside it; [c] marks a number not shown.")
    else:
        summary = _("Bar chart of the table beside it.")
    for section in page.sections:
        for table in section.tables:
            if table.withheld or not table.rows:
                continue
            table.chart_key = f"{section.code}-{table.dimension}"
            charts.append(
                BarChart(
                    table.chart_key,
                    _("%(indicator)s by %(dimension)s")
                    % {"indicator": section.indicator.title, "dimension": table.name.lower()},
                    summary,
                    tuple(Bar(label, shown.value, shown.text) for label, shown in table.rows),
                )
            )
    for trend in page.trends:
        trend.chart_key = f"trend-{trend.indicator.code}"
        charts.append(
            BarChart(
                trend.chart_key,
                _("%(indicator)s over the last quarters") % {"indicator": trend.indicator.title},
                summary,
                tuple(Bar(short_period_label(p), shown.value, shown.text) for p, shown in trend.points),
            )
        )
    drawn = render_all(charts)
    for section in page.sections:
        for table in section.tables:
            table.svg = drawn.get(table.chart_key, "")
    for trend in page.trends:
        trend.svg = drawn[trend.chart_key]


def trend_quarters(period: Period, count: int) -> list[Period]:
    """The ``count`` quarters ending with the one holding the period's last day, oldest first."""
    from reporting.periods import previous_quarters

    return previous_quarters(period.end + datetime.timedelta(days=1), count)
