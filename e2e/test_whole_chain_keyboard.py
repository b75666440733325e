"""Journey: the whole chain of the young person's own space (issue 14, Proof), by keyboard only.

Ffion (``practitioner``) invites a young person of her caseload from their record. On a phone
(320 px wide) the young person opens the link, sets a password and chooses Welsh, reads their
plan in Welsh, scores a goal and presses "I don't feel safe". The service's duty worker
(``duty``, another browser) sees the alert on his home page and picks it up. The young person
stops sharing their assessment with the council whose educational psychologist (``edpsych``)
could read it only through that consent: his next request is refused (404). Then "Exit this
page" leaves for a neutral site and ends the session: Back shows nothing and the space asks
them to sign in.

Every step is done with the keyboard – Tab and Shift+Tab, the arrow keys in a group of radios,
Enter on a link or a button, typing – and every stop on the way must show the focus
(``e2e.support.tab_to``). What is not a key press, and why:

- the set-up before the journey (choosing the young person, and the consent that gives the
  partner his access) is the practitioner's ordinary work through the pages, done with
  Playwright's ``fill``/``check`` (the keyboard is what is under test after it);
- staff sign in through the shared helper (``signed_in_page``): signing in and two-factor have
  journeys of their own;
- opening an address (the invitation link handed over, a page a partner has open), reloading it
  (his "next request") and the browser's Back button are the browser's, not the page's: there is
  no key in the page to press for them.

axe checks every page, the young person's at 320 px. The young person, the partner's council
and the duty worker's alert are this journey's own: the other journeys never meet them.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, Route, ViewportSize, expect

from e2e.support import (
    YoungPerson,
    a_young_person_to_invite,
    accept_by_keyboard,
    assert_no_sideways_scrolling,
    check_accessibility,
    fill_date,
    invite_by_keyboard,
    press,
    tab_to,
    today,
    type_into,
)

pytestmark = pytest.mark.browser

PARTNER = "edpsych"  # Owain Tudur, educational psychologist: no other journey shares a young person with his council
PARTNER_ORGANISATION = "Vale of Glamorgan Council"
EXIT_SITE = "https://www.bbc.co.uk/weather"  # settings.NYTH_SPACE_EXIT_URL (its default)
NEUTRAL_PAGE = '<!doctype html><html lang="en"><title>Weather</title><main><h1>Weather</h1></main></html>'
PHONE: ViewportSize = {"width": 320, "height": 640}


def _fits(page: Page) -> None:
    """axe at 320 px, and no sideways scrolling (WCAG 2.2 SC 1.4.10 Reflow)."""
    assert_no_sideways_scrolling(page, PHONE["width"])
    check_accessibility(page, where=f"{page.url} at 320 px")


def _to_the_neutral_site(route: Route, exits: list[str]) -> None:
    """Nyth's exit address answers for real (it ends the session and sends the browser on); the
    neutral site it sends them to stands in here, as the tests have no internet (and Playwright
    cannot intercept the request a redirect leads to)."""
    response = route.fetch(max_redirects=0)
    assert response.status == 302, response.status
    exits.append(response.headers["location"])
    route.fulfill(status=200, body=NEUTRAL_PAGE, content_type="text/html; charset=utf-8")


def record_consent_for_partner(page: Page, young_person: YoungPerson) -> None:
    """Set-up: the young person's own decision, judged competent today, to share the whole
    assessment with the partner's council for joint assessment (the practitioner's consent form)."""
    page.goto(f"/en/consent/children/{young_person.pk}/new/")
    check_accessibility(page)
    page.get_by_label("The whole assessment").check()
    page.get_by_label("An organisation", exact=True).check()
    page.locator("#id_recipient_organisation").select_option(label=PARTNER_ORGANISATION)
    page.get_by_label("Joint assessment and care planning").check()
    page.get_by_label("The young person, able to decide for themselves").check()
    page.get_by_label("Your judgement of the young person's competence to decide").fill(
        "They understood what the educational psychologist would read, why, and that they can stop it."
    )
    page.get_by_label("The young person's views, in their own words").fill(
        "The psychologist can read it so I don't have to say it all again."
    )
    page.get_by_label("In person").check()
    fill_date(page, "id_given_on", today())
    page.get_by_label(re.compile(r"^Public task with health or social care purposes")).check()
    page.get_by_role("button", name="Record the consent decision").click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    check_accessibility(page)


def test_the_whole_chain_by_keyboard_on_a_phone(
    new_page: Callable[..., Page], signed_in_page: Callable[[str], Page]
) -> None:
    # Set-up: a young person of Ffion's with a goal, and a consent that gives the partner access
    practitioner = signed_in_page("practitioner")
    young_person, goal = a_young_person_to_invite(practitioner)
    partner = signed_in_page(PARTNER)
    assessment = f"/en/assessments/children/{young_person.pk}/"
    before = partner.goto(assessment)  # nothing of theirs is his to read yet
    assert before is not None and before.status == 404
    check_accessibility(partner)
    record_consent_for_partner(practitioner, young_person)
    partner.goto(assessment)  # the page he has open, through the consent alone
    expect(partner.get_by_role("heading", level=1)).to_have_text("Holistic assessment")
    check_accessibility(partner)

    # Given Ffion on the young person's record, she makes an invitation link by keyboard
    link = invite_by_keyboard(practitioner, young_person)

    # When the young person opens it on a phone, sets a password and chooses Welsh
    page = new_page()
    page.set_viewport_size(PHONE)
    exits: list[str] = []
    page.route("**/my/exit/", lambda route: _to_the_neutral_site(route, exits))
    accept_by_keyboard(page, link, username=f"ifanc{young_person.pk}", language="cy")

    # Then their space opens in Welsh
    heading = page.get_by_role("heading", level=1)
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.get_by_text("Mae eich cyfrif yn barod. Dyma eich gofod chi.")).to_be_visible()
    expect(heading).to_have_text(re.compile(r"^Helo, "))
    _fits(page)

    # When they open My plan: their goal, in their words (marked with the language they wrote in)
    press(page, page.get_by_role("link", name="Fy nghynllun", exact=True))
    expect(page).to_have_url(re.compile(r"/cy/my/plan/$"))
    expect(heading).to_have_text("Fy nghynllun")
    expect(page.locator("main li", has_text=goal).first).to_be_visible()
    _fits(page)

    # And back to their space (Shift+Tab: the link is above where the focus is) and on to My goals
    press(page, page.get_by_role("link", name="Yn ôl i fy ngofod"), backwards=True)
    expect(page).to_have_url(re.compile(r"/cy/my/$"))
    _fits(page)
    press(page, page.get_by_role("link", name="Fy nodau", exact=True))
    expect(page).to_have_url(re.compile(r"/cy/my/goals/$"))
    expect(heading).to_have_text("Fy nodau")
    _fits(page)

    # And score the goal 7 out of 10
    form = page.get_by_role("heading", name=goal).locator("xpath=following-sibling::form[1]")
    type_into(page, form.get_by_label("Eich sgôr o 0 i 10"), "7")
    page.keyboard.press("Enter")  # Enter in a text field sends its form, as it does for anyone
    expect(page.get_by_text("Diolch. Mae eich sgôr wedi'i chadw.")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Eich sgôr ddiwethaf: 7 allan o 10"))).to_be_visible()
    _fits(page)

    # When they say they do not feel safe
    press(page, page.get_by_role("link", name="Yn ôl i fy ngofod"), backwards=True)
    expect(page).to_have_url(re.compile(r"/cy/my/$"))
    _fits(page)
    press(page, page.get_by_role("link", name="Dydw i ddim yn teimlo'n ddiogel neu mae angen i mi siarad â rhywun"))
    expect(heading).to_have_text("Cael help")
    _fits(page)
    press(page, page.get_by_role("button", name="Dydw i ddim yn teimlo'n ddiogel", exact=True))

    # Then 999 and the help-now numbers come first, and the message is sent
    expect(heading).to_have_text("Mae eich neges wedi'i hanfon")
    text = page.locator("main").inner_text()
    assert text.index("999") < text.index("Childline") < text.index("Mae eich neges wedi'i hanfon")
    _fits(page)

    # And the duty worker, in another browser, sees it on his home page and picks it up
    duty = signed_in_page("duty")
    expect(duty.locator("main")).to_contain_text("waiting to be picked up")
    press(duty, duty.get_by_role("link", name="See what is waiting").first)
    expect(duty.get_by_role("heading", level=1)).to_have_text("Waiting from young people's own spaces")
    check_accessibility(duty)
    press(duty, duty.get_by_role("link", name=re.compile(rf"^{re.escape(young_person.name)}: I don't feel safe")))
    expect(duty.get_by_role("heading", level=1)).to_have_text("I don't feel safe")
    check_accessibility(duty)
    type_into(duty, duty.get_by_label("What was done"), "rang them straight back; they are safe at home tonight.")
    press(duty, duty.get_by_role("button", name="I have picked this up"))
    expect(duty.get_by_text("You have picked up this alert.")).to_be_visible()
    check_accessibility(duty)

    # When the young person stops sharing with the council, from "What I agreed to share"
    press(page, page.get_by_role("link", name="Yn ôl i'ch gofod"))
    expect(page).to_have_url(re.compile(r"/cy/my/$"))
    _fits(page)
    press(page, page.get_by_role("link", name="Beth wnes i gytuno i'w rannu"))
    expect(heading).to_have_text("Beth wnes i gytuno i'w rannu")
    _fits(page)
    press(page, page.get_by_role("link", name=re.compile(r"^Stopio rhannu gyda ")).first)
    expect(heading).to_have_text(re.compile(r"^Stopio rhannu gyda "))
    _fits(page)
    press(page, page.get_by_role("button", name="Stopio rhannu nawr"), "Space")  # a button takes Space too
    expect(page.get_by_text("Wedi'i wneud. Dydy e ddim yn cael ei rannu mwyach.", exact=False)).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"^Stopio rhannu gyda "))).to_have_count(0)
    _fits(page)

    # Then the partner's next request for the assessment is refused, as if it did not exist
    response = partner.reload()
    assert response is not None and response.status == 404
    expect(partner.get_by_role("heading", level=1)).to_have_text("Page not found")
    check_accessibility(partner)

    # When the young person presses "Exit this page"
    tab_to(page, page.get_by_role("button", name="Gadael y dudalen hon"))
    page.keyboard.press("Enter")

    # Then Nyth sends them on to a neutral site, and the space is signed out: Back shows nothing of it
    expect(page.get_by_role("heading", level=1)).to_have_text("Weather")
    assert exits == [EXIT_SITE]
    check_accessibility(page)
    page.go_back()
    page.wait_for_url(re.compile(r"/account/sign-in/"))
    expect(page.get_by_text(goal)).to_have_count(0)
    _fits(page)
