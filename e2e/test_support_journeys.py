"""Journeys: choice, plans and support delivery; safety plans at night; transitions (issue 5).

Ffion (``practitioner``) offers a young person in her caseload options from the catalogue,
records what they chose and why, writes their plan in Welsh with a goal in their words and an
action, and logs a consultation with their teacher, which shows in her diary. Bethan
(``oncall``), the on-call worker, opens a young person's crisis and safety plan through
emergency access and records the call; Mererid (``manager``) reviews that access the next
morning. A placement move and a change of practitioner, each with its checklist, end in a
handover summary the manager reads before changing the care team; the leaving worker's booked
session is then moved to the new one.

"At night" and "the next morning" are what the people are doing, not what the server's clock
says: emergency access is open to duty workers and managers at any hour (``people.services.
can_break_glass`` looks at the role, never the time), so these journeys run at any time of day.

Forms are filled by field ids and names and the young people are chosen by what their pages
show, so the journeys hold whichever seeded young people they land on. The pages are in
English; the plan's content is in Welsh.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import Locator, Page, expect

from e2e.support import YoungPerson, caseload, check_accessibility, fill_date, today

pytestmark = pytest.mark.browser

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]  # fmt: skip
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
PRACTITIONER_NAME = "Ffion Hughes"  # seed_demo's `practitioner`
ON_CALL_NAME = "Bethan Rees"  # seed_demo's `oncall`
MANAGER_NAME = "Mererid Owen"  # seed_demo's `manager`
NEW_PRACTITIONER_NAME = "Cerys Morgan"  # a practitioner of the service the seed gives no caseload
ERROR_TITLE = re.compile(r"^Error: ")


def long_date(day: datetime.date) -> str:
    """As the pages show a date: 7 May 2026."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def path_of(address: str) -> re.Pattern[str]:
    """The page at this path (with any query or fragment)."""
    return re.compile(re.escape(address) + r"([?#].*)?$")


def summary_value(scope: Page | Locator, key: str) -> Locator:
    """The value beside a key in a summary list."""
    page = scope if isinstance(scope, Page) else scope.page
    row = scope.locator(".govuk-summary-list__row").filter(
        has=page.locator("dt", has_text=re.compile(f"^{re.escape(key)}$"))
    )
    return row.first.locator("dd")


def success_banner(page: Page) -> Locator:
    return page.locator(".govuk-notification-banner--success")


def open_record(page: Page, young_person: YoungPerson) -> None:
    page.goto(young_person.record)
    expect(page.get_by_role("heading", level=1)).to_have_text(young_person.name)
    check_accessibility(page)


def follow(page: Page, address: str, heading: str | re.Pattern[str]) -> None:
    """Follow the link in the page's main content to this address, then check the page."""
    page.locator(f'main a[href="{address}"]').first.click()
    expect(page).to_have_url(path_of(address))
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    check_accessibility(page)


# --- 1. Choice, a plan in Welsh, and a consultation with the teacher ------------------------


GOAL = "Dw i eisiau teimlo'n saff yn yr ysgol"
ACTION = "Trefnu lle tawel yn y llyfrgell amser cinio, a dweud wrtha i pwy ydy fy oedolyn diogel yn yr ysgol."
ACTION_BY = "Ysgol Gyfun Enghraifft, Mrs Puw"
AGREEMENT = "Fy nghynllun i ydy e. Dw i eisiau i bopeth fod yn Gymraeg."
WHY_CHOSEN = "Dw i'n hoffi bod fi'n cael dewis beth dw i'n siarad amdano."
WHY_NOT_CHOSEN = "Dim nawr. Dw i ddim eisiau siarad am y gorffennol eto."
CONSULTATION = (
    "Talked with their form tutor about a quiet place at lunchtime and who their safe adult in school is; "
    "she will agree it with the head of year this week."
)


def a_young_person_without_a_plan(page: Page) -> YoungPerson:
    """From her caseload, the first young person whose plan is not written yet."""
    for young_person in caseload(page):
        page.goto(young_person.plan)
        expect(page.get_by_role("heading", level=1)).to_have_text("Choices and plan")
        check_accessibility(page)
        if page.locator("#goals").count() == 0:  # the goals heading comes with a written plan
            return young_person
    pytest.fail("every young person in the practitioner's caseload has a plan already")


def offer_card(page: Page, option: str, offered_on: datetime.date) -> Locator:
    """The card of an option offered on that day by Ffion."""
    return (
        page.locator("#options ~ .govuk-summary-card")
        .filter(has=page.locator(".govuk-summary-card__title", has_text=re.compile(f"^{re.escape(option)}$")))
        .filter(has_text=f"{long_date(offered_on)} by {PRACTITIONER_NAME}")
    )


