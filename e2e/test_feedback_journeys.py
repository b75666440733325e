"""Journey: feedback on the support (issue 13, ADR 018). Mair (``manager``) opens her service's
feedback summary in Welsh and takes the address of the public page; a young person, signed out,
answers it in Welsh – first with markup in the free text (refused, answers kept), then sent –
and reads the thank-you page; back on the summary, the quarter's small count is shown as [c]."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from e2e.support import check_accessibility

pytestmark = pytest.mark.browser


def test_an_anonymous_answer_in_welsh_and_the_managers_summary(
    signed_in_page: Callable[[str], Page], page: Page
) -> None:
    # Given Mair on the feedback summary, in Welsh
    manager = signed_in_page("manager")
    manager.goto("/cy/outcomes/feedback/")
    expect(manager.get_by_role("heading", level=1)).to_have_text("Adborth ar y cymorth")
    check_accessibility(manager)
    public = manager.get_by_role("link", name="Agor y dudalen adborth gyhoeddus").get_attribute("href") or ""
    assert re.fullmatch(r"/cy/feedback/[^/]+/", public), public

    # When a young person, not signed in, opens the public page and says who they are
    page.goto(public)
    expect(page.get_by_role("heading", level=1)).to_have_text("Dywedwch wrthon ni am y cymorth")
    check_accessibility(page)
    page.get_by_role("link", name="Person ifanc").click()
    check_accessibility(page)
    # The help notice comes before the free text
    notice = page.get_by_text("Does neb yn gallu ateb yr hyn rydych chi'n ei ysgrifennu yma")
    expect(notice).to_be_visible()
    assert notice.evaluate("(n) => !!(n.compareDocumentPosition(document.querySelector('#id_anything_else')) & 4)"), (
        "the notice must come before the box"
    )
    expect(page.get_by_role("link", name="080880 23456")).to_have_attribute("href", "tel:08088023456")

    # And answers one statement, writing markup in the box
    page.get_by_role("group", name=re.compile("^Roeddwn i'n teimlo bod rhywun yn gwrando arna i")).get_by_label(
        "Ie"
    ).check()
    page.locator("#id_anything_else").fill("<b>Diolch</b>")
    page.get_by_role("button", name="Anfon").click()

    # Then the markup is refused beside the box, with everything typed kept
    expect(page.locator(".govuk-error-summary")).to_contain_text("Dilëwch yr HTML")
    expect(page.locator("#id_anything_else")).to_have_value("<b>Diolch</b>")
    expect(page.locator("#id_listened_0")).to_be_checked()
    check_accessibility(page)

    # When they write plain words instead and send
    page.locator("#id_anything_else").fill("Diolch am wrando")
    page.get_by_role("button", name="Anfon").click()

    # Then they are thanked and told again where to get help now
    expect(page.get_by_role("heading", level=1)).to_have_text("Diolch am eich adborth")
    expect(page.get_by_role("link", name="0800 1111")).to_have_attribute("href", "tel:08001111")
    check_accessibility(page)

    # And Mair's summary shows this quarter's few answers only as [c], without the words
    manager.reload()
    expect(manager.locator("abbr", has_text="[c]").first).to_be_visible()
    expect(manager.get_by_text("Diolch am wrando")).to_have_count(0)
    check_accessibility(manager)
