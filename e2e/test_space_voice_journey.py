"""Journey: the young person's voice (issue 14, Proof, in part).

The demo young person (``youngperson``: two-factor is optional for young people, ADR 019)
signs in with a password, tells their worker how they feel (a note with HTML is refused and
kept, then sent; the page says by when it will be read), then presses "I don't feel safe": the
page shows 999 and the help-now numbers first, then honestly when it will be seen (whichever of
in hours, on call or nobody watching the clock gives). The service's duty worker sees the
flag on their home page, opens it and picks it up. Axe on every page, also at 320 px.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from e2e.support import DEMO_PASSWORD, check_accessibility

pytestmark = pytest.mark.browser

WHEN = re.compile(
    r"Your service is open now\.|a worker is on call\. It goes to them straight away\.|"
    r"Nobody at your service is watching right now\."
)


def _no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_how_i_feel_and_i_dont_feel_safe_reach_the_duty_worker(
    new_page: Callable[..., Page], signed_in_page: Callable[[str], Page]
) -> None:
    # Given the young person, signed in with their password (no second step set up)
    page = new_page()
    page.goto("/en/account/sign-in/")
    check_accessibility(page)
    page.locator("#id_username").fill("youngperson")
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/en/my/$"))
    check_accessibility(page)

    # When they say how they feel, with HTML in the note, it is refused and what they wrote is kept
    page.get_by_role("link", name="Tell us how you are feeling").click()
    check_accessibility(page)
    expect(page.get_by_text(re.compile(r"they will read it by \w+day \d+ \w+"))).to_be_visible()
    page.get_by_label("Not good").check()
    page.get_by_label("Anything you want to say (you do not have to)").fill("I feel <b>awful</b> today")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Remove the HTML")
    expect(page.get_by_label("Anything you want to say (you do not have to)")).to_have_value(
        "I feel <b>awful</b> today"
    )
    check_accessibility(page)
    # Then, without it, it is sent and they are told by when it will be read
    page.get_by_label("Anything you want to say (you do not have to)").fill("I feel awful today")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text(re.compile(r"Your worker will read this by \w+day \d+ \w+"))).to_be_visible()
    check_accessibility(page)

    # When they press "I don't feel safe"
    page.goto("/en/my/")
    check_accessibility(page)
    page.get_by_role("link", name="I don't feel safe or I need to talk to someone").click()
    check_accessibility(page)
    main = page.locator("main")
    expect(main).to_contain_text(WHEN)
    page.get_by_role("button", name="I don't feel safe").click()

    # Then 999 and the help-now numbers come first, then when it will be seen
    expect(page.get_by_role("heading", level=1)).to_have_text("Your message was sent")
    text = main.inner_text()
    assert text.index("call 999") < text.index("Childline") < text.index("Your message was sent")
    expect(main).to_contain_text(WHEN)
    check_accessibility(page)
    page.set_viewport_size({"width": 320, "height": 640})
    page.reload()
    check_accessibility(page)
    _no_sideways_scroll(page)

    # And the service's duty worker sees it flagged on their home page and picks it up
    duty = signed_in_page("duty")
    expect(duty.locator("main")).to_contain_text("waiting to be picked up")
    duty.get_by_role("link", name="See what is waiting").first.click()
    check_accessibility(duty)
    duty.locator("main ul.govuk-list a", has_text="I don't feel safe").first.click()
    check_accessibility(duty)
    duty.get_by_label("What was done").fill("Rang them back; they are safe at home tonight.")
    duty.get_by_role("button", name="I have picked this up").click()
    expect(duty.get_by_text("You have picked up this alert.")).to_be_visible()
    check_accessibility(duty)
