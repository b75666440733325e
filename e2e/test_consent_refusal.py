"""Journey: a refusal to share is a decision of its own (issue 12 §C Consent), and the young
person's words carry their language (A7).

Ffion (``practitioner``) works in English. A young person in her caseload tells her, in Welsh,
that they do not want the youth justice service to know about them. She opens "Record that
they do not agree to share", sends the form half filled (an error summary, what she typed
kept), then records it with their words and "Cymraeg" as the language of the text. The consent
page lists the refusal, with their words marked ``lang="cy"`` inside the English page.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from e2e.support import caseload, check_accessibility, fill_date, today

pytestmark = pytest.mark.browser

WORDS = "Dw i ddim eisiau i'r tîm cyfiawnder ieuenctid wybod amdana i."
ERROR_TITLE = re.compile(r"^Error: ")


def test_a_practitioner_records_a_refusal_in_the_young_persons_welsh_words(
    signed_in_page: Callable[[str], Page],
) -> None:
    # Given Ffion, signed in in English, and a young person in her caseload
    page = signed_in_page("practitioner")
    young_person = caseload(page)[0]
    heading = page.get_by_role("heading", level=1)

    # When she opens their consent page and chooses to record a refusal
    page.goto(f"/en/consent/children/{young_person.pk}/")
    expect(heading).to_have_text("Consent and sharing")
    check_accessibility(page)
    page.get_by_role("link", name="Record that they do not agree to share").click()
    expect(page).to_have_url(re.compile(rf"/en/consent/children/{young_person.pk}/refusals/new/$"))
    expect(heading).to_have_text("Record that the young person does not agree to share")
    check_accessibility(page)

    # Then the language of the text is offered, each language named in itself, her own chosen
    languages = page.get_by_role("group", name="Language of this text")
    expect(languages.locator('label[lang="cy"]')).to_have_text("Cymraeg")
    expect(languages.get_by_label("English")).to_be_checked()

    # When she sends it with the young person's words but no recipient and no date
    page.get_by_label("What the young person said, in their own words").fill(WORDS)
    page.get_by_role("button", name="Record the refusal").click()

    # Then an error summary says what is missing and keeps what she typed
    expect(page).to_have_title(ERROR_TITLE)
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Enter the date of the decision")
    expect(page.get_by_label("What the young person said, in their own words")).to_have_value(WORDS)
    check_accessibility(page)

    # When she completes it: the youth justice service, their own decision, today, in Welsh
    page.get_by_role("radio", name="A type of organisation").check()
    page.locator("#id_recipient_organisation_type").select_option(value="youth_justice")
    page.get_by_role("radio", name="The young person, able to decide for themselves").check()
    fill_date(page, "id_decided_on", today())
    page.get_by_role("group", name="Language of this text").get_by_label("Cymraeg").check()
    page.get_by_role("button", name="Record the refusal").click()

    # Then the consent page says it is recorded and lists it with their words, marked Welsh
    expect(page).to_have_url(re.compile(rf"/en/consent/children/{young_person.pk}/$"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Recorded: the young person does not agree to share with"
    )
    words = page.locator(".govuk-summary-card dd", has_text=WORDS)
    expect(words).to_have_count(1)
    expect(words).to_have_attribute("lang", "cy")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    check_accessibility(page)
