"""Journey: a commissioner (``commissioner``, Cardiff and Vale Regional Partnership Board) opens
their region's report in Welsh from the home page, changes the period and the breakdown with the
keyboard only, and reads the figures – suppressed, with no link to a record – at a 320 px
viewport too. axe (WCAG 2.2 A/AA) finds nothing on any page."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from e2e.support import check_accessibility, press, tab_to

pytestmark = pytest.mark.browser

#: Milliseconds to wait for a report whose charts are not in the cache yet.
DRAWING = 60_000


def test_a_commissioner_changes_period_and_breakdown_by_keyboard_in_welsh(
    signed_in_page: Callable[[str], Page],
) -> None:
    # Given the commissioner's home page, in Welsh
    page = signed_in_page("commissioner")
    page.goto("/cy/")
    check_accessibility(page)

    # When they follow the link to their area's reports
    # (Drawing a page's charts the first time takes a few seconds on a loaded machine.)
    with page.expect_navigation(timeout=DRAWING):
        press(page, page.get_by_role("link", name="Adroddiadau ar gyfer eich ardal"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Adroddiadau ar gyfer eich ardal")
    expect(page.get_by_role("heading", name="Ffigurau allweddol")).to_be_visible()
    check_accessibility(page)
    first_period = page.locator("#id_period").input_value()

    # And choose the previous quarter and a breakdown by gender, with the keyboard only
    period = page.locator("#id_period")
    tab_to(page, period)
    page.keyboard.press("ArrowDown")
    by = page.locator("#id_by")
    tab_to(page, by)
    for _ in range(7):  # past "Dim dadansoddiad", service, region… down to gender
        page.keyboard.press("ArrowDown")
        if by.input_value() == "gender":
            break
    assert by.input_value() == "gender"
    with page.expect_navigation(timeout=DRAWING):
        press(page, page.get_by_role("button", name="Dangos y ffigurau"))

    # Then the page shows that quarter, broken down by gender, as tables with charts beside them
    page.wait_for_url(re.compile(r"/cy/reports/area/\?.*by=gender"))
    assert page.locator("#id_period").input_value() != first_period
    expect(page.get_by_role("table", name=re.compile(r"yn ôl rhywedd$")).first).to_be_visible()
    expect(page.locator("svg.nyth-chart").first).to_be_visible()
    expect(page.get_by_role("heading", name="Tueddiadau dros chwarteri")).to_be_visible()
    # …with no link to any young person's record
    assert page.locator("a[href*='/children/']").count() == 0
    check_accessibility(page)

    # And at a 320 px viewport the page reflows (nothing wider than the screen) with 0 violations
    page.set_viewport_size({"width": 320, "height": 640})
    page.reload(timeout=DRAWING)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"the report is {width} px wide at a 320 px viewport"
    check_accessibility(page, where="the commissioner's report at 320 px")