def record_response(page: Page, card: Locator, response: str, why: str, decided_on: datetime.date) -> None:
    card.locator("details.govuk-details > summary").click()
    card.locator(f'input[name$="-response"][value="{response}"]').check()
    card.locator('textarea[name$="-reason"]').fill(why)
    expect(card.locator('input[name$="-reason_voice"][value="young_person"]')).to_be_checked()
    card.locator('input[name$="-decided_on_day"]').fill(str(decided_on.day))
    card.locator('input[name$="-decided_on_month"]').fill(str(decided_on.month))
    card.locator('input[name$="-decided_on_year"]').fill(str(decided_on.year))
    card.get_by_role("button", name="Save their response").click()


def test_a_practitioner_offers_choices_writes_a_welsh_plan_and_logs_a_consultation(
    signed_in_page: Callable[[str], Page],
) -> None:
    day = today()
    # Given Ffion, a practitioner, and a young person in her caseload whose plan is not written yet
    page = signed_in_page("practitioner")
    heading = page.get_by_role("heading", level=1)
    young_person = a_young_person_without_a_plan(page)
    expect(page.get_by_text("No plan has been written yet.")).to_be_visible()

    # When she reads about the options in the service's catalogue
    offer_form = page.locator(f'form[action="{young_person.plan}offers/"]')
    offering = page.locator("details", has=offer_form)
    offering.locator("summary").click()
    offering.locator('a[href="/en/plans/catalogue/"]').click()
    expect(page).to_have_url(path_of("/en/plans/catalogue/"))
    expect(heading).to_have_text("Support options")
    check_accessibility(page)
    titles = page.locator(".govuk-summary-card__title")
    expect(titles.nth(1)).to_be_visible()
    first, second = titles.nth(0).inner_text().strip(), titles.nth(1).inner_text().strip()

    # And offers two of them to the young person, saying how she explained them
    page.go_back()
    expect(page).to_have_url(path_of(young_person.plan))
    check_accessibility(page)
    if offering.get_attribute("open") is None:
        offering.locator("summary").click()
    for option in (first, second):
        offer_form.get_by_label(option, exact=True).check()
    fill_date(offer_form, "id_offer-offered_on", day)
    offer_form.locator("#id_offer-how_explained").fill(
        "Over two visits, in Welsh, with the leaflets; their foster carer was there for the second."
    )
    offer_form.get_by_role("button", name="Record the options offered").click()

    # Then both are on the plan page as offered today by her, with no answer yet
    expect(page).to_have_url(path_of(young_person.plan))
    expect(success_banner(page)).to_contain_text("The options offered were recorded.")
    for option in (first, second):
        card = offer_card(page, option, day)
        expect(card).to_have_count(1)
        expect(card.locator("strong.govuk-tag")).to_have_text("No answer yet")
    check_accessibility(page)

    # When she records that the young person chose the first, and why, in their words
    record_response(page, offer_card(page, first, day), "chosen", WHY_CHOSEN, day)

    # Then their choice and their reason are on the plan page
    expect(page).to_have_url(path_of(young_person.plan))
    expect(success_banner(page)).to_contain_text("The young person's response was recorded.")
    chosen = offer_card(page, first, day)
    expect(chosen.locator("strong.govuk-tag")).to_have_text("Chose this")
    expect(summary_value(chosen, "Why")).to_contain_text(WHY_CHOSEN)
    expect(summary_value(chosen, "Why")).to_contain_text("Written by the young person")
    expect(summary_value(chosen, "Date decided")).to_have_text(long_date(day))
    check_accessibility(page)

    # And that they did not choose the second, and why
    record_response(page, offer_card(page, second, day), "not_chosen", WHY_NOT_CHOSEN, day)
    expect(success_banner(page)).to_contain_text("The young person's response was recorded.")
    not_chosen = offer_card(page, second, day)
    expect(not_chosen.locator("strong.govuk-tag")).to_have_text("Did not choose this")
    expect(summary_value(not_chosen, "Why")).to_contain_text(WHY_NOT_CHOSEN)
    check_accessibility(page)

    # When she writes the plan with them: delivered in Welsh, and they agree with it, in their words
    follow(page, f"{young_person.plan}edit/", "Write the plan")
    page.locator('input[name="language"][value="cy"]').check()
    page.locator("#id_in_care_plan").check()
    page.locator('input[name="agreement"][value="agreed"]').check()
    fill_date(page, "id_agreement_on", day)
    page.locator("#id_agreement_words").fill(AGREEMENT)
    next_review = day + datetime.timedelta(days=91)
    fill_date(page, "id_next_review_on", next_review)
    page.get_by_role("button", name="Save the plan").click()

    # Then the plan page shows a plan in Welsh that they agree with, in their words
    expect(page).to_have_url(path_of(young_person.plan))
    expect(success_banner(page)).to_contain_text("The plan was saved.")
    expect(summary_value(page, "Language the support is delivered in")).to_have_text("Welsh")
    agreement = summary_value(page, "Does the young person agree with the plan?")
    expect(agreement).to_contain_text(f"Yes, they agree with the plan ({long_date(day)})")
    expect(agreement).to_contain_text(AGREEMENT)
    expect(summary_value(page, "Next review")).to_have_text(long_date(next_review))
    expect(page.get_by_text("No goals yet.")).to_be_visible()
    check_accessibility(page)

    # When she adds their goal, in their own words, in Welsh
    follow(page, f"{young_person.plan}goals/new/", "Add a goal")
    page.locator("#id_text").fill(GOAL)
    expect(page.locator('input[name="voice"][value="young_person"]')).to_be_checked()
    page.get_by_role("button", name="Save the goal").click()

    # Then the goal is on the plan, as their words, being worked on
    expect(page).to_have_url(path_of(young_person.plan))
    expect(success_banner(page)).to_contain_text("The goal was saved.")
    goal_row = page.get_by_role("table", name="Goals").locator("tbody tr").filter(has_text=GOAL)
    expect(goal_row).to_have_count(1)
    expect(goal_row.locator("td").nth(1)).to_have_text("Written by the young person")
    expect(goal_row.locator("td").nth(2)).to_have_text("Working on it")
    check_accessibility(page)

    # When she adds what the school will do for that goal, and by when
    follow(page, f"{young_person.plan}actions/new/", "Add an action")
    page.locator('input[name="who"][value="school"]').check()
    page.locator("#id_who_name").fill(ACTION_BY)
    page.locator("#id_what").fill(ACTION)
    page.locator("#id_goal").select_option(label=GOAL)
    by_when = day + datetime.timedelta(days=21)
    fill_date(page, "id_by_when", by_when)
    page.get_by_role("button", name="Save the action").click()

    # Then the plan shows who does what, for which goal, by when
    expect(page).to_have_url(path_of(young_person.plan))
    expect(success_banner(page)).to_contain_text("The action was saved.")
    action_row = page.get_by_role("table", name="Actions").locator("tbody tr").filter(has_text=ACTION)
    expect(action_row).to_have_count(1)
    cells = action_row.locator("td")
    expect(cells.nth(0)).to_contain_text("School or college")
    expect(cells.nth(0)).to_contain_text(ACTION_BY)
    expect(cells.nth(1)).to_contain_text(f"For the goal: {GOAL}")
    expect(cells.nth(2)).to_have_text(long_date(by_when))
    expect(cells.nth(3)).to_have_text("–")
    check_accessibility(page)

    # When she goes back to their record, to their contacts, and records a contact
    follow(page, young_person.record, young_person.name)
    follow(page, young_person.contacts, "Contacts")
    follow(page, f"{young_person.contacts}new/", "Record a contact")
    # Nothing is filled in for her: she types when it was and says what happened
    expect(page.locator("#id_time")).to_have_value("")
    expect(page.locator('input[name="attendance"]:checked')).to_have_count(0)
    contact_day = datetime.date.today() - datetime.timedelta(days=1)  # noqa: DTZ011 - the date she types
    contact_time = "10:30"
    page.locator("#id_date_0").fill(str(contact_day.day))
    page.locator("#id_date_1").fill(str(contact_day.month))
    page.locator("#id_date_2").fill(str(contact_day.year))
    page.locator("#id_time").fill(contact_time)
    page.locator('input[name="attendance"][value="attended"]').check()
    # A consultation with their teacher at school – but she does not say with whom
    page.locator('input[name="kind"][value="consultation"]').check()
    page.locator('input[name="location"][value="school"]').check()
    page.locator("#id_duration_minutes").fill("30")
    page.locator("#id_summary").fill(CONSULTATION)
    page.get_by_role("button", name="Save the contact").click()

    # Then the form comes back with an error summary, and what she typed is kept
    expect(page).to_have_url(path_of(f"{young_person.contacts}new/"))
    expect(page).to_have_title(ERROR_TITLE)
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    missing = summary.get_by_role("link", name="Say who the consultation was with")
    expect(missing).to_have_attribute("href", "#id_consultation_with")
    expect(page.locator('input[name="kind"][value="consultation"]')).to_be_checked()
    expect(page.locator('input[name="location"][value="school"]')).to_be_checked()
    expect(page.locator("#id_duration_minutes")).to_have_value("30")
    expect(page.locator("#id_summary")).to_have_value(CONSULTATION)
    expect(page.locator("#id_time")).to_have_value(contact_time)
    check_accessibility(page)

    # When she follows the error to the question and says it was with their teacher
    missing.click()
    expect(page.locator("#id_consultation_with")).to_be_focused()
    page.locator("#id_consultation_with").select_option(value="teacher")
    page.get_by_role("button", name="Save the contact").click()

    # Then the consultation is in their contacts
    expect(page).to_have_url(path_of(young_person.contacts))
    expect(success_banner(page)).to_contain_text("The contact was recorded.")
    row = page.get_by_role("table").locator("tbody tr").filter(has_text=CONSULTATION)
    expect(row).to_have_count(1)
    cells = row.locator("td")
    expect(cells.nth(0)).to_have_text(f"{long_date(contact_day)} {contact_time}")
    expect(cells.nth(1)).to_contain_text("Professional consultation")
    expect(cells.nth(1)).to_contain_text("Teacher or school staff")
    expect(cells.nth(2)).to_contain_text("Took place")
    expect(cells.nth(3)).to_contain_text(PRACTITIONER_NAME)
    expect(cells.nth(4)).to_contain_text("School or college")
    check_accessibility(page)

    # And in her diary, on that day of that week
    page.get_by_role("navigation", name="Menu").locator('a[href="/en/contacts/diary/"]').click()
    expect(page).to_have_url(path_of("/en/contacts/diary/"))
    monday = contact_day - datetime.timedelta(days=contact_day.weekday())
    if heading.inner_text() != f"Diary: week beginning {long_date(monday)}":  # midnight on a Sunday
        check_accessibility(page)
        page.get_by_role("link", name="Previous week").click()
    expect(heading).to_have_text(f"Diary: week beginning {long_date(monday)}")
    check_accessibility(page)
    day_heading = f"{WEEKDAYS[contact_day.weekday()]} {contact_day.day} {MONTHS[contact_day.month - 1]}"
    that_day = page.locator("h2", has_text=re.compile(f"^{day_heading}$")).locator("xpath=following-sibling::*[1]")
    # The demo may have booked this young person for the same day too: find ours by its time and kind.
    entry = (
        that_day.locator("li")
        .filter(has=page.locator(f'a[href="{young_person.contacts}"]'))
        .filter(has_text=f"{contact_time} – {young_person.name}: Professional consultation")
    )
    expect(entry).to_have_count(1)
    expect(entry).to_have_text(
        f"{contact_time} – {young_person.name}: Professional consultation, School or college (Took place)"
    )


