"""Journey: a form sent without its security cookie gets Nyth's own page, not Django's bare 403.

Someone opens the sign-in page in Welsh, their browser then loses its cookies (blocked, or
cleared while the page was open) and they send the form: they are told, in Welsh, that the form
could not be sent, that nothing was saved and what to do, with a link back to the form, which
then works. JavaScript is off: the page needs none."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from e2e.support import check_accessibility, submit_credentials

pytestmark = pytest.mark.browser


def test_a_form_sent_without_its_cookie_gets_a_translated_page_and_a_way_back(new_page: Callable[..., Page]) -> None:
    # Given the Welsh sign-in page, and then no cookies
    page = new_page(javascript=False)
    page.goto("/cy/account/sign-in/")
    check_accessibility(page)
    page.context.clear_cookies()

    # When the form is sent
    submit_credentials(page, "nobody-in-particular", "not a password")

    # Then Nyth's own page says, in Welsh, what happened, that nothing was saved and what to do
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nid oedd modd anfon eich ffurflen")
    expect(page.get_by_text("Ni chafodd dim ei gadw.")).to_be_visible()
    expect(page.get_by_text(re.compile("cwcis")).first).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("CSRF")
    check_accessibility(page)

    # And its link goes back to the form, which works again
    page.get_by_role("link", name="Mynd yn ôl i'r ffurflen").click()
    expect(page).to_have_url(re.compile(r"/cy/account/sign-in/$"))
    expect(page.locator("#id_username")).to_be_visible()
    check_accessibility(page)
