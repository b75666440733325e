"""Journey: the NEST/NYTH self-assessment (issue 15). A service manager (``manager``) whose service
completed a first self-assessment a year ago (made in the set-up, as the service would have)
opens the self-assessment from her home page, starts a new round, rates every statement – a link
that is not a web address is refused with everything she typed kept –, adds an action to the
action plan, completes the round and sees maturity over the two rounds as charts with a table
beside them, also at 320 px. Axe checks every page."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from e2e.support import assert_no_sideways_scrolling, check_accessibility, fill_date, today

pytestmark = pytest.mark.browser

#: The first round, a year ago, every statement at level 1 – through the services, as the pages would.
FIRST_ROUND = """
import datetime
from accounts.models import User
from selfassess import services
from selfassess.models import Level, Round, Statement
manager = User.objects.get(username="manager")
service = manager.organisation
Round.objects.filter(service=service).delete()
round_ = services.start_round(by=manager, service=service, assessed_on=datetime.date.today() - datetime.timedelta(days=365))
one = Level.objects.get(framework=round_.framework, value=1)
values = {s.pk: services.RatingValues(level=one, evidence="First look", links=[]) for s in Statement.objects.filter(domain__framework=round_.framework)}
round_ = services.save_ratings(by=manager, round_=round_, expected_version=round_.version, values=values)
services.complete_round(by=manager, round_=round_, expected_version=round_.version)
print("first round", round_.pk)
"""


def test_a_manager_completes_a_round_with_an_action_plan_and_sees_maturity_over_two_rounds(
    nyth_server, signed_in_page: Callable[[str], Page]
) -> None:
    assert "first round" in nyth_server.manage("shell", "-c", FIRST_ROUND)

    # Given the manager on her home page
    page = signed_in_page("manager")
    page.get_by_role("link", name="NEST/NYTH self-assessment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("NEST/NYTH self-assessment")
    expect(page.get_by_text("Nyth's own reading", exact=False).first).to_be_visible()
    check_accessibility(page)

    # When she starts a self-assessment today
    page.get_by_role("link", name="Start a self-assessment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start a self-assessment")
    check_accessibility(page)
    fill_date(page, "id_assessed_on", today())
    page.get_by_role("button", name="Start").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rate the statements")
    check_accessibility(page)

    # And rates every statement "Established" (3), the first with a link that is not a web address
    groups = page.locator(".govuk-radios")
    assert groups.count() == 14
    for i in range(groups.count()):
        groups.nth(i).locator("input").nth(2).check()
    evidence = page.locator("textarea[name^=evidence_]").first
    links = page.locator("textarea[name^=links_]").first
    evidence.fill("Every young person named a trusted adult at review")
    links.fill("not a link")
    page.get_by_role("button", name="Save the self-assessment").click()

    # Then the link is refused and what she typed is kept
    expect(page.locator(".govuk-error-summary")).to_contain_text("is not a web address")
    expect(evidence).to_have_value("Every young person named a trusted adult at review")
    expect(groups.nth(5).locator("input").nth(2)).to_be_checked()
    check_accessibility(page)

    # When she gives a web address and saves
    links.fill("https://example.org/audit-2026")
    page.get_by_role("button", name="Save the self-assessment").click()
    expect(page.get_by_text("The self-assessment was saved.")).to_be_visible()
    expect(page.get_by_role("link", name="https://example.org/audit-2026")).to_be_visible()
    check_accessibility(page)

    # And adds an action to the action plan
    page.get_by_role("link", name="Add an action").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an action")
    check_accessibility(page)
    page.get_by_label("Action").fill("Offer every carer the trauma-informed training")
    page.get_by_label("Owner").select_option(index=1)
    fill_date(page, "id_due_on", today() + datetime.timedelta(days=90))
    page.get_by_label("Not started").check()
    page.get_by_role("button", name="Save the action").click()
    expect(page.get_by_text("The action plan was saved.")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("Offer every carer the trauma-informed training")
    check_accessibility(page)

    # And completes the round
    page.get_by_role("link", name="Complete the self-assessment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Complete the self-assessment")
    check_accessibility(page)
    page.get_by_role("button", name="Complete the self-assessment").click()
    expect(page.get_by_text("The self-assessment was completed.")).to_be_visible()
    expect(page.get_by_role("link", name="Rate the statements")).to_have_count(0)
    check_accessibility(page)

    # Then maturity over time shows both rounds: 1.0 a year ago, 3.0 now, chart and table
    page.goto("/en/self-assessment/")
    check_accessibility(page)
    page.get_by_role("link", name="Maturity over time").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Maturity over time")
    table = page.get_by_role("table", name="Mean level by domain and self-assessment")
    expect(table.locator("thead th")).to_have_count(3)
    row = table.get_by_role("row", name="Nurturing: trusted adults and relationships")
    expect(row.locator("td")).to_have_text(["1.0", "3.0"])
    expect(page.locator("svg.nyth-chart")).to_have_count(7)
    check_accessibility(page)

    # And the page reflows at 320 px
    page.set_viewport_size({"width": 320, "height": 800})
    page.reload()
    assert_no_sideways_scrolling(page)
    check_accessibility(page)
