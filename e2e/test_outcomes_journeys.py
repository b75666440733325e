"""Journeys: outcome measures (issue 13). Ffion (``practitioner``), working in Welsh, opens
support for a young person in her caseload if none is current, adds a measurement point,
records the start where it is still waiting, then a review: the guidance's trusted-adult
question, SWEMWBS when the young person is old enough for it (from the paper form: the licensed
wording is not loaded) and the plan's goals (GBO); adds a review the young person declines, and
reads the outcomes page: the chart of each scored measure (an image with its name) with the
table of its numbers beside it, also at 320 px wide without the page scrolling sideways. Chosen
by what the pages show, so it holds whichever seeded young person it lands on."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from e2e.support import (
    add_measurement_point,
    caseload,
    check_accessibility,
    fill_date,
    open_support_today,
    rate_goals,
    today,
    with_current_support,
)

pytestmark = pytest.mark.browser


def test_a_welsh_practitioner_records_measures_and_a_declined_review(
    signed_in_page: Callable[[str], Page],
) -> None:
    day = today()
    # Given Ffion on her caseload, with the last young person in it
    page = signed_in_page("practitioner")
    young_person = caseload(page)[-1]

    # When support is current (opened today if it was not) and she adds a measurement point in Welsh
    with_current_support(page, young_person)
    # Where the start point is still waiting (support opened today) she records it first
    start_link = page.get_by_role("link", name=re.compile(r"^Cofnodi mesurau \(Dechrau,"))
    started = start_link.count() > 0
    if started:
        start_link.first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Cofnodi mesurau: Dechrau")
        check_accessibility(page)
        fill_measures(page, day, last_item="3", rating="3")  # SWEMWBS raw 21: 19.25
        page.get_by_role("button", name="Cadw'r mesurau").click()
        expect(page.get_by_text("Cafodd y mesurau eu cofnodi.")).to_be_visible()
        check_accessibility(page)
    # (a review: the demo data may already have given this support its one start point)
    add_measurement_point(page, day)
    expect(page.get_by_text("Cafodd y pwynt mesur ei ychwanegu.")).to_be_visible()
    check_accessibility(page)

    # And she records the measures, first leaving one SWEMWBS item out where it is offered
    page.get_by_role("link", name=re.compile("^Cofnodi mesurau")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cofnodi mesurau: Adolygiad")
    check_accessibility(page)
    fill_date(page, "id_taken_on", day)
    page.get_by_label("Wedi'i gwblhau gyda'r ymarferydd").check()
    page.get_by_role(
        "group", name="Oes gennych chi berthynas dda ag oedolyn rydych chi'n ymddiried ynddo?"
    ).get_by_label("Ddim yn siŵr").check()
    goals = rate_goals(page, "6")
    swemwbs = page.locator("#id_swemwbs_1").count() > 0
    if swemwbs:
        for n in range(1, 7):
            page.locator(f"#id_swemwbs_{n}").fill("3")
        page.get_by_role("button", name="Cadw'r mesurau").click()
        expect(page.locator(".govuk-error-summary")).to_contain_text("Rhowch yr ateb i eitem 7")
        expect(page.locator("#id_swemwbs_1")).to_have_value("3")  # what was typed is kept
        check_accessibility(page)
        page.locator("#id_swemwbs_7").fill("2")
    page.get_by_role("button", name="Cadw'r mesurau").click()

    # Then the point is done
    expect(page.get_by_text("Cafodd y mesurau eu cofnodi.")).to_be_visible()
    check_accessibility(page)

    # When she adds a review that the young person declines
    add_measurement_point(page, day)
    check_accessibility(page)
    page.get_by_role("link", name=re.compile("^Cofnodi heb ei wneud")).first.click()
    check_accessibility(page)
    page.get_by_label("Gwrthododd y person ifanc").check()
    fill_date(page, "id_on", day)
    page.get_by_role("button", name="Cadw", exact=True).click()

    # Then not done is shown with its reason, and the outcomes page has the data table
    expect(page.get_by_text("Gwrthododd y person ifanc")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("link", name="Canlyniadau: cyntaf, diweddaraf a newid").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Canlyniadau")
    check_accessibility(page)
    table = page.get_by_role("table", name="Fesul mesur")
    expect(table).to_contain_text("Ddim yn siŵr")
    if swemwbs:
        expect(table).to_contain_text("18.59")  # raw 20 (six 3s and a 2) on the published table

    # And each scored measure has its chart, named by its title and summary, with its numbers beside it
    swemwbs_name = "Graddfa Fer Warwick-Caeredin ar gyfer Llesiant Meddyliol (SWEMWBS) dros amser"
    if swemwbs:
        expect(page.get_by_role("img", name=re.compile("^" + re.escape(swemwbs_name)))).to_be_visible()
        numbers = page.get_by_role("table", name=f"Y rhifau yn y siart: {swemwbs_name}")
        expect(numbers).to_contain_text("18.59")
        expect(numbers).to_contain_text("Adolygiad")
        expect(numbers).to_contain_text("Wedi'i gwblhau gyda'r ymarferydd")
        if started:
            expect(numbers).to_contain_text("19.25")
            expect(numbers).to_contain_text("Dechrau")
            expect(page.get_by_role("img", name=re.compile(r"Gostyngodd y sgôr o 19\.25 i 18\.59"))).to_be_visible()
    if goals:
        gbo_name = "Canlyniadau ar Sail Nodau (GBO) dros amser"
        expect(page.get_by_role("img", name=re.compile("^" + re.escape(gbo_name)))).to_be_visible()
        expect(page.get_by_role("table", name=f"Y rhifau yn y siart: {gbo_name}")).to_contain_text("Nod 1: ")
    if swemwbs or goals:
        expect(page.locator("svg[role=img]").first).to_be_visible()
        assert page.locator("svg[role=img] script, svg[role=img] style").count() == 0

    # At 320 px wide (400 % zoom) the page, charts and all, does not scroll sideways
    page.set_viewport_size({"width": 320, "height": 640})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"the outcomes page is {width} px wide at a 320 px viewport"
    for chart in page.locator("svg[role=img]").all():
        box = chart.bounding_box()
        assert box is not None and box["width"] <= 320
    check_accessibility(page, where="the outcomes page at 320 px")


def fill_measures(page: Page, day: datetime.date, *, last_item: str, rating: str) -> None:
    """Date, source, the trusted-adult question, SWEMWBS where offered (six 3s and ``last_item``)
    and every goal rated ``rating``."""
    fill_date(page, "id_taken_on", day)
    page.get_by_label("Wedi'i gwblhau gyda'r ymarferydd").check()
    page.get_by_role(
        "group", name="Oes gennych chi berthynas dda ag oedolyn rydych chi'n ymddiried ynddo?"
    ).get_by_label("Nac oes").check()
    if page.locator("#id_swemwbs_1").count() > 0:
        for n in range(1, 7):
            page.locator(f"#id_swemwbs_{n}").fill("3")
        page.locator("#id_swemwbs_7").fill(last_item)
    rate_goals(page, rating)


def test_a_welsh_practitioner_records_a_start_and_a_review_and_reads_the_chart(
    signed_in_page: Callable[[str], Page],
) -> None:
    """From the start: Ffion opens support for a young person on her caseload who has none (not
    the last one, which the journey above uses), records the start SWEMWBS and GBO, later a
    review, and reads the chart (an image named by its title and summary) and its table."""
    day = today()
    page = signed_in_page("practitioner")
    chosen = None
    for young_person in caseload(page)[:-1]:
        page.goto(young_person.measurement_points())
        check_accessibility(page)
        if page.get_by_text("Nid oes cymorth cyfredol, felly nid oes mesurau'n ddyledus.").count() == 0:
            continue  # support is current: the seeded points are there already
        # Given support opened today, whose start point is then due
        open_support_today(page, young_person)
        page.goto(young_person.measurement_points())
        check_accessibility(page)
        page.get_by_role("link", name=re.compile(r"^Cofnodi mesurau \(Dechrau,")).first.click()
        check_accessibility(page)
        if page.locator("#id_swemwbs_1").count() > 0:  # old enough for SWEMWBS
            chosen = young_person
            break
        page.goto(young_person.measurement_points())  # too young: leave its start to the others
        check_accessibility(page)
    assert chosen is not None, "no young person on the caseload without support and old enough for SWEMWBS"

    # When she records the start in Welsh: SWEMWBS raw 21 (19.25) and each goal 2
    expect(page.get_by_role("heading", level=1)).to_have_text("Cofnodi mesurau: Dechrau")
    fill_measures(page, day, last_item="3", rating="2")
    page.get_by_role("button", name="Cadw'r mesurau").click()
    expect(page.get_by_text("Cafodd y mesurau eu cofnodi.")).to_be_visible()
    check_accessibility(page)

    # And later a review: SWEMWBS raw 28 (25.03) and each goal 7
    add_measurement_point(page, day)
    check_accessibility(page)
    page.get_by_role("link", name=re.compile(r"^Cofnodi mesurau \(Adolygiad,")).first.click()
    check_accessibility(page)
    fill_measures(page, day, last_item="3", rating="7")
    for n in range(1, 8):
        page.locator(f"#id_swemwbs_{n}").fill("4")
    page.get_by_role("button", name="Cadw'r mesurau").click()
    expect(page.get_by_text("Cafodd y mesurau eu cofnodi.")).to_be_visible()
    check_accessibility(page)

    # Then the outcomes page has the chart, named by its title and its one-sentence summary
    page.get_by_role("link", name="Canlyniadau: cyntaf, diweddaraf a newid").click()
    check_accessibility(page)
    title = "Graddfa Fer Warwick-Caeredin ar gyfer Llesiant Meddyliol (SWEMWBS) dros amser"
    chart = page.get_by_role("img", name=f"{title} Cododd y sgôr o 19.25 i 25.03: gwelliant dibynadwy.")
    expect(chart).to_be_visible()
    # And beside it the table of its numbers
    numbers = page.get_by_role("table", name=f"Y rhifau yn y siart: {title}")
    expect(numbers.locator("tbody tr")).to_have_count(2)
    expect(numbers.locator("tbody tr").first).to_contain_text("Dechrau")
    expect(numbers.locator("tbody tr").first).to_contain_text("19.25")
    expect(numbers.locator("tbody tr").last).to_contain_text("Adolygiad")
    expect(numbers.locator("tbody tr").last).to_contain_text("25.03")
    if page.locator("#chart-gbo-title").count():
        gbo = page.get_by_role("table", name="Y rhifau yn y siart: Canlyniadau ar Sail Nodau (GBO) dros amser")
        expect(gbo).to_contain_text("Nod 1: ")
        expect(page.locator("#chart-gbo-desc")).to_have_text(
            re.compile(r"^Cododd y sgoriau 5 ar gyfartaledd dros \d nod: gwelliant dibynadwy\.$")
        )

    # And at 320 px wide the page does not scroll sideways; axe passes at that width too
    page.set_viewport_size({"width": 320, "height": 640})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"the outcomes page is {width} px wide at a 320 px viewport"
    expect(chart).to_be_visible()
    check_accessibility(page, where="the outcomes page at 320 px")
