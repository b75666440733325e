"""Journeys: outcome measures (issue 13). Ffion (``practitioner``), working in Welsh, opens
support for a young person in her caseload if none is current, adds a measurement point,
records the guidance's trusted-adult question (and SWEMWBS when the young person is old enough
for it, from the paper form: the licensed wording is not loaded), adds a review the young person
declines, and reads the outcomes page's data table. Chosen by what the pages show, so it holds
whichever seeded young person it lands on."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from e2e.support import check_accessibility

pytestmark = pytest.mark.browser
LONDON = ZoneInfo("Europe/London")


def fill_date(page: Page, field_id: str, value: datetime.date) -> None:
    page.locator(f"#{field_id}_0").fill(str(value.day))
    page.locator(f"#{field_id}_1").fill(str(value.month))
    page.locator(f"#{field_id}_2").fill(str(value.year))


def test_a_welsh_practitioner_records_measures_and_a_declined_review(
    signed_in_page: Callable[[str], Page],
) -> None:
    today = datetime.datetime.now(LONDON).date()
    # Given Ffion on her caseload, with the last young person in it
    page = signed_in_page("practitioner")
    links = page.get_by_role("table", name="Your caseload").locator('a[href^="/en/children/"]')
    expect(links.first).to_be_visible()
    pk = int(re.fullmatch(r"/en/children/(\d+)/", links.last.get_attribute("href") or "")[1])

    # When support is current (opened today if it was not) and she adds a measurement point in Welsh
    page.goto(f"/cy/outcomes/children/{pk}/points/")
    check_accessibility(page)
    if page.get_by_role("heading", name="Ychwanegu pwynt mesur").count() == 0:
        page.goto(f"/en/episodes/children/{pk}/open/")
        check_accessibility(page)
        page.get_by_label("Coming back without a new referral").check()
        fill_date(page, "id_opened_on", today)
        page.get_by_role("button", name="Open support").click()
        page.goto(f"/cy/outcomes/children/{pk}/points/")
        check_accessibility(page)
    # (a review: the demo data may already have given this support its one start point)
    page.get_by_label("Adolygiad").check()
    fill_date(page, "id_due_on", today)
    page.get_by_role("button", name="Ychwanegu", exact=True).click()
    expect(page.get_by_text("Cafodd y pwynt mesur ei ychwanegu.")).to_be_visible()
    check_accessibility(page)

    # And she records the measures, first leaving one SWEMWBS item out where it is offered
    page.get_by_role("link", name=re.compile("^Cofnodi mesurau")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cofnodi mesurau: Adolygiad")
    check_accessibility(page)
    fill_date(page, "id_taken_on", today)
    page.get_by_label("Wedi'i gwblhau gyda'r ymarferydd").check()
    page.get_by_role(
        "group", name="Oes gennych chi berthynas dda ag oedolyn rydych chi'n ymddiried ynddo?"
    ).get_by_label("Ddim yn siŵr").check()
    swemwbs = page.locator("#id_swemwbs_1").count() > 0
    if swemwbs:
        for n in range(1, 7):
            page.locator(f"#id_swemwbs_{n}").fill("3")
        page.get_by_role("button", name="Cadw'r mesurau").click()
        expect(page.locator(".govuk-error-summary")).to_contain_text("Rhowch yr ateb i eitem 7")
        expect(page.locator("#id_swemwbs_1")).to_have_value("3")  # what was typed is kept
        check_accessibility(page)
        page.locator("#id_swemwbs_7").fill("2")
    page.get_by_role("button", name="Cadw'r mesurau").click()

    # Then the point is done
    expect(page.get_by_text("Cafodd y mesurau eu cofnodi.")).to_be_visible()
    check_accessibility(page)

    # When she adds a review that the young person declines
    page.get_by_label("Adolygiad").check()
    fill_date(page, "id_due_on", today)
    page.get_by_role("button", name="Ychwanegu", exact=True).click()
    check_accessibility(page)
    page.get_by_role("link", name=re.compile("^Cofnodi heb ei wneud")).first.click()
    check_accessibility(page)
    page.get_by_label("Gwrthododd y person ifanc").check()
    fill_date(page, "id_on", today)
    page.get_by_role("button", name="Cadw", exact=True).click()

    # Then not done is shown with its reason, and the outcomes page has the data table
    expect(page.get_by_text("Gwrthododd y person ifanc")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("link", name="Canlyniadau: cyntaf, diweddaraf a newid").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Canlyniadau")
    check_accessibility(page)
    table = page.get_by_role("table", name="Fesul mesur")
    expect(table).to_contain_text("Ddim yn siŵr")
    if swemwbs:
        expect(table).to_contain_text("18.59")  # raw 20 (six 3s and a 2) on the published table
