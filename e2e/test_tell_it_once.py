"""Journeys: "Tell it once" – consent and one holistic assessment (issue 4).

A CAMHS clinician who works in Welsh adds to the assessment of a young person who agreed to
share it with CAMHS, and is shown as its author, without ever seeing the section restricted to
named people; a young person withdraws their consent and the social worker's access ends at
once; and the lead practitioner makes a PDF copy of the assessment for the family court, with
the restricted section left out.

The young person is the one ``seed_assessments`` built across agencies: the consents to CAMHS,
the school, the educational psychologist, the local authority's children's services (the social
worker's organisation) and the family court are all theirs, as is the restricted section
(experiences of adversity). The tests find them through the partners' "Shared with me" pages,
never by record number.
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Locator, Page, expect
from pypdf import PdfReader

from e2e.support import RECORD_URL, check_accessibility

pytestmark = pytest.mark.browser

SERVER_TIME_ZONE = ZoneInfo("Europe/London")  # config.settings.TIME_ZONE: dates on the pages
ASSESSMENT_PATH = re.compile(r"^/(en|cy)/assessments/children/(\d+)/$")
# Month names as the pages show them (Django's, with Nyth's correction of July in locale-django).
MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"],
    "cy": ["Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin", "Gorffennaf", "Awst", "Medi", "Hydref",
           "Tachwedd", "Rhagfyr"],
}  # fmt: skip

# seed_demo's Welsh-speaking CAMHS clinician, as her bylines name her in Welsh: her profession
# ("CAMHS clinician") and her health board's Welsh name.
CLINICIAN = "clinigydd"
CLINICIAN_BYLINE = "Elin Prys, Clinigydd CAMHS, CAMHS Bwrdd Iechyd Prifysgol Caerdydd a'r Fro"
# The social worker's organisation, named by one of the young person's consents (seed_assessments).
SOCIAL_WORKER = "socialworker"
SOCIAL_WORKER_ORGANISATION = "Cardiff Council"
# seed_assessments' court and its Welsh name, as a Welsh PDF copy names it.
COURT = "Family Court at Cardiff (demo)"
COURT_CY = "Llys Teulu Caerdydd (demo)"
# Words from the restricted section (experiences of adversity): never shown to a partner, never
# copied. And words from a section that may leave (strengths), so a copy is not empty.
RESTRICTED_WORDS = [
    "further disclosure to their lead practitioner",
    "the full chronology is held by children's services",
]
SHAREABLE_WORDS = "comic about a fox who keeps moving house"


@dataclass(frozen=True)
class SharedChild:
    name: str  # as the pages show it (preferred name and family name)
    assessment_path: str  # "/en/assessments/children/1/"

    @property
    def family_name(self) -> str:
        return self.name.rsplit(" ", 1)[-1]


def shown_date(when: datetime.datetime, language: str) -> str:
    """A date as the pages write it ("24 November 2026", "24 Tachwedd 2026")."""
    return f"{when.day} {MONTHS[language][when.month - 1]} {when.year}"


def server_now() -> datetime.datetime:
    return datetime.datetime.now(SERVER_TIME_ZONE)


def shared_with_me_card(page: Page, child: SharedChild) -> Locator:
    """The child's card on the "Shared with me" page, found by the link to their assessment."""
    return page.locator(".govuk-summary-card").filter(has=page.locator(f'a[href="{child.assessment_path}"]'))


def open_shared_with_me(page: Page, language: str) -> None:
    """From any page: the "Shared with me" link in the menu (found by its address)."""
    page.locator(f'nav.govuk-service-navigation__wrapper a[href="/{language}/assessments/shared-with-me/"]').click()
    expect(page).to_have_url(re.compile(rf"/{language}/assessments/shared-with-me/$"))


def the_young_person_shared_across_agencies(partner: Page) -> SharedChild:
    """As a partner professional (signed in, in English): the one young person on their "Shared
    with me" page, whose assessment several agencies wrote."""
    open_shared_with_me(partner, "en")
    expect(partner.get_by_role("heading", level=1)).to_have_text("Shared with me")
    check_accessibility(partner)
    links = partner.locator(".govuk-summary-card__actions a")
    expect(links).to_have_count(1)  # the seed shares one young person's assessment with each partner
    path = links.get_attribute("href") or ""
    assert ASSESSMENT_PATH.match(path), path
    name = partner.locator(".govuk-summary-card__title").inner_text().strip()
    return SharedChild(name=name, assessment_path=path)