# --- 2. The on-call worker opens a safety plan through emergency access ---------------------


@dataclass(frozen=True)
class SafetyPlanRead:
    young_person: YoungPerson
    date_of_birth: datetime.date
    nhs_number: str
    la_reference: str
    warning_signs: str
    who_to_call_out_of_hours: str


ACCESS_REASON = (
    "The foster carer rang the on-call line at 23:40: the young person ran out after a row and came "
    "back very upset. She asked what the safety plan says."
)
CALL_SUMMARY = (
    "Talked the foster carer through the safety plan; the young person is back indoors and calmer. "
    "Practitioner to follow up."
)
REVIEW_NOTE = "Appropriate: a crisis call out of hours. Ffion will follow up with the carer."
WHOLE_RECORD_REASON = "The police ask whether she has gone missing before and where she was found."


def date_shown(text: str) -> datetime.date:
    shown = re.search(r"(\d{1,2}) (" + "|".join(MONTHS) + r") (\d{4})", text)
    assert shown, f"no date in {text!r}"
    return datetime.date(int(shown[3]), MONTHS.index(shown[2]) + 1, int(shown[1]))


def a_safety_plan_as_the_care_team_wrote_it(page: Page) -> SafetyPlanRead:
    """As Ffion: the last young person in her caseload with a crisis and safety plan, and the
    details from their record a foster carer could give on the phone."""
    for young_person in reversed(caseload(page)):
        page.goto(young_person.safety_plan)
        expect(page.get_by_role("heading", level=1)).to_have_text("Crisis and safety plan")
        check_accessibility(page)
        if page.locator("main dl.govuk-summary-list").count():
            break
    else:
        pytest.fail("no young person in the practitioner's caseload has a safety plan")
    warning_signs = summary_value(page, "Warning signs").inner_text().strip()
    out_of_hours = summary_value(page, "Who to call out of hours").inner_text().strip()
    follow(page, young_person.record, young_person.name)
    nhs_number = summary_value(page, "NHS number").inner_text().strip()
    return SafetyPlanRead(
        young_person=young_person,
        date_of_birth=date_shown(summary_value(page, "Date of birth").inner_text()),
        nhs_number="" if nhs_number == "–" else nhs_number,
        la_reference=summary_value(page, "Local authority reference").inner_text().strip(),
        warning_signs=warning_signs,
        who_to_call_out_of_hours=out_of_hours,
    )


