"""Journey: every step of signing in works with JavaScript switched off."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from e2e.support import RECORD_URL, Authenticator, check_accessibility, sign_in

pytestmark = pytest.mark.browser


def test_sign_in_and_home_work_without_javascript(new_page: Callable[..., Page], authenticator: Authenticator) -> None:
    # Given a browser with JavaScript switched off
    page = new_page(javascript=False)

    # When Ffion, a practitioner, signs in (setting up two-factor if this is her first time)
    sign_in(page, authenticator, "practitioner")

    # Then she reaches the home page with her caseload, and no script ran on the way
    expect(page).to_have_url(re.compile(r"/en/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Ffion Hughes")
    expect(page.get_by_role("table", name="Your caseload")).to_be_visible()
    expect(page.locator("body")).not_to_have_class(re.compile(r"\bjs-enabled\b"))

    # And she can open a child's record from her caseload
    page.get_by_role("table", name="Your caseload").get_by_role("link").first.click()
    expect(page).to_have_url(RECORD_URL)
    expect(page.get_by_role("heading", name="Personal details")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Home").click()
    expect(page).to_have_url(re.compile(r"/en/$"))
    check_accessibility(page)

    # And the plain links and forms still work: the language switch and the menu
    page.get_by_role("navigation", name="Language").get_by_role("link", name="Cymraeg").click()
    expect(page).to_have_url(re.compile(r"/cy/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Helo, Ffion Hughes")
    check_accessibility(page)
    page.get_by_role("navigation", name="Dewislen").get_by_role("link", name="Plant a phobl ifanc").click()
    expect(page).to_have_url(re.compile(r"/cy/children/$"))
    check_accessibility(page)
    page.get_by_role("navigation", name="Iaith").get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile(r"/en/children/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    check_accessibility(page)

    # And signing out (a form in the menu) works too
    page.get_by_role("navigation", name="Menu").get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/en/account/sign-in/$"))
    check_accessibility(page)
