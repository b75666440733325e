"""Journey: a manager on a phone (or at 400 % zoom: 1280 px / 4 = 320 px) reads the people
list and the waiting list without the page scrolling sideways (WCAG 2.2 SC 1.4.10 Reflow).

axe does not check reflow, so this measures it: at a 320 px viewport the document is no wider
than the viewport. axe itself also runs on each page at that width (0 violations), so what
changes in the narrow layout is checked too. A wide table scrolls inside its own container, which a keyboard user can
focus (and scroll with the arrow keys) and a screen reader names as a region.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from e2e.support import check_accessibility

pytestmark = pytest.mark.browser

PAGES = ["/{language}/children/", "/{language}/referrals/waiting-list/", "/{language}/referrals/"]


@pytest.mark.parametrize("language", ["en", "cy"])
def test_wide_tables_scroll_in_their_own_region_at_320_px(signed_in_page: Callable[[str], Page], language: str) -> None:
    page = signed_in_page("manager")
    page.set_viewport_size({"width": 320, "height": 640})
    for address in PAGES:
        page.goto(address.format(language=language))
        expect(page.locator("html")).to_have_attribute("lang", language)
        region = page.locator(".nyth-table-scroll").first
        expect(region).to_have_attribute("role", "region")
        expect(region).to_have_attribute("tabindex", "0")
        assert region.get_attribute("aria-label"), address
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{address} is {width} px wide at a 320 px viewport"
        # The table itself is wider than the screen: it scrolls inside its region.
        region.focus()
        expect(region).to_be_focused()
        # axe at 320 px, on the page as laid out for this width (English and Welsh).
        assert page.viewport_size == {"width": 320, "height": 640}
        check_accessibility(page, where=f"{address.format(language=language)} at 320 px")