def test_the_on_call_worker_opens_a_safety_plan_at_night_and_the_manager_reviews_it(
    signed_in_page: Callable[[str], Page],
) -> None:
    # Given a young person with a crisis and safety plan, as their practitioner wrote it
    practitioner = signed_in_page("practitioner")
    plan = a_safety_plan_as_the_care_team_wrote_it(practitioner)
    young_person = plan.young_person
    practitioner.close()

    # And Bethan, the on-call worker, who is not in the young person's care team, at night
    page = signed_in_page("oncall")
    heading = page.get_by_role("heading", level=1)
    page.goto(young_person.safety_plan)
    expect(heading).to_have_text("Page not found")  # no way in without emergency access
    check_accessibility(page)

    # When the foster carer rings and she opens emergency access with the young person's details,
    # but no reason yet
    page.goto("/en/")
    check_accessibility(page)
    page.get_by_role("navigation", name="Menu").locator('a[href="/en/children/emergency-access/"]').click()
    expect(page).to_have_url(path_of("/en/children/emergency-access/"))
    expect(heading).to_have_text("Emergency access to a record")
    check_accessibility(page)
    if plan.nhs_number:
        page.locator("#id_nhs_number").fill(plan.nhs_number)
    else:
        page.locator("#id_la_reference").fill(plan.la_reference)
    fill_date(page, "id_date_of_birth", plan.date_of_birth)
    page.get_by_role("button", name="Open the record").click()

    # Then she is asked why, once, and the details she gave are kept
    expect(page).to_have_url(path_of("/en/children/emergency-access/"))
    expect(page).to_have_title(ERROR_TITLE)
    summary = page.locator(".govuk-error-summary")
    expect(summary.locator("li")).to_have_count(1)
    why = summary.get_by_role(
        "link",
        name="Explain in words why you need emergency access, for example “Carer phoned, young person missing”: at least three different words.",
    )
    expect(why).to_have_attribute("href", "#id_reason")
    expect(page.locator("#id_nhs_number")).to_have_value(plan.nhs_number)
    expect(page.locator("#id_date_of_birth_2")).to_have_value(str(plan.date_of_birth.year))
    check_accessibility(page)

    # When she gives the reason
    why.click()
    expect(page.locator("#id_reason")).to_be_focused()
    page.locator("#id_reason").fill(ACCESS_REASON)
    page.get_by_role("button", name="Open the record").click()

    # Then she lands on the crisis and safety plan – what emergency access is for – told that
    # this is emergency access, read-only, reviewed, and when it ends (on every page)
    expect(page).to_have_url(path_of(young_person.safety_plan))
    expect(heading).to_have_text("Crisis and safety plan")
    expect(success_banner(page)).to_contain_text("Emergency access started.")
    expect(page.locator("main .govuk-warning-text").first).to_contain_text("through emergency access")
    expect(page.locator("main .govuk-warning-text").first).to_contain_text("read-only")
    banner = page.locator("#emergency-access-banner")
    expect(banner).to_contain_text(
        re.compile(rf"Your emergency access to {re.escape(young_person.name)} ends at \d\d:\d\d")
    )
    check_accessibility(page)

    # And she reads what to look out for and whom to call, as the care team wrote it, and can
    # tap each number to ring it
    expect(summary_value(page, "Warning signs")).to_have_text(plan.warning_signs)
    expect(summary_value(page, "Who to call out of hours")).to_have_text(plan.who_to_call_out_of_hours)
    numbers = summary_value(page, "Who to call out of hours").locator('a[href^="tel:"]')
    expect(numbers.first).to_be_visible()
    for href in numbers.evaluate_all("links => links.map(link => link.getAttribute('href'))"):
        assert re.fullmatch(r"tel:(\+44\d{10}|999|111|116123)", href), href
    expect(page.locator(f'a[href="{young_person.safety_plan}edit/"]')).to_have_count(0)

    # But the rest of the record is not open to her: it does not exist for her yet
    page.goto(young_person.record)
    expect(heading).to_have_text("Page not found")
    check_accessibility(page)
    page.goto(young_person.timeline)
    expect(heading).to_have_text("Page not found")
    check_accessibility(page)

    # When she records the call against the plan (the only kind of contact she may record),
    # from the banner
    page.goto(young_person.safety_plan)
    check_accessibility(page)
    banner.get_by_role("link", name=re.compile("^Record the out-of-hours contact")).click()
    expect(heading).to_have_text("Record a contact")
    check_accessibility(page)
    expect(page.locator('input[name="kind"][value="out_of_hours"]')).to_be_checked()
    call_day = datetime.date.today() - datetime.timedelta(days=1)  # noqa: DTZ011 - the date she types
    page.locator("#id_date_0").fill(str(call_day.day))
    page.locator("#id_date_1").fill(str(call_day.month))
    page.locator("#id_date_2").fill(str(call_day.year))
    page.locator("#id_time").fill("22:15")
    page.locator('input[name="attendance"][value="attended"]').check()
    page.locator('input[name="location"][value="phone"]').check()
    page.locator("#id_duration_minutes").fill("25")
    page.locator("#id_summary").fill(CALL_SUMMARY)
    page.get_by_role("button", name="Save the contact").click()

    # Then the call is among the young person's contacts
    expect(page).to_have_url(path_of(young_person.contacts))
    expect(success_banner(page)).to_contain_text("The contact was recorded.")
    row = page.get_by_role("table").locator("tbody tr").filter(has_text=CALL_SUMMARY)
    expect(row.locator("td").nth(1)).to_have_text("Out-of-hours or crisis contact")
    expect(row.locator("td").nth(3)).to_have_text(ON_CALL_NAME)
    expect(banner).to_be_visible()
    check_accessibility(page)

    # And on the safety plan, under the out-of-hours contacts
    follow(page, young_person.safety_plan, "Crisis and safety plan")
    call = page.get_by_role("table").locator("tbody tr").filter(has_text=CALL_SUMMARY)
    expect(call.locator("td").nth(1)).to_have_text(ON_CALL_NAME)

    # When she needs the whole record, she asks for it with a reason of its own
    page.get_by_role("navigation", name="Menu").locator('a[href="/en/children/emergency-access/"]').click()
    expect(heading).to_have_text("Emergency access to a record")
    check_accessibility(page)
    page.get_by_label("I need the whole record because…").fill(WHOLE_RECORD_REASON)
    page.get_by_role("button", name="Open the whole record").click()

    # Then the record opens, saying that this is emergency access and will be reviewed
    expect(page).to_have_url(path_of(young_person.record))
    expect(heading).to_have_text(young_person.name)
    expect(page.locator("main .govuk-warning-text")).to_contain_text("through emergency access")
    expect(banner).to_be_visible()
    check_accessibility(page)

    # When Mererid, the service manager, opens the emergency access reviews the next morning
    manager = signed_in_page("manager")
    manager.get_by_role("navigation", name="Menu").locator('a[href="/en/children/emergency-access/review/"]').click()
    expect(manager).to_have_url(path_of("/en/children/emergency-access/review/"))
    expect(manager.get_by_role("heading", level=1)).to_have_text("Emergency access reviews")
    check_accessibility(manager)

    # Then Bethan's access waits for review, with her reason and every page she opened or recorded
    card = (
        manager.locator(".govuk-summary-card")
        .filter(has=manager.locator(".govuk-summary-card__title", has_text=re.compile(f"^{ON_CALL_NAME} – ")))
        .filter(has=manager.locator(f'a[href="{young_person.record}"]'))
    )
    expect(card).to_have_count(1)
    expect(summary_value(card, "Record")).to_have_text(young_person.name)
    expect(summary_value(card, "Reason given")).to_have_text(ACCESS_REASON)
    # And the whole record as a second grant, with its own reason
    expect(summary_value(card, "Second grant: the whole record")).to_contain_text(WHOLE_RECORD_REASON)
    expect(card.locator(".govuk-tag", has_text="Whole record")).to_be_visible()
    opened = summary_value(card, "What they opened or recorded").locator("li")
    for what in (
        "Viewed – The record",
        "Viewed – Crisis and safety plan",
        "Created – Contact",
        "Listed or searched – Contacts",
    ):
        expect(opened.filter(has_text=re.compile(f": {re.escape(what)}$")).first).to_be_visible()

    # When she marks it reviewed, with a note
    card.locator("textarea[name=note]").fill(REVIEW_NOTE)
    card.get_by_role("button", name="Mark as reviewed").click()

    # Then it no longer waits, and is listed as reviewed by her
    expect(manager).to_have_url(path_of("/en/children/emergency-access/review/"))
    expect(success_banner(manager)).to_contain_text("The emergency access was marked as reviewed.")
    expect(card).to_have_count(0)
    reviewed = manager.locator("main li").filter(
        has_text=re.compile(f"^{ON_CALL_NAME} opened {re.escape(young_person.name)} on .* – reviewed by {MANAGER_NAME}")
    )
    expect(reviewed.first).to_be_visible()
    check_accessibility(manager)


