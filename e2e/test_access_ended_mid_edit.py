"""Journey: a partner whose access ends mid-edit is told why and keeps their text (issue 12 §C
Consent).

Catrin (``teacher``), at the demo school, is writing the education section of the young person
who agreed to share it with her school (``seed_assessments``). While she types, the young person
tells their lead practitioner, Ffion (``practitioner``), that the school should no longer see it,
and Ffion withdraws that consent. When Catrin saves, she is not shown a bare error: the page
(403) says her access ended and why, and gives her back what she wrote, read-only.

The school's consent is used only here: the other journeys on that young person rely on the
consents to CAMHS, children's services, the educational psychologist and the court.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from e2e.support import check_accessibility
from e2e.test_tell_it_once import open_record_as_lead, shared_with_me_card, the_young_person_shared_across_agencies

pytestmark = pytest.mark.browser

SCHOOL = "Ysgol Gyfun Enghraifft (demo school)"  # seed_demo's school, the teacher's organisation
UNSAVED = "Attendance is up to 95% since the new timetable; the quiet space at break is helping."


def test_a_teacher_whose_consent_is_withdrawn_mid_edit_is_told_why_and_keeps_her_text(
    signed_in_page: Callable[[str], Page],
) -> None:
    # Given Catrin, a teacher, writing the education section of a young person who agreed to
    # share it with her school
    teacher = signed_in_page("teacher")
    child = the_young_person_shared_across_agencies(teacher)
    shared_with_me_card(teacher, child).get_by_role("link").click()
    expect(teacher).to_have_url(re.compile(re.escape(child.assessment_path) + "$"))
    check_accessibility(teacher)
    edit = f"{child.assessment_path}sections/education/edit/"
    teacher.locator(f'main a[href="{edit}"]').click()
    expect(teacher).to_have_url(re.compile(re.escape(edit) + "$"))
    expect(teacher.get_by_role("heading", level=1)).to_have_text("Education and learning")
    check_accessibility(teacher)
    teacher.get_by_label("Text of this section").fill(UNSAVED)

    # When, meanwhile, their lead practitioner withdraws the consent to the school
    lead = signed_in_page("practitioner")
    open_record_as_lead(lead, child)
    lead.get_by_role("link", name="Consent and sharing", exact=True).click()
    expect(lead).to_have_url(re.compile(r"/en/consent/children/\d+/$"))
    check_accessibility(lead)
    card = lead.locator(".govuk-summary-card").filter(
        has=lead.locator("h3.govuk-summary-card__title", has_text=re.compile(f"^{re.escape(SCHOOL)}$"))
    )
    expect(card).to_have_count(1)
    card.get_by_role("link", name="View in full").click()
    expect(lead).to_have_url(re.compile(r"/en/consent/\d+/$"))
    check_accessibility(lead)
    lead.get_by_role("link", name="Withdraw this consent").click()
    expect(lead).to_have_url(re.compile(r"/en/consent/\d+/withdraw/$"))
    check_accessibility(lead)
    lead.locator("#id_young_person_words").fill("I want to tell school things myself.")
    lead.get_by_role("button", name="Withdraw consent now").click()
    expect(lead.locator(".govuk-notification-banner--success")).to_contain_text(
        f"The consent was withdrawn. {SCHOOL} can no longer see what it covered."
    )
    check_accessibility(lead)

    # And Catrin saves what she wrote
    with teacher.expect_response(lambda response: response.request.method == "POST") as saved:
        teacher.get_by_role("button", name="Save", exact=True).click()

    # Then she is told her access ended, and why, with her text given back to her, unsaved
    assert saved.value.status == 403, saved.value.status
    expect(teacher.get_by_role("heading", level=1)).to_have_text("Your access to this assessment has ended")
    expect(teacher.locator("main")).to_contain_text(
        "The young person's consent to share with your organisation was withdrawn on"
    )
    unsaved = teacher.get_by_label("What you wrote for “Education and learning” (not saved)")
    expect(unsaved).to_have_value(UNSAVED)
    expect(unsaved).to_have_attribute("readonly", "")
    # Nothing of the record is shown: not the young person's name
    expect(teacher.locator("main")).not_to_contain_text(child.name)
    check_accessibility(teacher)
