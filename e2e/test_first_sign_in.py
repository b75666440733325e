"""Journey: someone signing in for the first time sets up two-factor authentication."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from e2e.support import (
    DEMO_PASSWORD,
    TWO_FACTOR_SETUP_URL,
    Authenticator,
    check_accessibility,
    read_totp_secret,
)

pytestmark = pytest.mark.browser

# Only this journey signs in as the duty worker, so the account is new to two-factor whatever
# ran before (other journeys set up their own accounts through e2e.support.sign_in).
FIRST_TIMER = "duty"
WRONG_CODE = "The security code is not correct or has expired. Enter the newest code from your app."
BASE32_GROUPS = re.compile(r"[A-Z2-7]{4}( [A-Z2-7]{1,4})+")


def test_first_sign_in_sets_up_an_authenticator_app_after_a_wrong_code(
    page: Page, authenticator: Authenticator
) -> None:
    heading = page.get_by_role("heading", level=1)
    assert not authenticator.knows(FIRST_TIMER), "another journey signed in as the first-time user"

    # Given Dafydd, a duty worker who has never signed in
    page.goto("/en/account/sign-in/")
    check_accessibility(page)

    # When he signs in with his user name and password
    page.get_by_label("User name").fill(FIRST_TIMER)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # Then he is asked to set up two-factor authentication, first with his one-time enrolment code
    expect(page).to_have_url(TWO_FACTOR_SETUP_URL)
    expect(heading).to_have_text("Set up two-factor authentication")
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_have_count(0)
    check_accessibility(page)
    page.get_by_label("Enrolment code").fill("ABCD-EFGH-JKMN")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#id_code-error")).to_contain_text("The enrolment code is not correct")
    check_accessibility(page)
    page.get_by_label("Enrolment code").fill(authenticator.enrolment_code(FIRST_TIMER))
    page.get_by_role("button", name="Continue").click()

    # Then a QR code and a key to type
    expect(page).to_have_url(TWO_FACTOR_SETUP_URL)
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    check_accessibility(page)
    secret = read_totp_secret(page)
    assert BASE32_GROUPS.fullmatch(secret), f"the key should be shown in groups of 4 base32 letters, got {secret!r}"
    authenticator.add_base32(FIRST_TIMER, secret)

    # When he mistypes the code
    page.get_by_label("Security code").fill(authenticator.wrong_code(FIRST_TIMER))
    page.get_by_role("button", name="Continue").click()

    # Then he stays on the set-up page, which says what is wrong at the top and at the field
    expect(page).to_have_url(TWO_FACTOR_SETUP_URL)
    expect(page).to_have_title(re.compile(r"^Error: Set up two-factor authentication"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    summary_link = summary.get_by_role("link", name=WRONG_CODE)
    expect(summary_link).to_have_attribute("href", "#id_token")
    expect(page.locator("#id_token-error")).to_contain_text(WRONG_CODE)
    expect(page.get_by_label("Security code")).to_have_attribute("aria-invalid", "true")
    check_accessibility(page)
    # And the key has not changed, so the app he already set up still works
    assert read_totp_secret(page) == secret
    # And the summary link takes him to the field
    summary_link.click()
    expect(page.get_by_label("Security code")).to_be_focused()

    # When he enters the right code
    page.get_by_label("Security code").fill(authenticator.code(FIRST_TIMER))
    page.get_by_role("button", name="Continue").click()

    # Then he is signed in and reaches the home page
    expect(page).to_have_url(re.compile(r"/en/$"))
    expect(heading).to_have_text("Hello, Dafydd Price")
    check_accessibility(page)
