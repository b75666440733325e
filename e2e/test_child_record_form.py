"""Journey: a new child's record, where a wrong answer keeps everything that was typed."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from e2e.support import RECORD_URL, check_accessibility

pytestmark = pytest.mark.browser

NEW_RECORD_URL = re.compile(r"/en/children/new/$")
NHS_CHECK_ERROR = "Enter a valid NHS number – check the digits, this one is not a real NHS number"
DATE_ERROR = "The date must be a real date"


def test_bad_answers_are_explained_and_what_was_typed_is_kept(signed_in_page: Callable[[str], Page]) -> None:
    # Given Mererid, a service manager, signed in (setting up two-factor if this is her first time)
    page = signed_in_page("manager")
    heading = page.get_by_role("heading", level=1)

    # When she opens "Add a child or young person" from the list of children
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Children and young people").click()
    expect(page).to_have_url(re.compile(r"/en/children/$"))
    check_accessibility(page)
    page.get_by_role("link", name="Add a child or young person").click()
    expect(page).to_have_url(NEW_RECORD_URL)
    expect(heading).to_have_text("Add a child or young person")
    check_accessibility(page)

    # And she types a Welsh name, an NHS number with a wrong check digit and 31 February
    page.get_by_label("First name").fill("Gwenllïan")
    page.get_by_label("Last name").fill("ap Gruffudd")
    date_of_birth = page.get_by_role("group", name="Date of birth")
    date_of_birth.get_by_label("Day").fill("31")
    date_of_birth.get_by_label("Month").fill("02")
    date_of_birth.get_by_label("Year").fill("2012")
    page.get_by_label("NHS number").fill("943 476 5918")
    page.get_by_label("Responsible local authority").select_option(label="Cardiff Council")
    page.get_by_role("group", name="Legal status").get_by_label("Looked after").check()
    page.get_by_role("group", name="Preferred language").get_by_label("Welsh").check()
    page.get_by_role("button", name="Save").click()

    # Then the form comes back with an error summary linking to each problem
    expect(page).to_have_url(NEW_RECORD_URL)
    expect(page).to_have_title(re.compile(r"^Error: Add a child or young person"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    nhs_link = summary.get_by_role("link", name=NHS_CHECK_ERROR)
    date_link = summary.get_by_role("link", name=DATE_ERROR)
    expect(nhs_link).to_have_attribute("href", "#id_nhs_number")
    expect(date_link).to_have_attribute("href", re.compile(r"^#id_date_of_birth"))
    expect(summary.get_by_role("link")).to_have_count(2)
    # And each problem is also shown at its field
    expect(page.locator("#id_nhs_number-error")).to_contain_text(NHS_CHECK_ERROR)
    expect(date_of_birth).to_contain_text(DATE_ERROR)
    # And everything she typed is still there, accents included
    expect(page.get_by_label("First name")).to_have_value("Gwenllïan")
    expect(page.get_by_label("Last name")).to_have_value("ap Gruffudd")
    expect(page.get_by_label("NHS number")).to_have_value("943 476 5918")
    expect(date_of_birth.get_by_label("Day")).to_have_value("31")
    expect(date_of_birth.get_by_label("Month")).to_have_value("02")
    expect(date_of_birth.get_by_label("Year")).to_have_value("2012")
    expect(page.get_by_role("group", name="Legal status").get_by_label("Looked after")).to_be_checked()
    check_accessibility(page)
    # And the summary's NHS number link takes her to that field
    nhs_link.click()
    expect(page.get_by_label("NHS number")).to_be_focused()

    # When she corrects the NHS number and the date and saves again
    page.get_by_label("NHS number").fill("943 476 5919")
    date_of_birth.get_by_label("Day").fill("28")
    page.get_by_role("button", name="Save").click()

    # Then the new record is shown, with what she typed
    expect(page).to_have_url(RECORD_URL)
    expect(page.get_by_text("The record for Gwenllïan ap Gruffudd was created.")).to_be_visible()
    expect(heading).to_have_text("Gwenllïan ap Gruffudd")
    personal_details = page.locator("dl.govuk-summary-list").first
    expect(personal_details).to_contain_text("943 476 5919")
    expect(personal_details).to_contain_text("28 February 2012")
    check_accessibility(page)


def test_every_error_summary_link_leads_to_its_field(signed_in_page: Callable[[str], Page]) -> None:
    # Given a service manager on an empty "Add a child or young person" form
    page = signed_in_page("manager")
    page.goto("/en/children/new/")
    expect(page).to_have_url(NEW_RECORD_URL)
    check_accessibility(page)

    # When she saves it without answering anything
    page.get_by_role("button", name="Save").click()

    # Then every link in the error summary points at a field on the page
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    check_accessibility(page)
    targets = [link.get_attribute("href") or "" for link in summary.get_by_role("link").all()]
    assert "#id_given_name" in targets
    missing = [target for target in targets if page.locator(target).count() != 1]
    assert not missing, f"error summary links that lead nowhere: {missing}"
