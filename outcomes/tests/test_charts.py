"""Charts on the outcomes page (ADR 016): the SVG passes the CSP and has nothing a page would
refuse, ids stay unique with two charts, role=img with a title and a one-sentence summary that
says the right thing, Welsh dates and sentence under /cy/, a data table beside every chart,
constant queries, the cache serves the second render, and strangers see no chart."""

from __future__ import annotations

import datetime
import re
from html.parser import HTMLParser
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from episodes import services as episode_services
from outcomes import charts
from outcomes.models import GoalRating, Instrument
from outcomes.tests.test_outcomes_page import measure
from plans.models import Goal, Plan

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
RISE = ([3, 3, 3, 3, 2, 2, 2], [4, 4, 4, 4, 3, 3, 3])  # raw 18 → 25: metric 17.43 → 22.35, +4.92 > 3.76


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()  # the test cache is one process-wide LocMemCache
    yield
    cache.clear()


@pytest.fixture
def episode(child, alice):
    return episode_services.open_episode(
        by=alice, child=child, opened_on=TODAY() - datetime.timedelta(days=300), opened_from="returning"
    )


@pytest.fixture
def goal(child, alice):
    plan = Plan.objects.create(
        child=child, language="en", updated_by=alice, next_review_on=TODAY() + datetime.timedelta(days=60)
    )
    return Goal.objects.create(plan=plan, text="Sleep better")