def open_record_as_lead(page: Page, child: SharedChild) -> None:
    """As the lead practitioner: find the young person on the list of children and open the record."""
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Children and young people").click()
    expect(page).to_have_url(re.compile(r"/en/children/$"))
    check_accessibility(page)
    page.locator("#q").fill(child.family_name)
    page.get_by_role("search").get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/en/children/\?q="))
    check_accessibility(page)
    page.get_by_role("table").get_by_role("link", name=child.name, exact=True).click()
    expect(page).to_have_url(RECORD_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text(child.name)
    check_accessibility(page)


def section(page: Page, key: str) -> Locator:
    return page.locator(f"section#section-{key}")


# --- 1. A CAMHS clinician contributes, in Welsh, through the young person's consent ---------------


def test_a_camhs_clinician_contributes_in_welsh_through_consent(signed_in_page: Callable[[str], Page]) -> None:
    # Given Elin, a CAMHS clinician whose account is in Welsh, signed in
    page = signed_in_page(CLINICIAN)
    html = page.locator("html")
    heading = page.get_by_role("heading", level=1)
    expect(page).to_have_url(re.compile(r"/cy/$"))
    expect(html).to_have_attribute("lang", "cy")

    # When she opens "Rhannwyd â mi" (shared with me) from the menu
    open_shared_with_me(page, "cy")
    expect(heading).to_have_text("Rhannwyd â mi")
    check_accessibility(page)

    # Then the young person who agreed to share their assessment with CAMHS is there, and she
    # may read it and contribute
    card = page.locator(".govuk-summary-card").filter(has=page.locator('a[href^="/cy/assessments/children/"]')).first
    contribute = card.locator(".govuk-summary-card__actions a")
    expect(contribute).to_contain_text("Darllen a chyfrannu")
    name = card.locator(".govuk-summary-card__title").inner_text().strip()

    # When she opens the assessment
    contribute.click()
    expect(page).to_have_url(re.compile(r"/cy/assessments/children/\d+/$"))
    expect(heading).to_have_text("Asesiad cyfannol")
    expect(page.locator("main .govuk-caption-l").first).to_have_text(name)
    check_accessibility(page)

    # Then the restricted section is withheld from her: she is told that one is, never which
    # (not even its heading: that it is restricted would say what kind of thing it holds)
    expect(page.locator("section#section-adversity")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text("Profiadau o adfyd a thrawma")
    expect(page.locator("main")).to_contain_text("Mae 1 adran wedi'i hatal rhagoch chi.")
    for words in RESTRICTED_WORDS:
        expect(page.locator("body")).not_to_contain_text(words)

    # And the health section, which her consent covers, can be changed; it is at version n
    health = section(page, "health")
    expect(health.get_by_role("heading", level=2)).to_have_text("Iechyd")
    before = re.search(r"Fersiwn (\d+)\.", health.locator("p.govuk-body-s").inner_text())
    assert before, "the health section shows no version number"
    next_version = int(before[1]) + 1

    # When she changes it, writing in Welsh, and saves
    health.locator('a[href$="/sections/health/edit/"]').click()
    expect(page).to_have_url(re.compile(r"/cy/assessments/children/\d+/sections/health/edit/$"))
    expect(heading).to_have_text("Iechyd")
    check_accessibility(page)
    text = (
        "CAMHS, ar ôl yr ymgynghoriad ar y cyd: mae'r cwsg wedi gwella ers i'r gofalwyr maeth ddechrau "
        "trefn amser gwely dawel. Hunllefau unwaith yr wythnos erbyn hyn. Byddwn yn adolygu ymhen chwe wythnos."
    )
    page.locator("#id_text").fill(text)
    saved_from = server_now()
    page.locator("main form button[type=submit]").click()

    # Then she is back on the assessment, told which version she saved
    expect(page).to_have_url(re.compile(r"/cy/assessments/children/\d+/#section-health$"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Cadwyd “Iechyd” fel fersiwn {next_version}."
    )
    check_accessibility(page)
    saved_by = server_now()

    # And the section shows her words, with her name, profession and organisation, the time,
    # and that she wrote it through the young person's consent
    expect(health.locator(".govuk-body").first).to_have_text(text)
    byline = health.locator("p.govuk-body-s")
    # (the time is to the minute: allow the save to have fallen in the minute before)
    expect(byline).to_contain_text(
        re.compile(
            re.escape(f"Gan: {CLINICIAN_BYLINE}, ar {shown_date(saved_by, 'cy')}, ")
            + f"({saved_by:%H:%M}|{saved_by - datetime.timedelta(minutes=1):%H:%M})\\."
        )
    )
    expect(byline).to_contain_text("Cyfrannwyd gyda chydsyniad y person ifanc.")
    expect(byline).to_contain_text(f"Fersiwn {next_version}.")

    # When she opens every version of the section
    health.locator('a[href$="/sections/health/history/"]').click()
    expect(page).to_have_url(re.compile(r"/cy/assessments/children/\d+/sections/health/history/$"))
    expect(page).to_have_title(re.compile(r"^Pob fersiwn: Iechyd"))
    expect(heading).to_have_text("Iechyd")
    check_accessibility(page)

    # Then her version is the newest, with who wrote it and when, to the minute; the earlier
    # version is kept beneath it
    versions = page.locator("main h2.govuk-heading-m")
    expect(versions.first).to_have_text(f"Fersiwn {next_version}")
    expect(versions.nth(1)).to_have_text(f"Fersiwn {next_version - 1}")
    newest = page.locator("main dl.govuk-summary-list").first
    written_by = newest.locator(".govuk-summary-list__row", has=page.locator("dt", has_text="Ysgrifennwyd gan"))
    expect(written_by.locator("dd")).to_contain_text(CLINICIAN_BYLINE)
    when = newest.locator(".govuk-summary-list__row", has=page.locator("dt", has_text=re.compile(r"^Pryd$")))
    minutes = {f"{shown_date(t, 'cy')} {t:%H:%M}" for t in (saved_from, saved_by)}
    expect(when.locator("dd")).to_have_text(re.compile("^(" + "|".join(map(re.escape, minutes)) + ")$"))
    texts = page.locator("main .govuk-inset-text")
    expect(texts.first).to_have_text(text)
    expect(texts.nth(1)).not_to_have_text(text)  # the earlier version keeps the earlier words


# --- 2. Withdrawing consent ends the partner's access at once ----------------------------------


def test_withdrawing_consent_ends_the_social_workers_access_at_once(signed_in_page: Callable[[str], Page]) -> None:
    # Given Rhys, a social worker, who can read the young person's assessment through their consent
    partner = signed_in_page(SOCIAL_WORKER)
    child = the_young_person_shared_across_agencies(partner)
    shared_with_me_card(partner, child).get_by_role("link").click()
    expect(partner).to_have_url(re.compile(re.escape(child.assessment_path) + "$"))
    expect(partner.get_by_role("heading", level=1)).to_have_text("Holistic assessment")
    expect(partner.get_by_text("Shared with you by consent for Joint assessment and care planning")).to_be_visible()
    expect(section(partner, "home")).to_contain_text("Long-term foster placement")
    expect(section(partner, "health")).to_contain_text("Not shared with you.")
    check_accessibility(partner)

    # When the young person tells their lead practitioner they no longer want children's services
    # to read it, and she opens the consents on their record
    lead = signed_in_page("practitioner")
    open_record_as_lead(lead, child)
    lead.get_by_role("link", name="Consent and sharing", exact=True).click()
    expect(lead).to_have_url(re.compile(r"/en/consent/children/\d+/$"))
    expect(lead.get_by_role("heading", level=1)).to_have_text("Consent and sharing")
    check_accessibility(lead)
    card = lead.locator(".govuk-summary-card").filter(
        has=lead.locator(
            "h3.govuk-summary-card__title", has_text=re.compile(f"^{re.escape(SOCIAL_WORKER_ORGANISATION)}$")
        )
    )
    expect(card).to_have_count(1)
    card.get_by_role("link", name="View in full").click()
    expect(lead).to_have_url(re.compile(r"/en/consent/\d+/$"))
    consent_url = lead.url
    expect(lead.get_by_role("heading", level=1)).to_have_text(f"Consent to share with {SOCIAL_WORKER_ORGANISATION}")
    expect(lead.locator("main strong.govuk-tag").first).to_have_text("In force")
    check_accessibility(lead)

    # And withdraws it, with a note and the young person's words
    lead.get_by_role("link", name="Withdraw this consent").click()
    expect(lead).to_have_url(re.compile(r"/en/consent/\d+/withdraw/$"))
    expect(lead.get_by_role("heading", level=1)).to_have_text(
        f"Withdraw consent to share with {SOCIAL_WORKER_ORGANISATION}"
    )
    check_accessibility(lead)
    lead.locator("#id_note").fill("Told me at our session today, with their foster carer present.")
    lead.locator("#id_young_person_words").fill("I'll tell my social worker myself what I want him to know.")
    lead.get_by_role("button", name="Withdraw consent now").click()

    # Then the consent shows as withdrawn
    expect(lead).to_have_url(consent_url)
    expect(lead.locator(".govuk-notification-banner--success")).to_contain_text(
        f"The consent was withdrawn. {SOCIAL_WORKER_ORGANISATION} can no longer see what it covered."
    )
    expect(lead.locator("main .govuk-warning-text")).to_contain_text("Nothing is shared under this consent any more.")
    expect(lead.get_by_role("link", name="Withdraw this consent")).to_have_count(0)
    check_accessibility(lead)

    # When Rhys reloads the assessment he had open
    response = partner.reload()

    # Then it is not found for him: not even that the young person is known is confirmed
    assert response is not None and response.status == 404, response and response.status
    expect(partner.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(partner.get_by_text(child.name)).to_have_count(0)
    check_accessibility(partner)

    # And, back on his home page, the young person is gone from his "Shared with me"
    partner.get_by_role("link", name="Go to the home page").click()
    expect(partner).to_have_url(re.compile(r"/en/$"))
    check_accessibility(partner)
    open_shared_with_me(partner, "en")
    expect(partner.get_by_role("heading", level=1)).to_have_text("Shared with me")
    expect(shared_with_me_card(partner, child)).to_have_count(0)
    expect(partner.locator("main")).not_to_contain_text(child.name)
    check_accessibility(partner)


# --- 3. A PDF copy for the family court ---------------------------------------------------------


def test_the_lead_practitioner_makes_a_pdf_copy_for_the_family_court(signed_in_page: Callable[[str], Page]) -> None:
    # Given the young person who agreed to their assessment going to the family court (found on
    # the educational psychologist's "Shared with me")
    psychologist = signed_in_page("edpsych")
    child = the_young_person_shared_across_agencies(psychologist)
    psychologist.close()

    # And their lead practitioner, on their assessment
    page = signed_in_page("practitioner")
    heading = page.get_by_role("heading", level=1)
    open_record_as_lead(page, child)
    page.locator(f'main a[href="{child.assessment_path}"]').click()
    expect(page).to_have_url(re.compile(re.escape(child.assessment_path) + "$"))
    expect(heading).to_have_text("Holistic assessment")
    check_accessibility(page)

    # When she chooses to make a PDF copy for a court
    page.get_by_role("link", name="Make a PDF copy for a court or another service").click()
    expect(page).to_have_url(re.compile(r"/en/assessments/children/\d+/export/$"))
    expect(heading).to_have_text("Make a PDF copy for a court or another service")
    check_accessibility(page)
    form = page.locator("main form")

    # And asks for the PDF without saying who it is for or why
    download = form.get_by_role("button", name="Download the PDF")
    download.click()

    # Then the form comes back with an error summary linking to both questions
    expect(page).to_have_title(re.compile(r"^Error: Make a PDF copy of the assessment"))
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    recipient_error = summary.get_by_role("link", name="Choose who to share with")
    expect(recipient_error).to_have_attribute("href", "#id_organisation")
    expect(summary.get_by_role("link", name="Choose the purpose of sharing")).to_have_attribute("href", "#id_purpose_0")
    check_accessibility(page)
    recipient_error.click()
    expect(page.locator("#id_organisation")).to_be_focused()

    # And the restricted section cannot be chosen
    expect(form.locator('input[name="sections"][value="adversity"]')).to_have_count(0)
    expect(form.locator('input[name="sections"][value="strengths"]')).to_be_checked()

    # When she chooses the court, court proceedings and Welsh, and downloads the PDF
    court = form.locator("#id_organisation option").filter(has_text=COURT)
    expect(court).to_have_count(1)
    form.locator("#id_organisation").select_option(value=court.get_attribute("value"))
    form.locator('input[name="purpose"][value="court"]').check()
    form.locator('input[name="language"][value="cy"]').check()
    with page.expect_download() as downloading:
        download.click()
    pdf = downloading.value

    # Then she gets a PDF named by its reference
    reference = re.fullmatch(r"(EX-\d{4}-[A-Z2-9]{6})\.pdf", pdf.suggested_filename)
    assert reference, pdf.suggested_filename
    content = pdf.path().read_bytes()
    assert content.startswith(b"%PDF"), content[:16]

    # And it is for the court, in Welsh, with its reference, and holds the assessment
    # without the restricted section
    reader = PdfReader(io.BytesIO(content))
    text = " ".join(" ".join(pdf_page.extract_text() for pdf_page in reader.pages).split())
    assert COURT_CY in text
    assert reference[1] in text
    assert f"Cyfeirnod: {reference[1]}" in text
    assert SHAREABLE_WORDS in text
    for words in RESTRICTED_WORDS:
        assert words not in text, f"the court's copy holds the restricted section: {words!r}"

    # And the copy is recorded in the young person's "Who has seen my story"
    page.locator(f'main a[href="{child.assessment_path}"]').click()
    expect(heading).to_have_text("Holistic assessment")
    check_accessibility(page)
    page.get_by_role("link", name="Who has seen my story").click()
    expect(page).to_have_url(re.compile(r"/en/assessments/children/\d+/seen/$"))
    check_accessibility(page)
    expect(page.locator("main")).to_contain_text("made a copy of your story for the court")
