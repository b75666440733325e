"""Journey: the plan review comes before the looked-after child review (issue 12, Proof).

Ffion (``practitioner``) writes the plan of a young person in her caseload who is looked after
now. Once she records the local authority's date of their next looked-after child review, the
plan form suggests a plan review two weeks before it, so the therapeutic need is part of that
review. She chooses a review after it anyway: the plan is saved, with a warning on the plan and
on the form. She then takes the suggested date and the warning goes. For a care leaver or an
adopted young person there is no statutory review cycle: no suggestion and no warning.

The young people are chosen by the legal status their records show, from the end of her
caseload (the support journeys take plan-less young people from its start).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from e2e.support import YoungPerson, caseload, check_accessibility, fill_date, today
from e2e.test_support_journeys import long_date, path_of, success_banner

pytestmark = pytest.mark.browser

WARNING = "falls after the looked-after child review"
BEFORE_LAC_REVIEW = datetime.timedelta(days=14)  # settings.NYTH_PLAN_REVIEW_BEFORE_LAC_DAYS


def legal_status(page: Page, young_person: YoungPerson) -> str:
    page.goto(young_person.record)
    expect(page.get_by_role("heading", level=1)).to_have_text(young_person.name)
    check_accessibility(page)
    row = page.locator(".govuk-summary-list__row").filter(
        has=page.locator("dt", has_text=re.compile(r"^Legal status$"))
    )
    return row.first.locator("dd").inner_text().strip()


def find_by_status(page: Page, wanted: set[str]) -> YoungPerson:
    for young_person in reversed(caseload(page)):
        if legal_status(page, young_person) in wanted:
            return young_person
    pytest.fail(f"no young person in the practitioner's caseload is {' or '.join(sorted(wanted))}")


def save_plan(page: Page, young_person: YoungPerson, *, lac_review: datetime.date, plan_review: datetime.date) -> None:
    page.goto(f"/en/plans/children/{young_person.pk}/edit/")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^(Write|Change) the plan$"))
    check_accessibility(page)
    fill_date(page, "id_next_lac_review_on", lac_review)
    fill_date(page, "id_next_review_on", plan_review)
    page.get_by_role("button", name="Save the plan").click()
    expect(page).to_have_url(path_of(young_person.plan))
    expect(success_banner(page)).to_contain_text("The plan was saved.")
    check_accessibility(page)


def open_plan_form(page: Page, young_person: YoungPerson) -> None:
    page.goto(f"/en/plans/children/{young_person.pk}/edit/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Change the plan")
    check_accessibility(page)


def test_the_plan_review_is_suggested_before_the_lac_review_and_a_later_one_is_warned_about(
    signed_in_page: Callable[[str], Page],
) -> None:
    page = signed_in_page("practitioner")
    day = today()
    lac_review = day + datetime.timedelta(days=40)
    suggested = lac_review - BEFORE_LAC_REVIEW
    late = lac_review + datetime.timedelta(days=10)

    # Given a young person in her caseload who is looked after now
    young_person = find_by_status(page, {"Looked after"})

    # When she records their next looked-after child review and a plan review after it
    save_plan(page, young_person, lac_review=lac_review, plan_review=late)

    # Then the plan is saved, and the plan page warns that its review falls after the LAC review
    warning = page.locator(".govuk-warning-text")
    expect(warning).to_contain_text(f"The next review of this plan ({long_date(late)}) {WARNING}")
    expect(warning).to_contain_text(f"due on {long_date(lac_review)}")
    expect(warning).to_contain_text(f"for example on {long_date(suggested)}")

    # And the form suggests a review before it, and warns there too
    open_plan_form(page, young_person)
    hint = page.locator("#id_next_review_on_helptext").first
    expect(hint).to_have_text(
        f"Suggested: {long_date(suggested)}, before the looked-after child review due on {long_date(lac_review)}, "
        "so the therapeutic need is part of that review."
    )
    expect(page.locator(".govuk-warning-text")).to_contain_text(WARNING)

    # When she takes the suggested date, the warning goes
    save_plan(page, young_person, lac_review=lac_review, plan_review=suggested)
    expect(page.get_by_text(WARNING)).to_have_count(0)


def test_no_suggestion_or_warning_for_a_care_leaver_or_adopted_young_person(
    signed_in_page: Callable[[str], Page],
) -> None:
    page = signed_in_page("practitioner")
    day = today()
    lac_review = day + datetime.timedelta(days=10)
    late = day + datetime.timedelta(days=90)

    # Given a young person in her caseload who has left care or is adopted
    young_person = find_by_status(page, {"Care leaver", "Adopted"})

    # When she saves their plan with a "looked-after child review" date and a later plan review
    save_plan(page, young_person, lac_review=lac_review, plan_review=late)

    # Then there is no warning on the plan, and no suggestion on the form
    expect(page.get_by_text(WARNING)).to_have_count(0)
    open_plan_form(page, young_person)
    expect(page.get_by_text("Suggested:")).to_have_count(0)
    expect(page.get_by_text(WARNING)).to_have_count(0)
