"""A young person makes a passkey, signs out, and signs in again with their password and the
passkey (ADR 020) – in Chromium with its virtual authenticator (the DevTools protocol's WebAuthn
domain), not mocked: the browser's real navigator.credentials answers the server's real
challenges, under the real CSP.

A passkey belongs to a domain, never an IP address, so the journey runs at
``http://localhost:<port>`` (the server is told that origin: NYTH_WEBAUTHN_ORIGINS in conftest)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from e2e.support import DEMO_PASSWORD, check_accessibility, submit_credentials

if TYPE_CHECKING:
    from collections.abc import Callable

    from playwright.sync_api import CDPSession, Page

    from e2e.conftest import NythServer

SPACE_HOME = re.compile(r"/en/my/$")
TWO_FACTOR = re.compile(r"/en/account/two-factor/(\?.*)?$")
SIGN_IN = re.compile(r"/en/account/sign-in/(\?.*)?$")


def _virtual_authenticator(page: Page) -> tuple[CDPSession, str]:
    """A phone's built-in passkey store: resident keys, and the owner's check (fingerprint or
    PIN) always passing, as Chromium's DevTools offer it."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    created = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, created["authenticatorId"]


#: The seeded young person is shared by the journeys: the passkey made here is removed after it,
#: or the journeys that follow would meet a second step they did not set up.
_FORGET_PASSKEY = (
    "from django_otp import devices_for_user; from accounts.models import User; "
    "[d.delete() for d in devices_for_user(User.objects.get(username='youngperson'), confirmed=None)]"
)


def test_a_young_person_makes_a_passkey_and_signs_in_with_it(
    new_page: Callable[..., Page], nyth_server: NythServer
) -> None:
    try:
        _journey(new_page, nyth_server)
    finally:
        nyth_server.manage("shell", "-c", _FORGET_PASSKEY)


def _journey(new_page: Callable[..., Page], nyth_server: NythServer) -> None:
    site = nyth_server.url.replace("127.0.0.1", "localhost")
    page = new_page()
    cdp, authenticator_id = _virtual_authenticator(page)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    page.goto(f"{site}/en/account/sign-in/")
    check_accessibility(page)
    submit_credentials(page, "youngperson", DEMO_PASSWORD)
    page.wait_for_url(SPACE_HOME)  # the second step is optional for young people (ADR 019)
    check_accessibility(page)

    page.get_by_role("link", name="Add a passkey").click()
    page.wait_for_url(re.compile(r"/en/account/two-factor/passkey/"))
    check_accessibility(page)
    # The question before the button: "no" shows it.
    page.get_by_label("No, only I use it").check()
    page.locator("main form button[type=submit]").click()
    button = page.locator("#passkey-register-button")
    button.wait_for()
    check_accessibility(page)
    button.click()
    page.wait_for_url(SPACE_HOME)  # made, and on to where they were going
    check_accessibility(page)
    assert page.get_by_role("link", name="Add a passkey").count() == 0  # no longer offered

    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]
    assert len(credentials) == 1 and credentials[0]["rpId"] == "localhost"

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(SIGN_IN)
    check_accessibility(page)
    page.goto(f"{site}/en/my/")  # signed out: back to the sign-in page, nothing shown
    page.wait_for_url(SIGN_IN)
    check_accessibility(page)

    submit_credentials(page, "youngperson", DEMO_PASSWORD)
    page.wait_for_url(TWO_FACTOR)  # once set up, always asked
    verify = page.locator("#passkey-verification-button")
    verify.wait_for()
    check_accessibility(page)
    verify.click()
    page.wait_for_url(SPACE_HOME)
    check_accessibility(page)
    assert page.get_by_role("heading", level=1).inner_text().startswith("Hello")

    after = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]
    assert after[0]["signCount"] > credentials[0]["signCount"]  # the passkey really signed in

    # In Welsh, "yes" to the phone question: the advice, and the app instead (nothing is made).
    page.goto(f"{site}/cy/account/two-factor/passkey/")
    check_accessibility(page)
    page.get_by_label("Oes, neu dydw i ddim yn siŵr").check()
    page.locator("main form button[type=submit]").click()
    page.locator(".govuk-warning-text").wait_for()
    check_accessibility(page)
    assert "Rydyn ni'n eich cynghori i beidio â defnyddio cyfrinallwedd" in page.locator("main").inner_text()
    assert page.locator("#passkey-register-button").count() == 0
    still = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]
    assert len(still) == 1

    csp_errors = [text for text in errors if "Content Security Policy" in text]
    assert not csp_errors, csp_errors
