"""Maturity over time as server-rendered SVG (ADR 016, as ``outcomes.charts``): one small chart
per domain, its mean level at each completed round, each value written beside its point, and the
page's table beside it with the same numbers – the chart never stands alone, and one line per
chart means colour carries nothing. Drawn with matplotlib's object API and made safe for the page
by ``outcomes.charts.sanitise`` (the same CSP-safe post-processing); cached by content."""

from __future__ import annotations

import hashlib
import io
import json

from django.core.cache import cache
from django.template.defaultfilters import floatformat
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from outcomes import charts as outcome_charts
from selfassess.maturity import DomainSeries, Maturity

CHART_VERSION = "1"
COLOUR = "#1d70b8"


def _summary(series: DomainSeries) -> str:
    known = [m for m in series.means if m is not None]
    if not known:
        return gettext("No level yet.")
    if len(known) == 1:
        return gettext("Mean level %(level)s at the only completed round.") % {"level": floatformat(known[0], 1)}
    return gettext("Mean level %(first)s at the first completed round and %(latest)s at the latest.") % {
        "first": floatformat(known[0], 1),
        "latest": floatformat(known[-1], 1),
    }


def _draw(maturity: Maturity, series: DomainSeries) -> str:
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    figure = Figure(figsize=(4.8, 2.8), layout="constrained")
    FigureCanvasSVG(figure)
    axes = figure.add_subplot()
    xs = list(range(len(maturity.rounds)))
    points = [(x, m) for x, m in zip(xs, series.means, strict=True) if m is not None]
    axes.plot([x for x, _ in points], [m for _, m in points], color=COLOUR, marker="o", linewidth=2, clip_on=False)
    for x, m in points:
        axes.annotate(floatformat(m, 1), (x, m), xytext=(0, 7), textcoords="offset points", ha="center", fontsize=9)
    axes.set_xlim(-0.5, max(len(xs) - 0.5, 0.5))
    axes.set_ylim(0.5, maturity.top_level + 0.5)
    axes.set_yticks(list(range(1, maturity.top_level + 1)))
    axes.set_xticks(xs, [date_format(p.assessed_on, "M Y") for p in maturity.rounds])
    axes.set_ylabel(gettext("Mean level"))
    axes.grid(axis="y", color="#b1b4b6", linewidth=0.5)
    axes.spines[["top", "right"]].set_visible(False)
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def domain_svgs(maturity: Maturity) -> dict[str, SafeString]:
    """Domain code → its chart's safe SVG (from the cache when drawn before)."""
    out: dict[str, SafeString] = {}
    if not maturity.rounds:
        return out
    keys: dict[str, DomainSeries] = {}
    for series in maturity.domains:
        content = json.dumps(
            [CHART_VERSION, get_language(), series.code, series.name, series.means, maturity.top_level,
             [p.assessed_on.isoformat() for p in maturity.rounds]]
        )  # fmt: skip
        keys["selfassess-chart:" + hashlib.sha256(content.encode()).hexdigest()] = series
    cached = cache.get_many(list(keys))
    fresh: dict[str, str] = {}
    for key, series in keys.items():
        svg = cached.get(key)
        if not isinstance(svg, str):
            outcome_charts._matplotlib_ready()
            with outcome_charts._RENDER_LOCK:
                drawn = _draw(maturity, series)
            svg = fresh[key] = outcome_charts.sanitise(
                drawn, prefix=f"sa-{series.code}-", title=series.name, desc=_summary(series)
            )
        # Safe: built by ``sanitise`` from our own drawing; its texts were escaped by ElementTree.
        out[series.code] = mark_safe(svg)  # noqa: S308  # nosec B308 B703
    if fresh:
        cache.set_many(fresh, outcome_charts.CACHE_SECONDS)
    return out
