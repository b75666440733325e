"""Journey: the plan review shows the change since start (issue 13, Proof).

Ffion (``practitioner``) opens the review of a young person in her caseload who has start and
review measures (the demo's improving, deteriorating and unchanged series give SWEMWBS and the
plan's goals a start and a review). Beside each goal she sees its first and latest rating and
the change; below, each measure's first, latest, change and category, and the CORC category
across measures. The page passes axe, in English and in Welsh, and at 320 px it does not
scroll sideways (its tables scroll in their own regions). The young person is chosen by what
the review page shows, so the journey holds whichever seeded record it lands on.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from e2e.support import YoungPerson, caseload, check_accessibility

pytestmark = pytest.mark.browser

GOALS_TABLE = "Goal Based Outcomes: each goal's ratings (0 to 10)"
CATEGORIES = re.compile(r"Reliable improvement|Reliable deterioration|No reliable change")


def review_page(young_person: YoungPerson, language: str = "en") -> str:
    return f"/{language}/plans/children/{young_person.pk}/reviews/new/"


def with_change_since_start(page: Page) -> YoungPerson:
    """The first young person in her caseload whose review page shows a goal with a change."""
    for young_person in caseload(page):
        page.goto(review_page(young_person))
        check_accessibility(page)
        goals = page.get_by_role("table", name=GOALS_TABLE)
        if goals.count() and goals.locator("td", has_text=re.compile(r"^[+-]?\d+$")).count():
            return young_person
    pytest.fail("no young person in the practitioner's caseload has goals rated at a start and a review")


def test_the_plan_review_shows_the_change_since_start_beside_the_goals(signed_in_page: Callable[[str], Page]) -> None:
    # Given Ffion, and a young person of hers with start and review measures
    page = signed_in_page("practitioner")
    young_person = with_change_since_start(page)

    # When she opens their plan review
    page.goto(review_page(young_person))
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a review")
    check_accessibility(page)

    # Then beside each rated goal are its first and latest ratings and the change
    expect(page.get_by_role("heading", name="Change since support started")).to_be_visible()
    goals = page.get_by_role("table", name=GOALS_TABLE)
    rated = goals.locator("tbody tr").filter(has=page.locator("td", has_text=re.compile(r"^[+-]?\d+$")))
    first, latest, change = (int(rated.first.locator("td").nth(i).inner_text().strip()) for i in range(3))
    assert latest - first == change
    # And each measure's first, latest, change and category, with the CORC category across measures
    measures = page.get_by_role("table", name="Per measure")
    expect(measures).to_contain_text("SWEMWBS")
    expect(measures.locator("tbody tr").first).to_contain_text(CATEGORIES)
    expect(page.get_by_text(re.compile(r"^CORC category \(across measures"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"measures? with a first and a latest result"))).to_be_visible()
    # And the review form is still below it
    expect(page.get_by_role("button", name="Save the review")).to_be_visible()

    # And in Welsh
    page.goto(review_page(young_person, "cy"))
    expect(page.get_by_role("heading", name="Newid ers i'r cymorth ddechrau")).to_be_visible()
    expect(page.get_by_role("table", name="Canlyniadau ar Sail Nodau: sgorau pob nod (0 i 10)")).to_be_visible()
    check_accessibility(page)

    # And at 320 px the page does not scroll sideways: the tables scroll in their own regions
    page.set_viewport_size({"width": 320, "height": 640})
    for language in ("en", "cy"):
        page.goto(review_page(young_person, language))
        regions = page.locator("main .nyth-table-scroll")
        expect(regions.first).to_have_attribute("role", "region")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"the {language} plan review is {width} px wide at a 320 px viewport"
        check_accessibility(page, where=f"the {language} plan review at 320 px")
