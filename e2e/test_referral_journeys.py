"""Journeys: No Wrong Door referrals (issue 3).

A teacher refers a child the service already knows, in Welsh, with the first name spelt a little
differently; the service manager is shown the existing record with the reasons, confirms it,
accepts the referral and moves it up the waiting list; another referral is handed on warmly to a
service from the directory; and a foster carer with no account asks for help in Welsh.

The seed has no teacher account: the partner professional ``camhs`` (Siân, CAMHS) types in the
referral as a teacher at a school gave it to her, choosing "Athro/Athrawes" as who is referring.
"""

from __future__ import annotations

import datetime
import re
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Locator, Page, Route, expect

from e2e.support import RECORD_URL, check_accessibility

pytestmark = pytest.mark.browser

REFERENCE = re.compile(r"^R\d{2}-[0-9A-F]{6,}$")
SENT_URL = re.compile(r"/cy/referrals/sent/(R\d{2}-[0-9A-F]{6,})/$")
DETAIL_URL = re.compile(r"/en/referrals/\d+/$")
DECIDE_URL = re.compile(r"/en/referrals/\d+/decide/$")
# Local authorities in the demo service's own region (Cardiff and Vale), English and Welsh names:
# a referral for a child of these authorities reaches the South East Wales service, whose
# manager is the one deciding in these journeys.
SERVICE_REGION_AUTHORITIES = {"Cardiff Council": "Cyngor Caerdydd", "Vale of Glamorgan Council": "Cyngor Bro Morgannwg"}
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]  # fmt: skip
DATE_SHOWN = re.compile(r"(\d{1,2}) (" + "|".join(MONTHS) + r") (\d{4})")
PUBLIC_FORM_MINIMUM_SECONDS = 3  # the public form takes a faster submission for a robot


@dataclass(frozen=True)
class KnownChild:
    name: str  # as on the record: "Isla Gruffudd"
    given_name: str
    family_name: str
    date_of_birth: datetime.date
    date_shown: str  # "31 July 2017"
    authority: str  # English name of the responsible local authority


@dataclass(frozen=True)
class WelshReferral:
    reference: str
    typed_given_name: str  # the first name as the teacher spelt it
    child: KnownChild

    @property
    def typed_name(self) -> str:
        return f"{self.typed_given_name} {self.child.family_name}"


# Journey (a) leaves its referral here for journey (b); (b) makes its own when run alone.
_REFERRALS_MADE: list[WelshReferral] = []


def misspelt(given_name: str) -> str:
    """The name as someone might type it: without its accents (Llŷr -> Llyr), or with a
    doubled letter when it has none (Isla -> Issla)."""
    plain = unicodedata.normalize("NFKD", given_name).encode("ascii", "ignore").decode()
    if plain != given_name:
        return plain
    return given_name[:2] + given_name[1] + given_name[2:]


def summary_value(page: Page, key: str) -> Locator:
    """The value beside a key in the page's first summary list with that key."""
    row = page.locator(".govuk-summary-list__row", has=page.locator("dt", has_text=re.compile(f"^{re.escape(key)}$")))
    return row.first.locator("dd")


