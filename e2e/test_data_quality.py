"""Journey: the manager's data-quality page (issue 15). Mair (``manager``) follows "Data quality"
from her home page, reads each check's count beside its definition, and opens the list of
overdue outcome measures (the demo gives every other seeded young person an overdue review, so
the list has rows); each row links to the record. Then the same page in Welsh."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from e2e.support import RECORD_URL, check_accessibility

pytestmark = pytest.mark.browser


def test_a_manager_reads_the_data_quality_counts_and_opens_a_list(signed_in_page: Callable[[str], Page]) -> None:
    # Given Mair on her home page
    page = signed_in_page("manager")
    # When she follows the link to the data-quality page
    page.get_by_role("link", name="Data quality", exact=True).click()
    # Then she sees every check with its definition and a count
    expect(page.get_by_role("heading", level=1)).to_have_text("Data quality")
    check_accessibility(page)
    table = page.locator("#data-quality")
    expect(table.locator("tbody tr")).to_have_count(10)
    expect(table).to_contain_text("Placeholder NHS number")
    expect(table).to_contain_text("repeated-digit numbers")
    # When she opens the count of overdue outcome measures
    table.get_by_role("link", name=re.compile("Overdue outcome measures$")).click()
    # Then the list shows the young people, each linked to the record
    expect(page.get_by_role("heading", level=1)).to_have_text("Overdue outcome measures")
    check_accessibility(page)
    rows = page.locator("table tbody tr")
    expect(rows.first).to_be_visible()
    rows.first.get_by_role("link").first.click()
    expect(page).to_have_url(RECORD_URL)
    check_accessibility(page)


def test_the_data_quality_page_in_welsh(signed_in_page: Callable[[str], Page]) -> None:
    page = signed_in_page("manager")
    page.goto("/cy/reports/data-quality/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ansawdd data")
    expect(page.locator("#data-quality")).to_contain_text("Rhif GIG dalfan")
    check_accessibility(page)
    page.locator("#data-quality").get_by_role("link", name=re.compile("Grŵp ethnig heb ei nodi$")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Grŵp ethnig heb ei nodi")
    check_accessibility(page)