# --- 3. A placement move and a change of practitioner: checklists and a handover --------------


MOVE_SUMMARY = (
    "Moving to new foster carers nearer school. They are worried about leaving their cat behind; the carers "
    "say it can visit."
)
CHANGE_SUMMARY = "Ffion is leaving the team. The young person met Cerys once and wants to keep seeing the art club."
HANDOVER = (
    "What helps: drawing together before talking; being told what happens next. Avoid: surprises, raised "
    "voices. Their plan and safety plan are on Nyth; their foster carers and their art club teacher matter most."
)


def a_young_person_with_people_around_them(page: Page) -> YoungPerson:
    """From her caseload, the first young person whose record lists people around them."""
    for young_person in caseload(page):
        open_record(page, young_person)
        if page.get_by_role("table", name="People around the child").locator("tbody tr").count():
            return young_person
    pytest.fail("no young person in the practitioner's caseload has people around them recorded")


def test_a_placement_move_and_a_change_of_practitioner_end_in_a_handover(
    signed_in_page: Callable[[str], Page],
) -> None:
    day = today()
    # Given Ffion, a practitioner, on the record of a young person in her caseload with people
    # around them (trusted adults to keep in touch with)
    page = signed_in_page("practitioner")
    heading = page.get_by_role("heading", level=1)
    young_person = a_young_person_with_people_around_them(page)

    # When she records the new placement the young person moves to next week
    follow(page, f"{young_person.record}placements/new/", "Record a new placement")
    page.locator('input[name="type"][value="foster_independent"]').check()
    page.locator("#id_local_authority_area").select_option(label="Cardiff Council")
    moving_on = day + datetime.timedelta(days=7)
    fill_date(page, "id_start_date", moving_on)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page).to_have_url(path_of(young_person.record))
    expect(success_banner(page)).to_contain_text("The placement was recorded.")
    check_accessibility(page)

    # And the episodes and transitions page offers to plan that move
    follow(page, young_person.episodes, "Episodes and transitions")
    offer = page.locator(".govuk-inset-text").filter(has_text=f"from {long_date(moving_on)}")
    expect(offer).to_contain_text("A new placement was recorded: Foster care (independent fostering agency) in Cardiff")
    offer.locator('a[href*="/transitions/new/?placement="]').click()

    # Then the form is for a placement move, on the day of the move, to that placement
    expect(page).to_have_url(re.compile(r"/en/episodes/children/\d+/transitions/new/\?placement=\d+$"))
    expect(heading).to_have_text("Plan a transition")
    expect(page.locator(".govuk-caption-l")).to_have_text(f"{young_person.name} – Placement move")
    expect(page.locator("#id_planned_on_0")).to_have_value(str(moving_on.day))
    expect(page.locator("#id_placement option:checked")).to_contain_text(moving_on.strftime("%d/%m/%Y"))
    check_accessibility(page)

    # When she says what is changing and what the young person thinks, and saves it
    page.locator("#id_summary").fill(MOVE_SUMMARY)
    page.get_by_role("button", name="Save", exact=True).click()

    # Then the placement move has its checklist, nothing ticked yet
    expect(page).to_have_url(re.compile(r"/en/episodes/transitions/\d+/$"))
    move_url = re.search(r"/en/episodes/transitions/\d+/", page.url)[0]
    expect(heading).to_have_text("Placement move")
    expect(success_banner(page)).to_contain_text("The transition was planned.")
    expect(summary_value(page, "New placement")).to_contain_text(f"Cardiff Council – {long_date(moving_on)}")
    checklist = page.get_by_role("group", name="Tick what has been done")
    items = checklist.locator("input[type=checkbox]")
    expect(items).to_have_count(8)
    expect(page.get_by_text("0 of 8 done")).to_be_visible()
    check_accessibility(page)

    # When she ticks that she went through the safety plan with the new carers
    checklist.get_by_label("Go through the crisis and safety plan with the new carers").check()
    page.get_by_role("button", name="Save the checklist").click()

    # Then that item is done today, by her, and the move is in progress
    expect(page).to_have_url(path_of(move_url))
    expect(success_banner(page)).to_contain_text("The checklist was saved.")
    expect(page.get_by_text("1 of 8 done")).to_be_visible()
    done = checklist.get_by_label("Go through the crisis and safety plan with the new carers")
    expect(done).to_be_checked()
    expect(done).to_have_accessible_description(f"Done on {long_date(day)} by {PRACTITIONER_NAME}")
    expect(summary_value(page, "Status")).to_have_text("In progress")
    check_accessibility(page)

    # And she has a session booked with them next week, before she hands them over
    follow(page, young_person.episodes, "Episodes and transitions")
    follow(page, young_person.record, young_person.name)
    follow(page, young_person.contacts, "Contacts")
    follow(page, f"{young_person.contacts}new/", "Record a contact")
    booked_day = day + datetime.timedelta(days=8)
    fill_date(page, "id_date", booked_day)
    page.locator("#id_time").fill("15:45")
    page.locator('input[name="attendance"][value="booked"]').check()
    page.locator('input[name="kind"][value="individual"]').check()
    page.locator('input[name="location"][value="school"]').check()
    page.locator("#id_duration_minutes").fill("50")
    page.get_by_role("button", name="Save the contact").click()
    expect(page).to_have_url(path_of(young_person.contacts))
    expect(success_banner(page)).to_contain_text("The contact was recorded.")
    check_accessibility(page)

    # When she plans a change of practitioner: she hands the young person over to Cerys
    follow(page, young_person.record, young_person.name)
    follow(page, young_person.episodes, "Episodes and transitions")
    follow(page, f"{young_person.episodes}transitions/new/", "Plan a transition")
    page.locator('input[name="kind"][value="practitioner_change"]').check()
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/transitions/new/\?kind=practitioner_change$"))
    expect(page.locator(".govuk-caption-l")).to_have_text(f"{young_person.name} – Change of practitioner")
    expect(page.locator("#id_from_practitioner option:checked")).to_have_text(PRACTITIONER_NAME)
    check_accessibility(page)
    fill_date(page, "id_planned_on", day)
    page.locator("#id_summary").fill(CHANGE_SUMMARY)
    page.locator("#id_to_practitioner").select_option(label=NEW_PRACTITIONER_NAME)
    trusted = page.locator('input[name="trusted_adults"]').first
    trusted_name = page.locator(f'label[for="{trusted.get_attribute("id")}"]').inner_text().strip()
    trusted.check()
    page.get_by_role("button", name="Save", exact=True).click()

    # Then the change has its own checklist
    expect(page).to_have_url(re.compile(r"/en/episodes/transitions/\d+/$"))
    change_url = re.search(r"/en/episodes/transitions/\d+/", page.url)[0]
    expect(heading).to_have_text("Change of practitioner")
    expect(summary_value(page, "New practitioner")).to_have_text(NEW_PRACTITIONER_NAME)
    expect(summary_value(page, "Trusted adults who keep in contact")).to_contain_text(trusted_name)
    expect(checklist.locator("input[type=checkbox]")).to_have_count(7)
    check_accessibility(page)

    # When she completes it without a handover summary
    follow(page, f"{change_url}complete/", "Complete the transition")
    expect(page.locator("#id_to_practitioner option:checked")).to_have_text(NEW_PRACTITIONER_NAME)
    expect(page.locator("main .govuk-warning-text")).to_contain_text("7 checklist items are not ticked")
    page.get_by_role("button", name="Complete the transition").click()

    # Then she is asked for it
    expect(page).to_have_url(path_of(f"{change_url}complete/"))
    expect(page).to_have_title(ERROR_TITLE)
    needed = page.locator(".govuk-error-summary").get_by_role(
        "link", name="Write the handover summary before completing a change of practitioner"
    )
    expect(needed).to_have_attribute("href", "#id_handover_summary")
    check_accessibility(page)

    # When she writes it and completes the change
    page.locator("#id_handover_summary").fill(HANDOVER)
    page.get_by_role("button", name="Complete the transition").click()

    # Then the transition page shows it done, with the handover summary, waiting for a manager
    expect(page).to_have_url(path_of(change_url))
    expect(success_banner(page)).to_contain_text("The transition is complete.")
    expect(summary_value(page, "Status")).to_have_text("Done")
    expect(summary_value(page, "Handover summary")).to_have_text(HANDOVER)
    expect(page.locator("main .govuk-warning-text")).to_contain_text("Waiting for a manager to change the care team.")
    check_accessibility(page)

    # And the young person's timeline shows both transitions, each linking to its page
    follow(page, young_person.episodes, "Episodes and transitions")
    follow(page, young_person.timeline, "Timeline")
    rows = page.get_by_role("table").locator("tbody tr")
    move = rows.filter(has=page.locator(f'a[href="{move_url}"]'))
    expect(move).to_have_count(1)
    expect(move.locator("td").nth(0)).to_have_text(
        f"{moving_on.day} {MONTHS[moving_on.month - 1][:3]} {moving_on.year}"
    )
    expect(move.locator("td").nth(1)).to_contain_text("Transitions – planned")
    expect(move.get_by_role("link")).to_have_text("Placement move: in progress")
    expect(move.locator("td").nth(1)).to_contain_text(MOVE_SUMMARY[:60])
    change = rows.filter(has=page.locator(f'a[href="{change_url}"]'))
    expect(change).to_have_count(1)
    expect(change.get_by_role("link")).to_have_text("Change of practitioner: completed")
    expect(change.locator("td").nth(2)).to_have_text(PRACTITIONER_NAME)
    check_accessibility(page)

    # When Mererid, the service manager, opens the change from the young person's transitions
    manager = signed_in_page("manager")
    open_record(manager, young_person)
    follow(manager, young_person.episodes, "Episodes and transitions")
    follow(manager, change_url, "Change of practitioner")

    # Then she reads the handover summary, and changes the care team
    expect(summary_value(manager, "Handover summary")).to_have_text(HANDOVER)
    expect(
        manager.locator("main form").filter(has_text=f"{NEW_PRACTITIONER_NAME} joins the care team")
    ).to_contain_text(f"{PRACTITIONER_NAME} leaves it.")
    manager.get_by_role("button", name="Change the care team now").click()
    expect(manager).to_have_url(path_of(change_url))
    expect(success_banner(manager)).to_contain_text("The care team was changed.")
    expect(manager.locator("main .govuk-warning-text")).to_have_count(0)
    expect(summary_value(manager, "Care team changed")).to_contain_text(MANAGER_NAME)
    check_accessibility(manager)

    # Then Ffion's sessions still to come are offered for moving to Cerys, each chosen already
    sessions = manager.get_by_role("group", name=f"Booked sessions with {PRACTITIONER_NAME}")
    booked = sessions.get_by_label(re.compile(rf"^{long_date(booked_day)} 15:45 – Direct session: individual"))
    expect(booked).to_be_checked()

    # When she moves the chosen sessions
    manager.get_by_role("button", name=f"Move the chosen sessions to {NEW_PRACTITIONER_NAME}").click()

    # Then they are Cerys's now: nothing of Ffion's is left to move
    expect(manager).to_have_url(path_of(change_url))
    expect(success_banner(manager)).to_contain_text(re.compile(r"\d+ booked sessions? (was|were) moved\."))
    expect(sessions).to_have_count(0)
    check_accessibility(manager)

    # And the record's care team has Cerys as lead practitioner, and no longer Ffion
    follow(manager, young_person.episodes, "Episodes and transitions")
    follow(manager, young_person.record, young_person.name)
    team = manager.get_by_role("heading", name="Care team").locator("xpath=following-sibling::ul[1]")
    expect(team).to_contain_text(f"{NEW_PRACTITIONER_NAME} – Lead practitioner")
    expect(team).not_to_contain_text(PRACTITIONER_NAME)