class Page(HTMLParser):
    """Every element of a page with its attributes, and which are inside an <svg>."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str], bool]] = []
        self.texts: dict[str, str] = {}
        self._depth = 0
        self._open: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = {k: v or "" for k, v in attrs}
        if tag == "svg":
            self._depth += 1
        self.elements.append((tag, attributes, self._depth > 0))
        self._open.append(attributes.get("id", ""))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag == "svg":
            self._depth -= 1
        if self._open:
            self._open.pop()

    def handle_data(self, data):
        if self._open and self._open[-1]:
            self.texts[self._open[-1]] = self.texts.get(self._open[-1], "") + data

    @property
    def svgs(self) -> list[dict[str, str]]:
        return [a for tag, a, _ in self.elements if tag == "svg"]

    @property
    def ids(self) -> list[str]:
        return [a["id"] for _, a, _ in self.elements if "id" in a]


def outcomes_page(client, child, language="en") -> str:
    with translation.override(language):
        url = reverse("outcomes:child_outcomes", args=[child.pk])
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def svg_sources(html: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", html, re.S)


def two_charts(alice, episode, goal, start=RISE[0], review=RISE[1], ratings=(2, 7)):
    measure(alice, episode, "start", 290, start, goal, ratings[0])
    measure(alice, episode, "review", 100, review, goal, ratings[1])


def test_the_svg_has_no_script_style_handler_or_external_url(client_for, alice, child, episode, goal):
    two_charts(alice, episode, goal)
    html = outcomes_page(client_for(alice), child)
    sources = svg_sources(html)
    assert len(sources) == 2  # SWEMWBS and GBO
    for source in sources:
        assert "<script" not in source and "<style" not in source and "<metadata" not in source
        assert not re.search(r"\sstyle=", source)
    inside = [(tag, a) for tag, a, in_svg in Page(html).elements if in_svg]
    assert len(inside) > 50  # the charts were parsed, not skipped
    for tag, attributes in inside:
        for name, value in attributes.items():
            assert not name.startswith("on"), (tag, name)
            assert name != "style", tag
            if name in ("href", "xlink:href", "src"):
                assert value.startswith("#") and "http" not in value, (tag, name, value)
            for url in re.findall(r"url\(([^)]*)\)", value):
                assert url.startswith("#") and "http" not in url, (tag, name, value)


def test_every_id_on_a_page_with_two_charts_is_unique_and_every_reference_resolves(
    client_for, alice, child, episode, goal
):
    two_charts(alice, episode, goal)
    html = outcomes_page(client_for(alice), child)
    page = Page(html)
    assert len(page.svgs) == 2
    assert len(page.ids) == len(set(page.ids)), sorted(i for i in page.ids if page.ids.count(i) > 1)
    ids = set(page.ids)
    references = re.findall(r'href="#([^"]+)"', html) + re.findall(r"url\(#([^)]+)\)", html)
    assert references and all(r in ids for r in references)
    # matplotlib names both charts' groups alike ("figure_1"): only the prefix tells them apart
    assert "chart-swemwbs-figure_1" in ids and "chart-gbo-figure_1" in ids


@pytest.mark.parametrize(
    ("start", "review", "sentence"),
    [
        (*RISE, "Score rose from 17.43 to 22.35: a reliable improvement."),
        (RISE[1], RISE[0], "Score fell from 22.35 to 17.43: a reliable deterioration."),
        ([3] * 7, [3, 3, 3, 3, 3, 3, 4], "Score rose from 19.25 to 19.98: no reliable change."),
        ([3] * 7, [3] * 7, "Score stayed at 19.25: no reliable change."),
    ],
)
def test_role_img_with_title_and_a_summary_sentence(client_for, alice, child, episode, goal, start, review, sentence):
    two_charts(alice, episode, goal, start, review)
    page = Page(outcomes_page(client_for(alice), child))
    svg = page.svgs[0]
    assert svg["role"] == "img"
    assert "width" not in svg and "height" not in svg and svg["viewbox"]  # scales with its column
    title_id, desc_id = svg["aria-labelledby"].split()
    assert ("title", {"id": title_id}, True) in page.elements and ("desc", {"id": desc_id}, True) in page.elements
    assert page.texts[title_id] == "Short Warwick-Edinburgh Mental Wellbeing Scale (SWEMWBS) over time"
    assert page.texts[desc_id] == sentence


def test_the_summary_says_when_there_is_one_score_or_no_rule(client_for, alice, child, episode, goal):
    measure(alice, episode, "start", 290, RISE[0], goal, 4)
    page = Page(outcomes_page(client_for(alice), child))
    assert page.texts["chart-swemwbs-desc"] == "Only one score so far: 17.43."
    assert page.texts["chart-gbo-desc"] == "Only one rating so far for each goal."
    measure(alice, episode, "review", 100, RISE[1], goal, 5)
    Instrument.objects.filter(code="swemwbs").update(rc_method="none")
    Instrument.objects.filter(code="gbo").update(rc_method="none")
    page = Page(outcomes_page(client_for(alice), child))
    assert page.texts["chart-swemwbs-desc"] == (
        "Score rose from 17.43 to 22.35; no reliable-change rule is configured for this measure."
    )
    assert page.texts["chart-gbo-desc"] == (
        "Ratings rose by 1 on average over 1 goal; no reliable-change rule is configured for this measure."
    )
    html = outcomes_page(client_for(alice), child)
    assert "Reliable-change band" not in html  # no rule, no band


def test_the_band_and_the_caseness_line_are_drawn_where_configured(client_for, alice, child, episode, goal):
    two_charts(alice, episode, goal)
    first = svg_sources(outcomes_page(client_for(alice), child))[0]
    assert "Reliable-change band around the first score (± 3.76)" in first
    assert "Caseness cut-off" not in first  # no default cut-off
    Instrument.objects.filter(code="swemwbs").update(cutoff="19.50")
    first = svg_sources(outcomes_page(client_for(alice), child))[0]
    assert "Caseness cut-off (19.50)" in first
    assert Page(outcomes_page(client_for(alice), child)).texts["chart-swemwbs-desc"] == (
        "Score rose from 17.43 to 22.35: a reliable recovery."  # crossed the cut-off upwards
    )


def test_gbo_a_line_per_goal_never_colour_alone_and_between_ratings_hollow(client_for, alice, child, episode, goal):
    second = Goal.objects.create(plan=goal.plan, text="See my brother")
    start = measure(alice, episode, "start", 290, RISE[0], goal, 2)
    review = measure(alice, episode, "review", 100, RISE[1], goal, 7)
    for point, value, days in ((start, 3, 290), (review, 4, 100)):
        GoalRating.objects.create(
            child=child, goal=second, point=point, value=value, rated_by="carer",
            rated_on=TODAY() - datetime.timedelta(days=days),
            recorded_by=alice,
        )  # fmt: skip
    GoalRating.objects.create(
        child=child, goal=goal, value=9, rated_by="young_person", rated_on=TODAY() - datetime.timedelta(days=50),
        recorded_by=alice,
    )  # fmt: skip
    html = outcomes_page(client_for(alice), child)
    gbo = svg_sources(html)[1]
    assert "Goal 1" in gbo and "Goal 2" in gbo
    assert "Sleep better" not in gbo  # the young person's words stay out of the drawing and its cache
    assert "Between measurement points (not counted)" in gbo
    # Distinct markers: each goal's marker is its own <path> in <defs>; distinct line styles
    markers = set(re.findall(r'<path id="(chart-gbo-m[0-9a-f]+)"', gbo))
    assert len(markers) >= 2
    line_dashes = set(re.findall(r'stroke-dasharray="([^"]+)"[^>]*stroke-width="2"', gbo))
    solid = re.search(r'<path d="[^"]*"[^>]*fill="none" stroke="#1d70b8" stroke-width="2"', gbo)
    assert solid and line_dashes  # goal 1 solid, goal 2 dashed
    assert re.search(r'<use href="#chart-gbo-m[0-9a-f]+"[^>]*fill="#ffffff"', gbo)  # the hollow marker
    assert "Ratings rose by 3 on average over 2 goals: a reliable improvement." in html  # (5 + 1) / 2 > 2.45


def test_a_per_goal_threshold_draws_a_band_around_each_goal(client_for, alice, child, episode, goal):
    Instrument.objects.filter(code="gbo").update(rc_applies_to="per_goal")
    two_charts(alice, episode, goal, ratings=(2, 4))  # +2: not more than 2.45
    html = outcomes_page(client_for(alice), child)
    gbo = svg_sources(html)[1]
    assert "Reliable-change band around each goal&#x27;s first rating (± 2.45)" in gbo or (
        "Reliable-change band around each goal's first rating (± 2.45)" in gbo
    )
    assert Page(html).texts["chart-gbo-desc"] == "Ratings rose by 2 on average over 1 goal: no reliable change."


def test_a_data_table_beside_each_chart_has_every_number(client_for, alice, child, episode, goal):
    two_charts(alice, episode, goal)
    GoalRating.objects.create(
        child=child, goal=goal, value=9, rated_by="young_person", rated_on=TODAY() - datetime.timedelta(days=50),
        recorded_by=alice,
    )  # fmt: skip
    html = outcomes_page(client_for(alice), child)
    sections = re.findall(r'<section class="nyth-chart-section".*?</section>', html, re.S)
    assert len(sections) == 2
    for section in sections:
        assert "<svg" in section and "<table" in section
        assert 'class="nyth-table-scroll" tabindex="0" role="region"' in section
    swemwbs, gbo = sections
    start, review = (date_format(TODAY() - datetime.timedelta(days=d), "j F Y") for d in (290, 100))
    rows = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r)).strip() for r in re.findall(r"<tr.*?</tr>", swemwbs, re.S)]
    assert rows[1:] == [
        f"{start} Start 17.43 Completed with the practitioner",
        f"{review} Review 22.35 Completed with the practitioner",
    ]
    between = date_format(TODAY() - datetime.timedelta(days=50), "j F Y")
    assert f"{between} </td>" not in gbo and between in gbo
    assert "Between measurement points (not counted)" in gbo and "Goal 1: Sleep better" in gbo
    assert "The young person" in gbo


def test_welsh_dates_and_sentence_under_cy(client_for, alice, child, episode, goal):
    two_charts(alice, episode, goal)
    html = outcomes_page(client_for(alice), child, "cy")
    page = Page(html)
    assert page.texts["chart-swemwbs-desc"] == "Cododd y sgôr o 17.43 i 22.35: gwelliant dibynadwy."
    swemwbs = svg_sources(html)[0]
    for days in (290, 100):
        on = TODAY() - datetime.timedelta(days=days)
        with translation.override("cy"):
            welsh = date_format(on, "j M Y")
        with translation.override("en"):
            english = date_format(on, "j M Y")
        assert welsh in swemwbs
        if welsh != english:
            assert english not in swemwbs
        with translation.override("cy"):
            assert date_format(on, "j F Y") in html  # the table beside it: the month's full Welsh name
    assert "Dyddiad" in swemwbs and "Sgôr" in swemwbs
    assert "Y rhifau yn y siart: Graddfa Fer Warwick-Caeredin ar gyfer Llesiant Meddyliol (SWEMWBS) dros amser" in html
    assert "Date" not in swemwbs.replace("Dyddiad", "")


def test_queries_are_the_same_with_2_and_20_measurements(client_for, alice, child, episode, goal):
    client = client_for(alice)
    two_charts(alice, episode, goal)
    with CaptureQueriesContext(connection) as few:
        assert len(svg_sources(outcomes_page(client, child))) == 2
    for n in range(18):
        measure(alice, episode, "review", 270 - n * 9, [4] * 7, goal, 5)
    cache.clear()  # both pages draw their charts
    with CaptureQueriesContext(connection) as many:
        assert len(svg_sources(outcomes_page(client, child))) == 2
    assert len(many) == len(few)


def test_the_second_render_comes_from_the_cache(client_for, alice, child, episode, goal):
    two_charts(alice, episode, goal)
    client = client_for(alice)
    with mock.patch("outcomes.charts.render_svg", wraps=charts.render_svg) as render:
        first = outcomes_page(client, child)
        assert render.call_count == 2
        second = outcomes_page(client, child)
        assert render.call_count == 2  # no second matplotlib call
        assert svg_sources(second) == svg_sources(first)
        outcomes_page(client, child, "cy")
        assert render.call_count == 4  # the language is part of the key
        measure(alice, episode, "review", 50, [5] * 7)
        outcomes_page(client, child)
        assert render.call_count == 5  # SWEMWBS changed; GBO did not


def test_drawing_is_deterministic(client_for, alice, child, episode, goal):
    two_charts(alice, episode, goal)
    first = svg_sources(outcomes_page(client_for(alice), child))
    cache.clear()
    assert svg_sources(outcomes_page(client_for(alice), child)) == first


def test_out_of_scope_gets_404_and_no_chart_is_drawn(client_for, charlie, bob, alice, child, episode, goal):
    two_charts(alice, episode, goal)
    with mock.patch("outcomes.charts.render_svg") as render:
        for user in (charlie, bob):
            assert client_for(user).get(reverse("outcomes:child_outcomes", args=[child.pk])).status_code == 404
    render.assert_not_called()


def test_sanitise_strips_what_matplotlib_might_one_day_emit():
    """The guarantees hold for hostile input too, not only for today's matplotlib output."""
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10pt" '
        'height="5pt" viewBox="0 0 10 5" onload="alert(1)"><metadata>m</metadata><style>*{}</style>'
        '<script>alert(2)</script><defs><clipPath id="p1"><rect width="1" height="1"/></clipPath>'
        '<path id="m1" d="M 0 0&#10;L 1 1"/></defs><image href="http://example.org/x.png"/>'
        '<g id="g1" style="fill: url(http://example.org/x); stroke: #000; clip-path: url(#p1); '
        'behavior: url(x.htc); font: bold 10px \'DejaVu Sans\'" onclick="x()">'
        '<use xlink:href="#m1"/><use xlink:href="http://example.org/#m"/><text>a &lt;b&gt;</text></g></svg>'
    )
    out = charts.sanitise(svg, prefix="c-", title="T <t>", desc="D")
    for bad in ("<script", "<style", "<metadata", "<image", "onload", "onclick", "style=", "example.org", "behavior"):
        assert bad not in out, bad
    assert 'viewBox="0 0 10 5"' in out and 'width="10pt"' not in out
    assert '<clipPath id="c-p1">' in out and 'clip-path="url(#c-p1)"' in out and 'href="#c-m1"' in out
    assert 'stroke="#000"' in out and 'font-size="10px"' in out and 'font-weight="bold"' in out
    assert 'd="M 0 0 L 1 1"' in out
    assert "a &lt;b&gt;" in out and "T &lt;t&gt;" in out  # text stays escaped
    assert 'role="img" aria-labelledby="c-title c-desc"' in out
