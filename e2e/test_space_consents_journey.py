"""Journeys: "What I agreed to share" and "Who has seen my story" in the young person's own space
(issue 14), in English with JavaScript and in Welsh without, on a phone (320 px wide).

Ffion (``practitioner``) records two consents for a young person of her caseload: their own
decision to share their story with a youth project, and a decision a parent made to share it with
the youth justice service. She reads their assessment, and asks to share part of it with the
youth justice service without consent (safeguarding), which Mererid (``manager``) approves; Mererid
reads the assessment too, then keeps her own entry from the young person's view until a review
date. The staff log lists the safeguarding share (so its absence below means something).

The young person, invited, reads what they agreed to share, with whom, why and since when; stops
the youth project's at once; for the parent's decision the button is a request to their worker
instead. "Who has seen my story" tells them, in plain words, that Ffion read it – and says nothing
of the safeguarding share or of Mererid's entry. They ask why Ffion looked, and Ffion sees the
notices (the withdrawal, the request and the question) from her home page.

The organisations named have no one signed in in any journey, and each run invites a young person
of its own, so the journeys never meet the others' data. axe on every page.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from e2e.support import (
    YoungPerson,
    a_young_person_to_invite,
    accept_by_keyboard,
    assert_no_sideways_scrolling,
    check_accessibility,
    fill_date,
    invite_by_keyboard,
    today,
)

pytestmark = pytest.mark.browser

YOUTH_PROJECT = {"en": "Cwtch Young People's Charity (demo)", "cy": "Elusen Pobl Ifanc Cwtch (demo)"}
YOUTH_JUSTICE = {"en": "Cardiff Youth Justice Service (demo)", "cy": "Gwasanaeth Cyfiawnder Ieuenctid Caerdydd (demo)"}
MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"],
    "cy": ["Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin", "Gorffennaf", "Awst", "Medi", "Hydref",
           "Tachwedd", "Rhagfyr"],
}  # fmt: skip
PHONE: ViewportSize = {"width": 320, "height": 640}

#: What the young person's pages say, in each language (the Welsh from the catalogue).
SAYS = {
    "en": {
        "consents": "What I agreed to share",
        "what": "What they can see",
        "why": "Why",
        "since": "Since",
        "whole": "The whole assessment",
        "purpose": "Joint assessment and care planning",
        "stop": "Stop sharing with {}",
        "ask": "Ask your worker to stop sharing with {}",
        "stop_now": "Stop sharing now",
        "ask_button": "Ask my worker",
        "stopped": "Done. It is not shared any more. Your worker has been told.",
        "asked": "We have asked your worker. They will talk to you about it.",
        "asked_row": "You asked your worker to stop this. They will talk to you about it.",
        "not_yours": "You cannot stop this one yourself here.",
        "seen": "Who has seen my story",
        "read": "read your story",
        "why_look": "Why did this person look?",
        "asked_why": "We have asked your worker. They will tell you why.",
        "back": "Back",
    },
    "cy": {
        "consents": "Beth wnes i gytuno i'w rannu",
        "what": "Beth maen nhw'n gallu ei weld",
        "why": "Pam",
        "since": "Ers",
        "whole": "Yr asesiad cyfan",
        "purpose": "Asesu ar y cyd a chynllunio gofal",
        "stop": "Stopio rhannu gyda {}",
        "ask": "Gofyn i'ch gweithiwr stopio rhannu gyda {}",
        "stop_now": "Stopio rhannu nawr",
        "ask_button": "Gofyn i fy ngweithiwr",
        "stopped": "Wedi'i wneud. Dydy e ddim yn cael ei rannu mwyach. Mae eich gweithiwr wedi cael gwybod.",
        "asked": "Rydyn ni wedi gofyn i'ch gweithiwr. Byddan nhw'n siarad â chi amdano.",
        "asked_row": "Gofynnoch chi i'ch gweithiwr stopio hyn. Byddan nhw'n siarad â chi amdano.",
        "not_yours": "Allwch chi ddim stopio hwn eich hun yma.",
        "seen": "Pwy sydd wedi gweld fy stori",
        "read": "eich stori",
        "why_look": "Pam edrychodd y person hwn?",
        "asked_why": "Rydyn ni wedi gofyn i'ch gweithiwr. Byddan nhw'n dweud wrthych chi pam.",
        "back": "Yn ôl",
    },
}


def long_date(day: datetime.date, language: str) -> str:
    return f"{day.day} {MONTHS[language][day.month - 1]} {day.year}"


def _fits(page: Page) -> None:
    """axe at 320 px, and no sideways scrolling (WCAG 2.2 SC 1.4.10 Reflow)."""
    assert_no_sideways_scrolling(page, PHONE["width"])
    check_accessibility(page, where=f"{page.url} at 320 px")


# --- Set-up by staff, through their pages ---------------------------------------------------


def record_consent(page: Page, young_person: YoungPerson, organisation: str, *, by_parent: bool) -> None:
    """A consent to share the whole assessment with ``organisation`` for joint assessment: the
    young person's own decision (judged competent today), or a parent's."""
    page.goto(f"/en/consent/children/{young_person.pk}/new/")
    check_accessibility(page)
    page.get_by_label("The whole assessment").check()
    page.get_by_label("An organisation", exact=True).check()
    page.locator("#id_recipient_organisation").select_option(label=organisation)
    page.get_by_label("Joint assessment and care planning").check()
    if by_parent:
        page.get_by_label("A person with parental responsibility").check()
        page.get_by_label("Name of the person who decided").fill("Sara Jones")
        views = "My mum said yes. I don't really want them to read it."
    else:
        page.get_by_label("The young person, able to decide for themselves").check()
        page.get_by_label("Your judgement of the young person's competence to decide").fill(
            "They understood who would read it, why, and that they can stop it at any time."
        )
        views = "The youth project can read it so I don't have to say it again."
    page.get_by_label("The young person's views, in their own words").fill(views)
    page.get_by_label("In person").check()
    fill_date(page, "id_given_on", today())
    page.get_by_label(re.compile(r"^Public task with health or social care purposes")).check()
    page.get_by_role("button", name="Record the consent decision").click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    check_accessibility(page)


def share_under_safeguarding(practitioner: Page, manager: Page, young_person: YoungPerson) -> None:
    """Ffion asks to share the whole assessment with the youth justice service without consent;
    Mererid, another manager than the one asking, approves: the moment it is shared."""
    practitioner.goto(f"/en/consent/children/{young_person.pk}/safeguarding/new/")
    check_accessibility(practitioner)
    practitioner.get_by_label("Organisation to share with").select_option(label=YOUTH_JUSTICE["en"])
    practitioner.get_by_label("The whole assessment").check()
    practitioner.get_by_label(re.compile(r"^The risk of significant harm")).fill(
        "Seen with older young people the youth justice service is working with; missing twice this month. "
        "Asking first could put them at more risk."
    )
    fill_date(practitioner, "id_expires_on", today() + datetime.timedelta(days=14))
    practitioner.get_by_role("button", name="Send for approval").click()
    expect(practitioner).to_have_url(re.compile(r"/en/consent/safeguarding/\d+/$"))
    check_accessibility(practitioner)
    found = re.search(r"/en/consent/safeguarding/\d+/$", practitioner.url)
    assert found, practitioner.url
    manager.goto(found[0])
    check_accessibility(manager)
    manager.get_by_label("Approve sharing without consent").check()
    manager.get_by_label("Your reasons").fill("The risk is real and current; sharing now is needed to keep them safe.")
    manager.get_by_role("button", name="Save your decision").click()
    expect(manager.locator(".govuk-notification-banner--success")).to_be_visible()
    check_accessibility(manager)


def read_their_story(page: Page, young_person: YoungPerson) -> None:
    page.goto(f"/en/assessments/children/{young_person.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Holistic assessment")
    check_accessibility(page)


def keep_own_entry_from_their_view(manager: Page, young_person: YoungPerson, who: str) -> str:
    """Mererid keeps the line about ``who`` from the young person's view, for 30 days; returns it."""
    manager.goto(f"/en/space-access/{young_person.pk}/log/")
    check_accessibility(manager)
    card = manager.locator(".govuk-summary-card").filter(has_text=who)
    expect(card).to_have_count(1)
    line = card.locator("p").first.inner_text().strip()
    card.get_by_role("link", name="Keep from their view").click()
    check_accessibility(manager)
    manager.get_by_label("Why should they not see this yet?").fill(
        "Telling them now that the service manager read it could worry them before the meeting."
    )
    fill_date(manager, "id_review_on", today() + datetime.timedelta(days=30))
    manager.get_by_role("button", name="Keep from their view").click()
    expect(manager.locator(".govuk-summary-card").filter(has_text=who)).to_contain_text("Kept from their view")
    check_accessibility(manager)
    return line


