"""Server-rendered SVG charts of a young person's outcome measures (ADR 016).

One chart per scored measure over time; Goal Based Outcomes get one line per goal. Drawn with
matplotlib's object API (``Figure`` + the SVG backend, never pyplot: pyplot keeps global figure
state that is not safe in request threads) and then **post-processed** so the markup passes
Nyth's CSP and sits safely inside a page: no ``<style>``/``<script>``/``<metadata>``, no
``style=`` attributes (turned into presentation attributes, which CSP does not govern), no
event-handler attributes, no external URLs, every id prefixed per chart so two charts on one page
never share one, and ``role="img"`` with a translated ``<title>`` and one-sentence ``<desc>``.

The chart never stands alone: the page shows a data table of the same numbers beside it.

Rendering costs tens of milliseconds (importing matplotlib about half a second, once per worker,
so it is imported lazily), and the outcomes page is opened often: the finished SVG is cached
under a sha256 of everything drawn, the language and ``CHART_VERSION``. A changed score,
threshold, label or language is a different key, so an entry is never stale, only unused.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import threading
import xml.etree.ElementTree as ET  # nosec B405  # parses our own matplotlib output, never user input
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.template.defaultfilters import floatformat
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, ngettext

from outcomes.models import AppliesTo, GoalRating, Instrument, Measurement, PointKind, RatedBy, ScoringMethod, Source
from outcomes.scoring import ChangeCategory
from outcomes.summary import Summary

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: Bump when the drawing or the post-processing changes: old cache entries are then unused.
CHART_VERSION = "1"
#: Entries are keyed by content, so they are never stale; the timeout only bounds how long
#: scores stay in the cache after nobody opens the page.
CACHE_SECONDS = 7 * 24 * 3600

# GOV.UK palette: each line colour has at least 4.5:1 contrast on white (so it also serves as
# text colour for the point labels); text and axes are GOV.UK's text colour (19:1).
TEXT = "#0b0c0c"
SECONDARY = "#505a5f"  # 7:1 on white: band edges
BAND_FILL = "#d2e2f1"  # decorative fill; the band's edges carry the meaning (dotted, 7:1)
COLOURS = ("#1d70b8", "#00703c", "#4c2c92")
#: Never colour alone: each goal also has its own marker and line style.
MARKERS = ("o", "s", "^")
LINESTYLES = ("-", (0, (6, 3)), (0, (1, 2)))  # solid, dashed, dotted; the cut-off is dash-dot
FONT_STACK = 'system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif'
#: Date labels on the x axis are at least 1/this of the time shown apart; the table has every date.
MAX_DATE_TICKS = 8


@dataclass(frozen=True)
class Reading:
    """One value drawn on a chart and listed in its data table."""

    on: date
    value: Decimal
    #: Start, review or end; "" for a GBO rating between measurement points (shown, not counted).
    kind: str
    by: str  # who completed or rated it, translated

    @property
    def at_point(self) -> bool:
        return bool(self.kind)


@dataclass(frozen=True)
class Line:
    label: str  # "Goal 1" or the measure's name (never free text: see ADR 016)
    readings: tuple[Reading, ...]


@dataclass(frozen=True)
class Band:
    """The reliable-change band: changes within ``centre ± threshold`` are not reliable."""

    centre: Decimal
    threshold: Decimal
    line: int | None = None  # the goal's line for a per-goal band


@dataclass
class Chart:
    code: str
    title: str
    summary: str
    y_min: Decimal
    y_max: Decimal
    y_label: str
    lines: list[Line]
    bands: list[Band] = field(default_factory=list)
    band_label: str = ""
    cutoff: Decimal | None = None
    #: GBO goals as "Goal 1" → the goal's text, for the data table only.
    goals: list[tuple[str, str]] = field(default_factory=list)
    svg: SafeString = field(default_factory=lambda: mark_safe(""))  # noqa: S308  # nosec B308  # empty

    @property
    def id_prefix(self) -> str:
        return f"chart-{self.code}-"

    @property
    def rows(self) -> list[tuple[str, Reading]]:
        """Every reading of every line, in date order, for the data table: (the line's label
        with, for a goal, the goal's own words; the reading)."""
        texts = dict(self.goals)
        rows = [
            (f"{line.label}: {texts[line.label]}" if line.label in texts else line.label, r)
            for line in self.lines
            for r in line.readings
        ]
        return sorted(rows, key=lambda row: row[1].on)

    def cache_key(self) -> str:
        data = {
            "version": CHART_VERSION,
            "language": get_language(),
            **{k: v for k, v in asdict(self).items() if k not in ("svg", "goals")},
        }
        digest = hashlib.sha256(json.dumps(data, default=str, sort_keys=True).encode()).hexdigest()
        return f"outcomes-chart:{digest}"


def _number(value: Decimal | int) -> str:
    """A score as the page's tables show it: 17.43, 22.40, 5."""
    return str(floatformat(value, -2))


# --- What the charts show -------------------------------------------------------------------


_CATEGORY = {
    ChangeCategory.RELIABLE_RECOVERY: lambda: gettext("a reliable recovery"),
    ChangeCategory.RELIABLE_IMPROVEMENT: lambda: gettext("a reliable improvement"),
    ChangeCategory.RELIABLE_DETERIORATION: lambda: gettext("a reliable deterioration"),
    ChangeCategory.NO_RELIABLE_CHANGE: lambda: gettext("no reliable change"),
}


def _with_category(movement: str, category: ChangeCategory | None, has_rule: bool) -> str:
    if not has_rule or category is None:
        return gettext("%(movement)s; no reliable-change rule is configured for this measure.") % {"movement": movement}
    return gettext("%(movement)s: %(category)s.") % {"movement": movement, "category": _CATEGORY[category]()}


def score_summary(first: Decimal, latest: Decimal | None, category: ChangeCategory | None, has_rule: bool) -> str:
    """The chart's one-sentence description, e.g. "Score rose from 17.43 to 22.35: a reliable
    improvement." ``latest`` None: only one score so far."""
    if latest is None:
        return gettext("Only one score so far: %(score)s.") % {"score": _number(first)}
    values = {"first": _number(first), "latest": _number(latest)}
    if latest > first:
        movement = gettext("Score rose from %(first)s to %(latest)s") % values
    elif latest < first:
        movement = gettext("Score fell from %(first)s to %(latest)s") % values
    else:
        movement = gettext("Score stayed at %(first)s") % values
    return _with_category(movement, category, has_rule)


def gbo_summary(mean: Decimal | None, paired: int, category: ChangeCategory | None, has_rule: bool) -> str:
    """The GBO chart's sentence: the mean change over the goals with a first and a latest
    rating at measurement points (the figure the category is judged on)."""
    if mean is None:
        return gettext("Only one rating so far for each goal.")
    values = {"count": paired, "change": _number(abs(mean))}
    if mean > 0:
        movement = ngettext(
            "Ratings rose by %(change)s on average over %(count)d goal",
            "Ratings rose by %(change)s on average over %(count)d goals",
            paired,
        )
    elif mean < 0:
        movement = ngettext(
            "Ratings fell by %(change)s on average over %(count)d goal",
            "Ratings fell by %(change)s on average over %(count)d goals",
            paired,
        )
    else:
        movement = ngettext(
            "Ratings did not change on average over %(count)d goal",
            "Ratings did not change on average over %(count)d goals",
            paired,
        )
    return _with_category(movement % values, category, has_rule)


def build_charts(
    measurements: Sequence[Measurement],
    ratings: Sequence[GoalRating],
    summary: Summary,
    *,
    goal_words: bool = True,
) -> list[Chart]:
    """The charts for one episode, from the records the page already loaded (measurements with
    ``instrument`` and ``point``, ratings with ``point``, in date order) and their summary.
    ``goal_words=False`` (a partner the scores but not the plan are shared with): the goals are
    "Goal 1", "Goal 2" in the table too, never their words.
    Question measures (yes / not sure / no) have no scale to draw: their table is the figure."""
    rows = {row.instrument.pk: row for row in summary.rows}
    by_instrument: dict[int, list[Measurement]] = {}
    for m in sorted(measurements, key=lambda m: (m.instrument.order, m.taken_on, m.pk)):
        if m.instrument.scoring != ScoringMethod.QUESTION and m.score is not None:
            by_instrument.setdefault(m.instrument_id, []).append(m)
    charts = []
    for results in by_instrument.values():
        instrument = results[0].instrument
        rule = instrument.change_rule()
        row = rows[instrument.pk]
        line = Line(
            label=gettext("Score at a measurement point"),
            readings=tuple(
                Reading(on=m.taken_on, value=Decimal(m.score), kind=str(PointKind(m.point.kind).label),
                        by=str(Source(m.source).label))
                for m in results if m.score is not None
            ),
        )  # fmt: skip
        first, latest = line.readings[0].value, (line.readings[-1].value if len(line.readings) > 1 else None)
        chart = _chart(instrument, [line], score_summary(first, latest, row.category, rule is not None))
        chart.y_label = gettext("Score")
        if rule is not None:
            chart.bands = [Band(centre=first, threshold=rule.threshold)]
            chart.band_label = gettext("Reliable-change band around the first score (± %(threshold)s)") % {
                "threshold": _number(rule.threshold)
            }
        charts.append(chart)
    gbo = summary.gbo_instrument
    if ratings and gbo is not None:
        charts.append(_gbo_chart(gbo, ratings, summary, goal_words=goal_words))
    return charts


def _chart(instrument: Instrument, lines: list[Line], sentence: str) -> Chart:
    low = instrument.score_min if instrument.score_min is not None else min(r.value for x in lines for r in x.readings)
    high = instrument.score_max if instrument.score_max is not None else max(r.value for x in lines for r in x.readings)
    return Chart(
        code=instrument.code,
        title=gettext("%(measure)s over time") % {"measure": instrument.name},
        summary=sentence,
        y_min=Decimal(low),
        y_max=Decimal(high),
        y_label="",
        lines=lines,
        cutoff=instrument.cutoff,
    )


def _gbo_chart(gbo: Instrument, ratings: Sequence[GoalRating], summary: Summary, *, goal_words: bool = True) -> Chart:
    by_goal: dict[object, list[GoalRating]] = {}
    for r in ratings:
        by_goal.setdefault(r.goal_id, []).append(r)
    lines, goals = [], []
    for number, rs in enumerate(by_goal.values(), 1):
        # Goals are numbered, not named, in the drawing: their text is the young person's own
        # words and stays out of the shared cache (the table beside the chart names them).
        label = gettext("Goal %(number)d") % {"number": number}
        goals.append((label, rs[0].goal.text))
        lines.append(
            Line(
                label=label,
                readings=tuple(
                    Reading(
                        on=r.rated_on,
                        value=Decimal(r.value),
                        by=str(RatedBy(r.rated_by).label),
                        kind=str(PointKind(r.point.kind).label) if r.point is not None else "",
                    )
                    for r in rs
                ),
            )  # fmt: skip
        )
    rule = gbo.change_rule()
    paired = sum(1 for g in summary.goals if g.change is not None)
    chart = _chart(gbo, lines, gbo_summary(summary.gbo_mean, paired, summary.gbo_category, rule is not None))
    chart.y_label = gettext("Rating")
    chart.goals = goals if goal_words else []
    if rule is not None:
        firsts = [next((r.value for r in line.readings if r.at_point), None) for line in lines]
        if gbo.rc_applies_to == AppliesTo.PER_GOAL:
            chart.bands = [
                Band(centre=v, threshold=rule.threshold, line=i) for i, v in enumerate(firsts) if v is not None
            ]
            chart.band_label = gettext("Reliable-change band around each goal's first rating (± %(threshold)s)")
        else:
            # The threshold applies to the mean change, i.e. mean latest − mean first over the
            # paired goals: the band is drawn around the mean of those goals' first ratings.
            paired_firsts = [Decimal(g.first) for g in summary.goals if g.change is not None and g.first is not None]
            centres = paired_firsts or [v for v in firsts if v is not None]
            if centres:
                chart.bands = [Band(centre=sum(centres, Decimal(0)) / len(centres), threshold=rule.threshold)]
            chart.band_label = gettext("Reliable-change band around the goals' mean first rating (± %(threshold)s)")
        chart.band_label %= {"threshold": _number(rule.threshold)}
    return chart


# --- Drawing --------------------------------------------------------------------------------

_SETUP_LOCK = threading.Lock()
#: matplotlib is not documented as thread-safe (its font cache and text layout are shared), so
#: one chart is drawn at a time per process; drawing is rare, as finished charts are cached.
_RENDER_LOCK = threading.Lock()
_READY = False


def _matplotlib_ready() -> None:
    """Import matplotlib on first use (it costs about half a second: not at worker start) and fix
    the settings every chart shares: text stays text, ids are deterministic, a "$" in a label
    is a dollar sign and not mathematics. These are process-wide and the same for every chart,
    so setting them once under a lock is safe in threaded workers."""
    global _READY
    with _SETUP_LOCK:
        if _READY:
            return
        import matplotlib

        matplotlib.rcParams.update(
            {
                "svg.fonttype": "none",
                "svg.hashsalt": "nyth-outcomes",
                "text.parse_math": False,
                "font.size": 11,
                "text.color": TEXT,
                "axes.edgecolor": TEXT,
                "axes.labelcolor": TEXT,
                "xtick.color": TEXT,
                "ytick.color": TEXT,
            }
        )
        _READY = True


def _x(on: date) -> int:
    return on.toordinal()


def render_svg(chart: Chart) -> str:
    """matplotlib's own SVG of the chart (not yet safe for a page: see ``sanitise``)."""
    _matplotlib_ready()
    with _RENDER_LOCK:
        return _draw(chart)


def _draw(chart: Chart) -> str:
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.4, 4.2), layout="constrained")
    FigureCanvasSVG(figure)
    axes: Axes = figure.add_subplot()
    low, high = float(chart.y_min), float(chart.y_max)
    span = high - low or 1.0
    dates = sorted({r.on for line in chart.lines for r in line.readings})
    first_x, last_x = _x(dates[0]), _x(dates[-1])
    pad = max((last_x - first_x) * 0.08, 7)
    axes.set_xlim(first_x - pad, last_x + pad)
    axes.set_ylim(low, high)
    for band in chart.bands:
        colour = COLOURS[band.line % len(COLOURS)] if band.line is not None else SECONDARY
        style = LINESTYLES[band.line % len(LINESTYLES)] if band.line is not None else (0, (1, 2))
        axes.axhspan(
            max(low, float(band.centre - band.threshold)), min(high, float(band.centre + band.threshold)),
            facecolor=BAND_FILL, edgecolor=colour, linestyle=style, linewidth=1,
            alpha=0.9 if band.line is None else 0.5, zorder=0,
            label=chart.band_label if band is chart.bands[0] else None,
        )  # fmt: skip
    if chart.cutoff is not None:
        axes.axhline(
            float(chart.cutoff), color=TEXT, linestyle="-.", linewidth=1.2, zorder=1,
            label=gettext("Caseness cut-off (%(cutoff)s)") % {"cutoff": _number(chart.cutoff)},
        )  # fmt: skip
    between_labelled = False
    for i, line in enumerate(chart.lines):
        colour, marker, style = COLOURS[i % len(COLOURS)], MARKERS[i % len(MARKERS)], LINESTYLES[i % len(LINESTYLES)]
        counted = [r for r in line.readings if r.at_point]
        axes.plot(
            [_x(r.on) for r in counted], [float(r.value) for r in counted],
            color=colour, marker=marker, linestyle=style, linewidth=2, markersize=7, clip_on=False, zorder=3,
            label=line.label,
        )  # fmt: skip
        between = [r for r in line.readings if not r.at_point]
        if between:
            axes.plot(
                [_x(r.on) for r in between], [float(r.value) for r in between],
                color=colour, marker=marker, markerfacecolor="#ffffff", markeredgewidth=2, linestyle="none",
                markersize=7, clip_on=False, zorder=3,
                label=None if between_labelled else gettext("Between measurement points (not counted)"),
            )  # fmt: skip
            between_labelled = True
    # One label per drawn value: goals with the same rating on the same day share it (it is the
    # same number). It sits above the point, or below it near the top of the scale.
    labelled: dict[tuple[int, Decimal], str] = {}
    for i, line in enumerate(chart.lines):
        for r in line.readings:
            labelled.setdefault((_x(r.on), r.value), COLOURS[i % len(COLOURS)] if len(chart.lines) == 1 else TEXT)
    for (x, value), colour in labelled.items():
        above = float(value) < high - span * 0.1
        axes.annotate(
            _number(value), (x, float(value)), xytext=(0, 7 if above else -15), textcoords="offset points",
            ha="center", fontsize=9, color=colour, annotation_clip=False, zorder=4,
            bbox={"boxstyle": "square,pad=0.1", "facecolor": "#ffffff", "edgecolor": "none"},
        )  # fmt: skip
    shown = _ticks(sorted({r.on for line in chart.lines for r in line.readings if r.at_point}), dates)
    axes.set_xticks([_x(d) for d in shown], [date_format(d, "j M Y") for d in shown])
    if len(shown) > 2:  # slanted, three or more dates never run into each other
        axes.tick_params(axis="x", labelrotation=30)
        for label in axes.get_xticklabels():
            label.set_horizontalalignment("right")
    axes.set_ylabel(chart.y_label)
    axes.set_xlabel(gettext("Date"))
    axes.grid(axis="y", color="#b1b4b6", linewidth=0.5)
    axes.spines[["top", "right"]].set_visible(False)
    figure.legend(loc="outside lower left", ncols=1, frameon=False, fontsize=9)
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def _ticks(at_points: list[date], dates: list[date]) -> list[date]:
    """The dates labelled on the x axis: the first and the last measurement point's, then the
    other points', then any other date (a rating between points), each only if it is at least
    1/``MAX_DATE_TICKS`` of the time shown from every label already chosen (no crowding; the data
    table always lists every date)."""
    gap = (_x(dates[-1]) - _x(dates[0])) / MAX_DATE_TICKS
    chosen: list[date] = []
    ends = [at_points[0], at_points[-1]] if at_points else [dates[0], dates[-1]]
    for candidate in [*ends, *at_points, *(d for d in dates if d not in at_points)]:
        if candidate not in chosen and all(abs(_x(candidate) - _x(d)) >= gap for d in chosen):
            chosen.append(candidate)
    return sorted(chosen)


