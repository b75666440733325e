"""Journey: the demo young person, on a phone-sized screen (320 px), signs in with their password
(two-factor is optional for young people, ADR 019), opens My nest and asks for someone to be
added – first with nothing written (the error), then properly – reads My sessions and My plan,
and finds Help now from the top of the page, in English and in Welsh, with JavaScript and
without. axe on every page, and no page wider than the screen (WCAG 2.2 SC 1.4.10 Reflow)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from e2e.support import assert_no_sideways_scrolling, check_accessibility, submit_credentials

pytestmark = pytest.mark.browser

USERNAME = "youngperson"


def _fits(page: Page) -> None:
    assert_no_sideways_scrolling(page, 320)
    check_accessibility(page, where=f"{page.url} at 320 px")


@pytest.mark.parametrize(("language", "javascript"), [("en", True), ("cy", False)])
def test_a_young_person_uses_their_pages_on_a_phone(
    new_page: Callable[..., Page], language: str, javascript: bool
) -> None:
    page = new_page(javascript=javascript)
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"/{language}/account/sign-in/")
    check_accessibility(page)
    submit_credentials(page, USERNAME)
    page.wait_for_url(re.compile(r"/(en|cy)/my/$"))
    _fits(page)
    if f"/{language}/my/" not in page.url:
        page.goto(f"/{language}/my/")
        _fits(page)

    # My nest: an empty request is refused beside the field; a real one is sent.
    page.goto(f"/{language}/my/nest/")
    _fits(page)
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(page.locator("#id_text-error")).to_be_visible()
    _fits(page)
    page.locator("#id_text").fill("My nan. She picks me up from school.")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/{language}/my/nest/$"))
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    _fits(page)

    for address in ("sessions", "plan"):
        page.goto(f"/{language}/my/{address}/")
        _fits(page)

    # Help now, from the link at the top of every page of the space.
    page.locator("a[href$='/my/help/']").first.click()
    page.wait_for_url(re.compile(rf"/{language}/my/help/$"))
    expect(page.locator("main")).to_contain_text("999")
    expect(page.locator("a[href='tel:08088023456']")).to_be_visible()
    _fits(page)