# --- The journeys ---------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "javascript"), [("en", True), ("cy", False)])
def test_what_i_agreed_to_share_and_who_has_seen_my_story(
    new_page: Callable[..., Page], signed_in_page: Callable[[str], Page], language: str, javascript: bool
) -> None:
    says = SAYS[language]
    day = today()
    # Given a young person of Ffion's, their two consents, and their story read and shared
    practitioner = signed_in_page("practitioner")
    young_person, _goal = a_young_person_to_invite(practitioner)
    record_consent(practitioner, young_person, YOUTH_PROJECT["en"], by_parent=False)
    record_consent(practitioner, young_person, YOUTH_JUSTICE["en"], by_parent=True)
    read_their_story(practitioner, young_person)
    manager = signed_in_page("manager")
    share_under_safeguarding(practitioner, manager, young_person)
    read_their_story(manager, young_person)
    withheld = keep_own_entry_from_their_view(manager, young_person, "Mererid Owen")
    # (the staff log lists the safeguarding share: the young person's must leave it out)
    practitioner.goto(f"/en/assessments/children/{young_person.pk}/seen/")
    check_accessibility(practitioner)
    expect(practitioner.locator("main")).to_contain_text(f"shared parts of your story with {YOUTH_JUSTICE['en']}")
    link = invite_by_keyboard(practitioner, young_person)

    # When the young person, on a phone, sets up their account and opens what they agreed to share
    page = new_page(javascript=javascript)
    page.set_viewport_size(PHONE)
    accept_by_keyboard(page, link, username=f"rhannu{young_person.pk}", language=language)
    heading = page.get_by_role("heading", level=1)
    page.get_by_role("link", name=says["consents"]).click()
    expect(page).to_have_url(re.compile(rf"/{language}/my/consents/$"))
    expect(heading).to_have_text(says["consents"])
    _fits(page)

    # Then each consent says with whom, what, why and since when
    for organisation in (YOUTH_PROJECT[language], YOUTH_JUSTICE[language]):
        title = page.get_by_role("heading", level=2, name=organisation)
        expect(title).to_be_visible()
        facts = title.locator("xpath=following-sibling::dl[1]")
        expect(facts.locator("div", has=page.locator("dt", has_text=says["what"])).locator("dd")).to_have_text(
            says["whole"]
        )
        expect(facts.locator("div", has=page.locator("dt", has_text=says["why"])).locator("dd")).to_have_text(
            says["purpose"]
        )
        expect(facts.locator("div", has=page.locator("dt", has_text=says["since"])).locator("dd")).to_have_text(
            long_date(day, language)
        )
    # And their own decision can be stopped; the parent's decision is a request to their worker
    stop = page.get_by_role("link", name=says["stop"].format(YOUTH_PROJECT[language]), exact=True)
    ask = page.get_by_role("link", name=says["ask"].format(YOUTH_JUSTICE[language]), exact=True)
    expect(stop).to_be_visible()
    expect(ask).to_be_visible()
    expect(page.get_by_role("link", name=says["stop"].format(YOUTH_JUSTICE[language]), exact=True)).to_have_count(0)

    # When they stop sharing with the youth project
    stop.click()
    expect(heading).to_have_text(says["stop"].format(YOUTH_PROJECT[language]))
    _fits(page)
    page.get_by_role("button", name=says["stop_now"]).click()

    # Then it stops at once: it is no longer listed
    expect(page).to_have_url(re.compile(rf"/{language}/my/consents/$"))
    expect(page.get_by_text(says["stopped"])).to_be_visible()
    expect(page.get_by_role("heading", level=2, name=YOUTH_PROJECT[language])).to_have_count(0)
    _fits(page)

    # When they ask for the parent's decision to stop, the page says why it is a request
    ask.click()
    expect(page.locator("main")).to_contain_text(says["not_yours"])
    expect(page.get_by_role("button", name=says["stop_now"])).to_have_count(0)
    _fits(page)
    page.get_by_role("button", name=says["ask_button"]).click()

    # Then it is still shared, and the page says they asked
    expect(page.get_by_text(says["asked"])).to_be_visible()
    expect(page.get_by_role("heading", level=2, name=YOUTH_JUSTICE[language])).to_be_visible()
    expect(page.get_by_text(says["asked_row"])).to_be_visible()
    _fits(page)

    # When they open who has seen their story
    page.goto(f"/{language}/my/")
    _fits(page)
    page.get_by_role("link", name=says["seen"]).click()
    expect(heading).to_have_text(says["seen"])
    _fits(page)

    # Then Ffion's reading is there in plain words, and neither the safeguarding share nor Mererid's entry
    main = page.locator("main")
    ffion = page.locator(".govuk-summary-card").filter(has_text="Ffion Hughes").filter(has_text=says["read"])
    expect(ffion).to_have_count(1)
    expect(main).not_to_contain_text(YOUTH_JUSTICE[language])
    expect(main).not_to_contain_text(YOUTH_JUSTICE["en"])
    expect(main).not_to_contain_text("Mererid Owen")
    assert withheld not in main.inner_text()

    # When they ask why Ffion looked
    ffion.get_by_role("link", name=says["why_look"]).click()
    expect(heading).to_have_text(says["why_look"])
    expect(page.locator("main .govuk-inset-text")).to_contain_text("Ffion Hughes")
    _fits(page)
    page.get_by_role("button", name=says["ask_button"]).click()
    expect(page.get_by_text(says["asked_why"])).to_be_visible()
    _fits(page)

    # Then Ffion's home page tells her, and her page of notices lists all three
    practitioner.goto("/en/")
    check_accessibility(practitioner)
    expect(practitioner.locator("main")).to_contain_text(
        "A young person you work with withdrew a consent or asked you something in their own space."
    )
    practitioner.locator("main").get_by_role("link", name="See what is waiting").click()
    check_accessibility(practitioner)
    practitioner.locator("main").get_by_role("link", name=young_person.name, exact=True).first.click()
    expect(practitioner.get_by_role("heading", level=1)).to_have_text("From their own space")
    check_accessibility(practitioner)
    notices = practitioner.locator("main")
    # (the organisation named in the reader's language – Ffion reads English – whatever the
    # young person's)
    expect(notices).to_contain_text(f"They withdrew their consent to share with {YOUTH_PROJECT['en']}.")
    expect(notices).to_contain_text(f"They ask to stop sharing with {YOUTH_JUSTICE['en']}.")
    expect(notices).to_contain_text("They ask why someone looked at their story.")
    expect(notices.locator(".govuk-inset-text").filter(has_text="Ffion Hughes")).to_have_count(1)