# --- Post-processing (why: ADR 016) ---------------------------------------------------------

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG_NS)

_ELEMENTS = {"svg", "g", "defs", "path", "use", "clipPath", "rect", "text", "tspan", "title", "desc",
             "circle", "ellipse", "line", "polyline", "polygon"}  # fmt: skip
_REMOVE = {"style", "script", "metadata"}
#: Properties kept from ``style="…"`` as presentation attributes; any other property is dropped.
_PRESENTATION = {"fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-linecap", "stroke-linejoin",
                 "stroke-dasharray", "stroke-dashoffset", "stroke-opacity", "stroke-miterlimit", "opacity",
                 "font-size", "font-style", "font-weight", "text-anchor", "dominant-baseline", "clip-path"}  # fmt: skip
_ATTRIBUTES = _PRESENTATION | {"id", "d", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "width",
                               "height", "points", "transform", "viewBox", "href", "version"}  # fmt: skip
_URL = re.compile(r"url\(\s*#([^)\s]+)\s*\)")
_SAFE_VALUE = re.compile(r"^[#\w\s.,%()+-]*$")


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _properties(style: str) -> dict[str, str]:
    """``"fill: #fff; font: 10px 'DejaVu Sans'"`` → presentation attributes (the ``font``
    shorthand split into its size, weight and style; the family is the page's, set once)."""
    result = {}
    for declaration in style.split(";"):
        name, _, value = (part.strip() for part in declaration.partition(":"))
        if name == "font":
            for token in value.split():
                if token.endswith(("px", "pt")):
                    result["font-size"] = token
                elif token in ("bold", "bolder", "lighter") or token.isdigit():
                    result["font-weight"] = token
                elif token in ("italic", "oblique"):
                    result["font-style"] = token
        elif name in _PRESENTATION:
            result[name] = value
    return result


