"""Journey: a Welsh-speaking practitioner sets up two-factor once, in Welsh, and next time is
only asked for the code."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from e2e.support import (
    DEMO_PASSWORD,
    RECORD_URL,
    TWO_FACTOR_SETUP_URL,
    TWO_FACTOR_URL,
    Authenticator,
    check_accessibility,
    read_totp_secret,
)

pytestmark = pytest.mark.browser

# Only this journey signs in as Gethin (whose account prefers Welsh).
WELSH_SPEAKER = "ymarferydd"


def _enter_password(page: Page) -> None:
    page.get_by_label("Enw defnyddiwr").fill(WELSH_SPEAKER)
    page.get_by_label("Cyfrinair").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Mewngofnodi").click()


def test_welsh_speaker_sets_up_two_factor_once_and_then_only_gives_a_code(
    page: Page, authenticator: Authenticator
) -> None:
    html = page.locator("html")
    heading = page.get_by_role("heading", level=1)
    assert not authenticator.knows(WELSH_SPEAKER), "another journey signed in as the Welsh-speaking practitioner"

    # Given Gethin, who works in Welsh and has never signed in, on the Welsh sign-in page
    page.goto("/cy/account/sign-in/")
    expect(html).to_have_attribute("lang", "cy")
    expect(heading).to_have_text("Mewngofnodi i Nyth")
    check_accessibility(page)

    # When he signs in, he is asked to set up two-factor authentication, in Welsh
    _enter_password(page)
    expect(page).to_have_url(TWO_FACTOR_SETUP_URL)
    expect(page).to_have_url(re.compile(r"/cy/"))
    expect(heading).to_have_text("Gosod dilysu dau ffactor")
    check_accessibility(page)
    # first with the one-time enrolment code he was given
    page.get_by_label("Cod cofrestru").fill(authenticator.enrolment_code(WELSH_SPEAKER))
    page.get_by_role("button", name="Parhau").click()
    expect(page.get_by_role("img", name="Cod QR ar gyfer eich ap dilysu")).to_be_visible()
    check_accessibility(page)
    authenticator.add_base32(WELSH_SPEAKER, read_totp_secret(page))
    page.get_by_label("Cod diogelwch").fill(authenticator.code(WELSH_SPEAKER))
    page.get_by_role("button", name="Parhau").click()

    # Then he reaches his home page in Welsh
    expect(page).to_have_url(re.compile(r"/cy/$"))
    expect(heading).to_have_text("Helo, Gethin ap Iolo")
    check_accessibility(page)

    # And a record from his caseload (placements, people around the child) is in Welsh too
    page.locator("main table").get_by_role("link").first.click()
    expect(page).to_have_url(RECORD_URL)
    expect(html).to_have_attribute("lang", "cy")
    expect(page.get_by_role("heading", name="Manylion personol")).to_be_visible()
    check_accessibility(page)

    # When he signs out and signs in again
    page.get_by_role("navigation", name="Dewislen").get_by_role("button", name="Allgofnodi").click()
    expect(page).to_have_url(re.compile(r"/cy/account/sign-in/$"))
    check_accessibility(page)
    _enter_password(page)

    # Then he is asked only for the code from the app he set up, not to set up another
    expect(page).to_have_url(TWO_FACTOR_URL)
    expect(heading).to_have_text("Rhowch eich cod diogelwch")
    check_accessibility(page)
    page.get_by_label("Cod diogelwch").fill(authenticator.code(WELSH_SPEAKER))  # the next 30 s window's code
    page.get_by_role("button", name="Parhau").click()
    expect(page).to_have_url(re.compile(r"/cy/$"))
    expect(heading).to_have_text("Helo, Gethin ap Iolo")
    check_accessibility(page)
