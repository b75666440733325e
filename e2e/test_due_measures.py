"""Journeys: due and overdue outcome measures (issue 13, schedules). Mair (``manager``) follows
"Overdue outcome measures" from her home page to the service's list and opens a point's entry
page; Ffion (``practitioner``) reads the Measures column of her caseload in Welsh. The demo
(``outcomes/demo.py``) gives every other seeded young person an overdue review and the rest one
due soon, so both pages have rows whichever young people the seed made."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from e2e.support import check_accessibility

pytestmark = pytest.mark.browser


def test_a_manager_finds_the_services_overdue_measures_and_opens_one(
    signed_in_page: Callable[[str], Page],
) -> None:
    # Given Mair on her home page
    page = signed_in_page("manager")
    # When she follows the link to the overdue outcome measures
    page.get_by_role("link", name="Overdue outcome measures").click()
    # Then she sees the list, longest overdue first, with who works with each young person
    expect(page.get_by_role("heading", level=1)).to_have_text("Overdue outcome measures")
    check_accessibility(page)
    table = page.get_by_role("table")
    expect(table).to_contain_text("Longest overdue first")
    expect(table.locator("tbody tr").first).to_contain_text("ago")
    # When she opens the first point
    table.locator("tbody tr").first.get_by_role("link", name=re.compile("^(Review|Start|End)$")).click()
    # Then it is the point's entry page
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Record measures: "))
    check_accessibility(page)


def test_a_welsh_practitioner_sees_due_and_overdue_measures_on_her_caseload(
    signed_in_page: Callable[[str], Page],
) -> None:
    # Given Ffion, reading her caseload in Welsh
    page = signed_in_page("practitioner")
    page.goto("/cy/contacts/caseload/")
    check_accessibility(page)
    # Then the Measures column says what is overdue or due, each linked to its entry page
    table = page.get_by_role("table")
    expect(table.get_by_role("columnheader", name="Mesurau")).to_be_visible()
    measure = table.get_by_role("link", name=re.compile("^(Yn hwyr ers|I fod erbyn) ")).first
    expect(measure).to_be_visible()
    measure.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Cofnodi mesurau: "))
    check_accessibility(page)
