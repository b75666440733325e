"""Server-rendered SVG bar charts of a report's tables (ADR 016's approach, reused).

One horizontal bar per category of a breakdown (or per quarter of a trend), drawn with
matplotlib's object API and made safe for the page by ``outcomes.charts.sanitise`` (no styles,
scripts or external references; ids prefixed per chart; ``role="img"`` with a title and a
one-sentence description). Every bar carries its number as text, so nothing is told by colour
alone, and the page always shows the same numbers in a table beside the chart.

A suppressed count is drawn as no bar with the mark ``[c]`` in place of its number: the chart
never holds more than the table may show (it is drawn from the shown values only, never from a
true count). Finished SVGs are cached under a hash of what is drawn and the language, as the
outcomes charts are.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from core.disclosure import MARK
from outcomes.charts import _RENDER_LOCK, COLOURS, TEXT, _matplotlib_ready, sanitise

CHART_VERSION = "1"
CACHE_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True)
class Bar:
    label: str
    #: The number as the table shows it (None: suppressed, drawn as no bar with "[c]").
    value: float | None
    text: str


@dataclass(frozen=True)
class BarChart:
    key: str  # unique on the page: the id prefix
    title: str
    summary: str
    bars: tuple[Bar, ...]

    def cache_key(self) -> str:
        data = {
            "v": CHART_VERSION,
            "lang": get_language(),
            "title": self.title,
            "summary": self.summary,
            "key": self.key,
            "bars": [(b.label, b.value, b.text) for b in self.bars],
        }
        return "reporting-chart:" + hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _draw(chart: BarChart) -> str:
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    height = 1.2 + 0.42 * max(len(chart.bars), 1)
    figure = Figure(figsize=(6.4, height), layout="constrained")
    FigureCanvasSVG(figure)
    axes = figure.add_subplot()
    labels = [b.label for b in chart.bars]
    values = [b.value or 0 for b in chart.bars]
    positions = list(range(len(chart.bars)))
    axes.barh(positions, values, color=COLOURS[0], height=0.6)
    axes.set_yticks(positions, labels)
    axes.invert_yaxis()  # the first category at the top, as in the table
    top = max(values, default=0) or 1
    axes.set_xlim(0, top * 1.18)
    for y, bar in zip(positions, chart.bars, strict=True):
        axes.annotate(
            bar.text if bar.value is not None else MARK,
            (bar.value or 0, y),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=9,
            color=TEXT,
            annotation_clip=False,
        )
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="x", color="#b1b4b6", linewidth=0.5)
    axes.set_axisbelow(True)
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def _rendered(chart: BarChart) -> str:
    _matplotlib_ready()
    with _RENDER_LOCK:
        svg = _draw(chart)
    return sanitise(svg, prefix=f"rchart-{chart.key}-", title=chart.title, desc=chart.summary)


def render_all(charts: Sequence[BarChart]) -> dict[str, SafeString]:
    """Each chart's SVG by its key: from the cache (one round trip for the page) or drawn."""
    keys = {chart.cache_key(): chart for chart in charts}
    cached = cache.get_many(list(keys))
    fresh: dict[str, str] = {}
    out: dict[str, SafeString] = {}
    for cache_key, chart in keys.items():
        svg = cached.get(cache_key)
        if not isinstance(svg, str):
            svg = fresh[cache_key] = _rendered(chart)
        # Safe: built by ``sanitise`` from our own drawing; its texts were escaped by ElementTree.
        out[chart.key] = mark_safe(svg)  # noqa: S308  # nosec B308 B703
    if fresh:
        cache.set_many(fresh, CACHE_SECONDS)
    return out