def find_known_child(page: Page) -> KnownChild:
    """As the service manager: choose, from the list of children, a child of the service's own
    region (one with an accent in their name if there is one) and read their record."""
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Children and young people").click()
    expect(page).to_have_url(re.compile(r"/en/children/$"))
    check_accessibility(page)
    choices = []
    for row in page.get_by_role("table").locator("tbody tr").all():
        cells = [text.strip() for text in row.locator("td, th").all_inner_texts()]
        if cells[-1] in SERVICE_REGION_AUTHORITIES:
            choices.append(cells[0])
    assert choices, "no seeded child of Cardiff or the Vale of Glamorgan on the first page of children"
    accented = [n for n in choices if not n.isascii()]
    name = accented[0] if accented else choices[0]
    page.get_by_role("table").get_by_role("link", name=name, exact=True).click()
    expect(page).to_have_url(RECORD_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    check_accessibility(page)
    shown = DATE_SHOWN.search(summary_value(page, "Date of birth").inner_text())
    assert shown, "the record shows no date of birth"
    day, month, year = int(shown[1]), MONTHS.index(shown[2]) + 1, int(shown[3])
    authority = summary_value(page, "Responsible local authority").inner_text().strip()
    given_name, family_name = name.split(" ", 1)
    return KnownChild(
        name=name,
        given_name=given_name,
        family_name=family_name,
        date_of_birth=datetime.date(year, month, day),
        date_shown=shown[0],
        authority=authority,
    )


def send_twice(answers: list[str]) -> Callable[[Route], None]:
    """The same form reaches the server twice – a double click with no JavaScript to stop it,
    or the browser retrying after a dropped connection – and the browser shows the second
    answer. Where each answer sends the browser is kept in ``answers``."""

    def handle(route: Route) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        first = route.fetch(max_redirects=0)
        second = route.fetch(max_redirects=0)
        answers.extend(answer.headers.get("location", f"HTTP {answer.status}") for answer in (first, second))
        route.fulfill(response=second)

    return handle


def fill_date(page: Page, legend: str, value: datetime.date, *, day: str, month: str, year: str) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label(day).fill(str(value.day))
    group.get_by_label(month).fill(str(value.month))
    group.get_by_label(year).fill(str(value.year))


def open_welsh_referral_form(partner: Page) -> None:
    """From the partner's home page: Cymraeg, then Referrals, then Make a referral."""
    partner.get_by_role("navigation", name="Language").get_by_role("link", name="Cymraeg").click()
    expect(partner).to_have_url(re.compile(r"/cy/$"))
    expect(partner.locator("html")).to_have_attribute("lang", "cy")
    check_accessibility(partner)
    partner.get_by_role("navigation", name="Dewislen").get_by_role("link", name="Atgyfeiriadau").click()
    expect(partner).to_have_url(re.compile(r"/cy/referrals/$"))
    check_accessibility(partner)
    partner.get_by_role("link", name="Gwneud atgyfeiriad").click()
    expect(partner).to_have_url(re.compile(r"/cy/referrals/new/$"))
    expect(partner.get_by_role("heading", level=1)).to_have_text("Gwneud atgyfeiriad")
    check_accessibility(partner)


def teacher_refers_in_welsh(signed_in_page: Callable[[str], Page]) -> WelshReferral:
    # Given a child the service already knows, as Mererid (service manager) sees the record
    manager = signed_in_page("manager")
    child = find_known_child(manager)
    manager.close()

    # And Siân, a partner professional, signed in, who switches to Cymraeg and opens the form
    partner = signed_in_page("camhs")
    open_welsh_referral_form(partner)

    # When she fills it in, in Welsh, as the child's teacher told it – first name misspelt
    typed_given_name = misspelt(child.given_name)
    assert typed_given_name != child.given_name
    partner.get_by_label("Enw cyntaf").fill(typed_given_name)
    partner.get_by_label("Cyfenw").fill(child.family_name)
    fill_date(partner, "Dyddiad geni", child.date_of_birth, day="Diwrnod", month="Mis", year="Blwyddyn")
    partner.get_by_label("Awdurdod lleol cyfrifol").select_option(label=SERVICE_REGION_AUTHORITIES[child.authority])
    partner.get_by_role("group", name="Statws cyfreithiol").get_by_label("Yn derbyn gofal").check()
    partner.get_by_role("group", name="Iaith ddewisol").get_by_label("Cymraeg", exact=True).check()
    who = partner.get_by_label("Pwy sy'n atgyfeirio")
    who.select_option(value="teacher")
    expect(who.locator("option:checked")).to_have_text("Athro/Athrawes")
    partner.get_by_label("Enw'r atgyfeiriwr").fill("Elen Puw")
    partner.get_by_label("Sefydliad yr atgyfeiriwr").fill("Ysgol Gynradd Enghraifft (demo)")
    partner.get_by_label("Perthynas â'r plentyn neu'r person ifanc").fill("Athrawes ddosbarth")
    partner.get_by_label("Cyfeiriad e-bost yr atgyfeiriwr").fill("elen.puw@example.invalid")
    # (the form chooses no language for her: issue 12 §C)
    replies = partner.get_by_role("group", name="Iaith ar gyfer ymatebion i'r atgyfeiriwr")
    expect(replies.get_by_label("Cymraeg")).not_to_be_checked()
    replies.get_by_label("Cymraeg").check()
    partner.get_by_label("Beth sy'n digwydd a pha help sydd ei angen").fill(
        "Ers symud lleoliad mae hi'n dawel iawn yn y dosbarth, yn cuddio o dan y bwrdd, ac mae hi wedi "
        "dweud wrth ffrind ei bod eisiau brifo ei hun."
    )
    partner.get_by_label("Anghenion iechyd meddwl a llesiant cymhleth, gan gynnwys trawma").check()
    partner.get_by_label("Beth mae'r person ifanc ei eisiau").fill("Rhywun i siarad â fi yn Gymraeg.")
    partner.get_by_role("group", name="Ydy'r person ifanc yn gwybod am yr atgyfeiriad hwn?").get_by_label(
        "Ydy", exact=True
    ).check()
    partner.get_by_role("group", name="Ydy'r person ifanc yn cytuno iddo?").get_by_label("Ydy", exact=True).check()
    partner.get_by_role("group", name="Risgiau presennol").get_by_label("hunan-niweidio").check()

    # And the form reaches the server twice (a double click without JavaScript, or a retry)
    answers: list[str] = []
    partner.route("**/cy/referrals/new/", send_twice(answers))
    partner.get_by_role("button", name="Anfon yr atgyfeiriad").click()

    # Then she sees the confirmation, in Welsh, with one reference
    expect(partner).to_have_url(SENT_URL)
    partner.unroute("**/cy/referrals/new/")
    reference = SENT_URL.search(partner.url)[1]
    # And both sendings were answered with that same referral
    assert answers == [f"/cy/referrals/sent/{reference}/"] * 2, answers
    panel = partner.locator(".govuk-panel--confirmation")
    expect(panel.get_by_role("heading", level=1)).to_have_text("Atgyfeiriad wedi dod i law")
    expect(panel).to_contain_text("Eich cyfeirnod")
    expect(panel.locator("strong")).to_have_text(reference)
    expect(partner.get_by_text(f"Mae atgyfeiriad {reference} wedi dod i law.")).to_be_visible()
    expect(partner.get_by_role("heading", name="Beth sy'n digwydd nesaf")).to_be_visible()
    check_accessibility(partner)

    # When she reloads the confirmation
    partner.reload()
    expect(panel.locator("strong")).to_have_text(reference)
    check_accessibility(partner)

    # Then her referrals list holds that one referral for the child, not two
    partner.get_by_role("navigation", name="Dewislen").get_by_role("link", name="Atgyfeiriadau").click()
    expect(partner).to_have_url(re.compile(r"/cy/referrals/$"))
    check_accessibility(partner)
    typed_name = f"{typed_given_name} {child.family_name}"
    rows = partner.get_by_role("table").locator("tbody tr").filter(has_text=typed_name)
    expect(rows).to_have_count(1)
    expect(rows.get_by_role("link")).to_have_text(reference)
    return WelshReferral(reference=reference, typed_given_name=typed_given_name, child=child)


def test_a_teacher_refers_a_known_child_in_welsh(signed_in_page: Callable[[str], Page]) -> None:
    made = teacher_refers_in_welsh(signed_in_page)
    assert REFERENCE.match(made.reference)
    _REFERRALS_MADE.append(made)


def test_going_back_and_sending_the_same_referral_again_makes_no_second_one(
    signed_in_page: Callable[[str], Page],
) -> None:
    # Given Siân, a partner professional, who has just sent a referral in Welsh
    partner = signed_in_page("camhs")
    partner.goto("/cy/referrals/new/")
    check_accessibility(partner)
    partner.get_by_label("Enw cyntaf").fill("Deio")
    partner.get_by_label("Cyfenw").fill("Prawf-Eto")
    fill_date(partner, "Dyddiad geni", datetime.date(2011, 9, 14), day="Diwrnod", month="Mis", year="Blwyddyn")
    partner.get_by_role("group", name="Statws cyfreithiol").get_by_label("Yn derbyn gofal").check()
    partner.get_by_role("group", name="Iaith ddewisol").get_by_label("Cymraeg", exact=True).check()
    partner.get_by_label("Pwy sy'n atgyfeirio").select_option(value="teacher")
    partner.get_by_role("group", name="Iaith ar gyfer ymatebion i'r atgyfeiriwr").get_by_label("Cymraeg").check()
    partner.get_by_label("Beth sy'n digwydd a pha help sydd ei angen").fill("Mae e'n gwrthod dod i'r ysgol.")
    partner.get_by_role("group", name="Ydy'r person ifanc yn gwybod am yr atgyfeiriad hwn?").get_by_label(
        "Ydy", exact=True
    ).check()
    partner.get_by_role("group", name="Ydy'r person ifanc yn cytuno iddo?").get_by_label("Ydy", exact=True).check()
    partner.get_by_role("button", name="Anfon yr atgyfeiriad").click()
    expect(partner).to_have_url(SENT_URL)
    check_accessibility(partner)

    # When she goes Back, finds her answers still there, and sends the form again
    partner.go_back()
    expect(partner).to_have_url(re.compile(r"/cy/referrals/new/$"))
    expect(partner.get_by_label("Cyfenw")).to_have_value("Prawf-Eto")
    check_accessibility(partner)
    partner.get_by_role("button", name="Anfon yr atgyfeiriad").click()
    expect(partner).to_have_url(SENT_URL)
    check_accessibility(partner)

    # Then there is still one referral for the child
    partner.goto("/cy/referrals/")
    check_accessibility(partner)
    expect(partner.get_by_role("table").locator("tbody tr").filter(has_text="Deio Prawf-Eto")).to_have_count(1)


def test_the_existing_record_is_found_and_the_manager_decides_and_prioritises(
    signed_in_page: Callable[[str], Page],
) -> None:
    # Given the teacher's referral (from the journey above, or made now when run alone)
    made = _REFERRALS_MADE[0] if _REFERRALS_MADE else teacher_refers_in_welsh(signed_in_page)
    child = made.child

    # When Mererid, the service manager, opens the referrals awaiting a decision
    page = signed_in_page("manager")
    heading = page.get_by_role("heading", level=1)
    page.goto("/en/referrals/?status=received")
    expect(heading).to_have_text("Referrals")
    check_accessibility(page)
    expect(page.get_by_role("table").locator("tbody tr").filter(has_text=made.typed_name)).to_have_count(1)

    # And opens the teacher's referral
    page.get_by_role("link", name=made.reference, exact=True).click()
    expect(page).to_have_url(DETAIL_URL)
    referral_url = page.url
    expect(heading).to_have_text(made.typed_name)
    check_accessibility(page)

    # Then the page asks whether the child is already known, and offers the existing record
    # with its score and the reasons, though the first name was spelt differently
    expect(page.get_by_role("heading", name="Is this child already known?")).to_be_visible()
    which = page.get_by_role("group", name="Which record is this child?")
    candidate_label = f"{child.name}, {child.date_shown}"
    candidate = which.get_by_label(candidate_label, exact=True)
    expect(candidate).to_be_visible()
    expect(candidate).not_to_be_checked()  # never linked automatically
    item = which.locator(".govuk-radios__item", has=page.get_by_label(candidate_label, exact=True))
    reasons = item.locator(".govuk-hint")
    expect(reasons).to_contain_text(re.compile(r"Match score \d\.\d\d"))
    expect(reasons).to_contain_text(re.compile(r"(Same|Similar) first name"))
    for reason in ("Same family name", "Same date of birth", "Same local authority"):
        expect(reasons).to_contain_text(reason)

    # When she chooses that record and confirms
    candidate.check()
    page.get_by_role("button", name="Confirm").click()

    # Then the referral is linked to the existing record, and the question is gone
    expect(page).to_have_url(referral_url)
    expect(page.get_by_text("The referral was linked to the existing record.")).to_be_visible()
    expect(summary_value(page, "Record").get_by_role("link")).to_have_text(child.name)
    expect(page.get_by_role("heading", name="Is this child already known?")).to_have_count(0)
    check_accessibility(page)

    # When she decides: accepted onto the waiting list, with a reason
    page.get_by_role("link", name="Decide", exact=True).click()
    expect(page).to_have_url(DECIDE_URL)
    expect(heading).to_have_text("Decide on the referral")
    check_accessibility(page)
    page.get_by_role("group", name="Decision").get_by_label("Accepted onto the waiting list").check()
    decision_reason = "Looked after, complex trauma and a current risk of self-harm."
    page.get_by_label("Reason", exact=True).fill(decision_reason)
    page.get_by_role("group", name="Which language did you write in?").get_by_label("English").check()
    page.get_by_role("button", name="Record the decision").click()

    # Then the decision is shown, with the message to the teacher in Welsh, her language
    expect(page).to_have_url(referral_url)
    expect(page.get_by_text("The decision was recorded and the referrer will be told.")).to_be_visible()
    card = page.locator(".govuk-summary-card").first
    expect(card.get_by_role("heading")).to_have_text("Accepted onto the waiting list")
    expect(card).to_contain_text(decision_reason)
    message = card.locator(".govuk-summary-list__row", has=page.get_by_text("Message to the referrer")).locator("dd")
    expect(message).to_contain_text(f"Diolch am atgyfeirio {made.typed_name} (cyfeirnod {made.reference})")
    expect(message).to_contain_text("rhestr aros")
    # And her reason, written in English, is marked as such inside the Welsh letter (issue 12 §C)
    expect(message).to_have_attribute("lang", "cy")
    expect(message).to_contain_text(f"Ysgrifennwyd y rheswm hwn yn Saesneg. {decision_reason}")
    expect(message.locator('span[lang="en"]')).to_have_text(decision_reason)
    expect(page.locator("main strong.govuk-tag").first).to_have_text("Accepted: on the waiting list")
    check_accessibility(page)

    # When she raises its priority by 15 points, with her reason
    adjust = page.locator("form", has=page.get_by_role("button", name="Save the priority"))
    expect(page.get_by_role("heading", name="Change the priority")).to_be_visible()
    adjust.get_by_label("Adjustment in points").fill("15")
    adjustment_reason = "The school says she has stopped eating at lunchtime this week"
    adjust.get_by_label("Reason").fill(adjustment_reason)
    adjust.get_by_role("button", name="Save the priority").click()

    # Then the change is confirmed and kept in the form
    expect(page).to_have_url(referral_url)
    expect(page.get_by_text("The priority was changed.")).to_be_visible()
    expect(adjust.get_by_label("Adjustment in points")).to_have_value("15")
    check_accessibility(page)

    # When she opens the waiting list
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Waiting list").click()
    expect(page).to_have_url(re.compile(r"/en/referrals/waiting-list/$"))
    expect(heading).to_have_text("Waiting list")
    check_accessibility(page)

    # Then the child is there, with why: the risk, the needs and her adjustment with its reason
    row = (
        page.get_by_role("table")
        .locator("tbody tr")
        .filter(has=page.locator(f'a[href="{urlsplit(referral_url).path}"]'))
    )
    expect(row).to_have_count(1)
    why = row.locator("td").nth(3)
    expect(why).to_contain_text("Risk: self-harm: 30")
    expect(why).to_contain_text("Complex mental health and wellbeing needs: 15")
    expect(why).to_contain_text(f"Manager's adjustment: {adjustment_reason}: 15")
    # 30 + 15 + 15 with the default weights: the high band starts at 50
    expect(row.get_by_role("cell").nth(2)).to_have_accessible_name("High 60 points")


def test_a_referral_is_redirected_to_a_directory_service_with_a_warm_handover(
    signed_in_page: Callable[[str], Page],
) -> None:
    # Given Mererid, the service manager, on the referrals awaiting a decision
    page = signed_in_page("manager")
    heading = page.get_by_role("heading", level=1)
    page.goto("/en/referrals/?status=received")
    check_accessibility(page)

    # When she opens the one that has waited longest (the list is newest first)
    oldest = page.get_by_role("table").locator("tbody tr").last
    reference = oldest.get_by_role("link").inner_text()
    # The cell shows the name, then the date of birth that tells two such names apart
    child_name = oldest.locator("td").nth(1).inner_text().strip().splitlines()[0].strip()
    oldest.get_by_role("link").click()
    expect(page).to_have_url(DETAIL_URL)
    expect(heading).to_have_text(child_name)
    referral_url = page.url
    check_accessibility(page)
    expect(page.get_by_text("No decision yet.")).to_be_visible()

    # And decides to hand it on warmly, but forgets to say to which service
    page.get_by_role("link", name="Decide", exact=True).click()
    expect(page).to_have_url(DECIDE_URL)
    check_accessibility(page)
    page.get_by_role("group", name="Decision").get_by_label("Redirected with a warm handover").check()
    reason = "An independent advocate is better placed to help him be heard first."
    page.get_by_label("Reason", exact=True).fill(reason)
    page.get_by_role("group", name="Which language did you write in?").get_by_label("English").check()
    page.get_by_role("button", name="Record the decision").click()

    # Then the form comes back with an error summary, and what she typed is kept
    expect(page).to_have_url(DECIDE_URL)
    expect(page).to_have_title(re.compile(r"^Error: Decide on the referral"))
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    service_error = summary.get_by_role("link", name="Choose the service the referral is handed on to")
    expect(service_error).to_have_attribute("href", "#id_directory_service")
    expect(summary.get_by_role("link", name="Say who you contacted at that service")).to_be_visible()
    expect(summary.get_by_role("link", name="Say when you contacted them")).to_be_visible()
    expect(page.get_by_label("Reason", exact=True)).to_have_value(reason)
    expect(page.get_by_label("Redirected with a warm handover")).to_be_checked()
    check_accessibility(page)
    service_error.click()
    expect(page.get_by_label("Service handed on to")).to_be_focused()

    # When she chooses a directory service, says who she spoke to and when, and sends it
    service = "Llais Independent Advocacy (demo)"
    page.get_by_label("Service handed on to").select_option(label=service)
    page.get_by_label("Who you contacted there").fill("Gwen, duty advocate")
    contacted = datetime.date.today() - datetime.timedelta(days=1)
    fill_date(page, "When you contacted them", contacted, day="Day", month="Month", year="Year")
    page.get_by_label("What was agreed").fill("Gwen will phone the foster carer this week.")
    page.get_by_role("button", name="Record the decision").click()

    # Then the decision shows the handover and the message to the referrer names the service
    expect(page).to_have_url(referral_url)
    expect(page.get_by_text("The decision was recorded and the referrer will be told.")).to_be_visible()
    card = page.locator(".govuk-summary-card").first
    expect(card.get_by_role("heading")).to_have_text("Redirected with a warm handover")
    handed_on = card.locator(".govuk-summary-list__row", has=page.get_by_text("Handed on to")).locator("dd")
    expect(handed_on).to_contain_text(service)
    expect(handed_on).to_contain_text("Gwen, duty advocate")
    expect(handed_on).to_contain_text(f"{contacted.day} {MONTHS[contacted.month - 1]} {contacted.year}")
    message = card.locator(".govuk-summary-list__row", has=page.get_by_text("Message to the referrer")).locator("dd")
    expect(message).to_contain_text(reference)
    expect(message).to_contain_text(
        re.compile(r"Llais Independent Advocacy \(demo\)|Eiriolaeth Annibynnol Llais \(demo\)")
    )
    expect(message).to_contain_text(reason)
    expect(page.locator("main strong.govuk-tag").first).to_have_text("Redirected with a warm handover")
    check_accessibility(page)


def test_a_foster_carer_asks_for_help_in_welsh_without_an_account(page: Page) -> None:
    html = page.locator("html")
    heading = page.get_by_role("heading", level=1)

    # Given Bethan, a foster carer with no account, on the public form in Welsh
    opened_at = time.monotonic()
    page.goto("/cy/refer/")
    expect(html).to_have_attribute("lang", "cy")
    expect(heading).to_have_text("Gofyn am gymorth therapiwtig")
    check_accessibility(page)

    # When she tells the service about the child she looks after
    page.get_by_label("Enw cyntaf").fill("Gwenno")
    page.get_by_label("Cyfenw").fill("Prosser-Ifan")
    fill_date(page, "Dyddiad geni", datetime.date(2012, 4, 3), day="Diwrnod", month="Mis", year="Blwyddyn")
    page.get_by_label("Cod post").fill("CF14 9ZZ")
    page.get_by_label("Awdurdod lleol cyfrifol").select_option(label="Cyngor Caerdydd")
    page.get_by_role("group", name="Statws cyfreithiol").get_by_label("Yn derbyn gofal").check()
    page.get_by_role("group", name="Iaith ddewisol").get_by_label("Cymraeg", exact=True).check()
    who = page.get_by_label("Pwy sy'n atgyfeirio")
    who.select_option(value="foster_carer")
    expect(who.locator("option:checked")).to_have_text("Gofalwr maeth")
    page.get_by_label("Enw'r atgyfeiriwr").fill("Bethan Morgan")
    page.get_by_label("Perthynas â'r plentyn neu'r person ifanc").fill("Gofalwr maeth ers 2022")
    page.get_by_label("Cyfeiriad e-bost yr atgyfeiriwr").fill("bethan@example.invalid")
    page.get_by_role("group", name="Iaith ar gyfer ymatebion i'r atgyfeiriwr").get_by_label("Cymraeg").check()
    page.get_by_label("Beth sy'n digwydd a pha help sydd ei angen").fill(
        "Ar ôl cyswllt gyda'i theulu biolegol mae hi'n methu cysgu ac yn cael pyliau o banig bob nos."
    )
    page.get_by_role("group", name="Ydy'r person ifanc yn gwybod am yr atgyfeiriad hwn?").get_by_label(
        "Ydy", exact=True
    ).check()
    page.get_by_role("group", name="Ydy'r person ifanc yn cytuno iddo?").get_by_label("Ddim eto").check()

    # And sends it – a person takes longer than the form's robot check allows a robot
    time.sleep(max(0.0, PUBLIC_FORM_MINIMUM_SECONDS + 0.5 - (time.monotonic() - opened_at)))
    page.get_by_role("button", name="Anfon", exact=True).click()

    # Then she is thanked, given a reference and told what happens next, in Welsh
    expect(heading).to_have_text("Diolch – mae eich cais wedi dod i law")
    expect(html).to_have_attribute("lang", "cy")
    panel = page.locator(".govuk-panel--confirmation")
    expect(panel).to_contain_text("Eich cyfeirnod")
    reference = panel.locator("strong")
    expect(reference).to_have_text(REFERENCE)
    expect(page.get_by_role("heading", name="Beth sy'n digwydd nesaf")).to_be_visible()
    check_accessibility(page)

    # When she reloads the page, which sends the form again, she gets the same reference
    sent = reference.inner_text()
    page.reload()
    expect(reference).to_have_text(sent)
    check_accessibility(page)
