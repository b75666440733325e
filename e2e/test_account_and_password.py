"""Journeys: forgotten password (no account enumeration), and the person's own account page,
where the language is saved by a form (the header links only change the page)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from e2e.support import check_accessibility

pytestmark = pytest.mark.browser


def test_forgotten_password_asks_for_the_email_and_says_the_same_for_any_address(page: Page) -> None:
    # Given someone on the sign-in page who has forgotten their password
    page.goto("/en/account/sign-in/")
    check_accessibility(page)
    page.get_by_role("link", name="Forgotten your password?").click()

    # When they give an email address
    expect(page).to_have_url(re.compile(r"/en/account/password-reset/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")
    check_accessibility(page)
    page.get_by_label("Email address").fill("nobody-at-all@example.org")
    page.get_by_role("button", name="Send the link").click()

    # Then they are told to check their email, whether or not the address has an account
    expect(page).to_have_url(re.compile(r"/en/account/password-reset/sent/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    check_accessibility(page)


def test_the_language_is_saved_on_the_account_page(signed_in_page: Callable[[str], Page]) -> None:
    # Given Sioned, a service manager, signed in
    page = signed_in_page("manager")

    # When she opens her account and chooses Cymraeg there
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Your account").click()
    expect(page).to_have_url(re.compile(r"/en/account/$"))
    check_accessibility(page)
    page.get_by_role("group", name="Language for Nyth").get_by_label("Cymraeg").check()
    page.get_by_role("button", name="Save language").click()

    # Then the account page is in Welsh and says the language was saved
    expect(page).to_have_url(re.compile(r"/cy/account/$"))
    expect(page.get_by_text("Mae eich iaith wedi'i chadw.")).to_be_visible()
    check_accessibility(page)

    # And she can open the page to change her password (in Welsh)
    page.get_by_role("link", name="Newid eich cyfrinair").click()
    expect(page).to_have_url(re.compile(r"/cy/account/password/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Newid eich cyfrinair")
    check_accessibility(page)

    # And she sets English again (other journeys sign in as her)
    page.get_by_role("link", name="Yn ôl i'ch cyfrif").click()
    check_accessibility(page)
    page.get_by_role("group", name="Iaith ar gyfer Nyth").get_by_label("English").check()
    page.get_by_role("button", name="Cadw'r iaith").click()
    expect(page).to_have_url(re.compile(r"/en/account/$"))
    check_accessibility(page)