def sanitise(svg: str, *, prefix: str, title: str, desc: str) -> str:
    """Make matplotlib's SVG safe to inline in a Nyth page (see the module docstring)."""
    root = ET.fromstring(svg)  # noqa: S314  # nosec B314  # parses our own matplotlib output, never user input

    def clean(element: ET.Element) -> None:
        for child in list(element):
            name = _local(child.tag)
            if name in _REMOVE or name not in _ELEMENTS:
                element.remove(child)
            else:
                clean(child)
        attributes = dict(element.attrib)
        element.attrib.clear()
        style = attributes.pop("style", "")
        for key, value in [*attributes.items(), *_properties(style).items()]:
            name = _local(key)
            if name.lower().startswith("on") or name not in _ATTRIBUTES:
                continue
            if name == "href":
                if not value.startswith("#"):
                    continue  # only references inside this chart: never an external URL
                value = f"#{prefix}{value[1:]}"
            elif name == "id":
                value = prefix + value
            elif "url(" in value:
                if not _URL.fullmatch(value.strip()):
                    continue
                value = _URL.sub(lambda m: f"url(#{prefix}{m[1]})", value)
            elif name == "d" or name == "points":
                value = " ".join(value.split())
            if not _SAFE_VALUE.match(value) and name not in ("d", "points"):
                continue
            element.set(name, value)

    clean(root)
    for name in ("width", "height"):
        root.attrib.pop(name, None)
    root.set("class", "nyth-chart")
    root.set("role", "img")
    root.set("aria-labelledby", f"{prefix}title {prefix}desc")
    root.set("font-family", FONT_STACK)
    # What matplotlib's removed <style> said for every element: kept as inherited attributes.
    root.set("stroke-linejoin", "round")
    root.set("stroke-linecap", "butt")
    title_element, desc_element = ET.Element(f"{{{SVG_NS}}}title"), ET.Element(f"{{{SVG_NS}}}desc")
    title_element.set("id", f"{prefix}title")
    title_element.text = title
    desc_element.set("id", f"{prefix}desc")
    desc_element.text = desc
    root.insert(0, desc_element)
    root.insert(0, title_element)
    return ET.tostring(root, encoding="unicode")


def _drawn(chart: Chart) -> str:
    return sanitise(render_svg(chart), prefix=chart.id_prefix, title=chart.title, desc=chart.summary)


def attach_svgs(charts: list[Chart]) -> None:
    """Give each chart its SVG, from the cache when it was drawn before (one cache round trip
    for all the page's charts), drawing and caching the others."""
    keys = {chart.cache_key(): chart for chart in charts}
    cached: dict[str, Any] = cache.get_many(list(keys))
    fresh = {}
    for key, chart in keys.items():
        svg = cached.get(key)
        if not isinstance(svg, str):
            svg = fresh[key] = _drawn(chart)
        # Safe: built by ``sanitise`` from our own drawing; every text in it was escaped by
        # ElementTree on serialisation.
        chart.svg = mark_safe(svg)  # noqa: S308  # nosec B308 B703
    if fresh:
        cache.set_many(fresh, CACHE_SECONDS)
