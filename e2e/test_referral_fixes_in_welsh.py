"""Journey: the referral fixes of issue 12 §C, in Welsh.

Mererid, the service manager, works in Welsh. She records a referral for a child the service
already knows (nothing on the form is chosen for her), presses "Cadarnhau" on the match page
without choosing a record and is told so, links the record, then decides: the outcome radios
reveal only the chosen outcome's fields (all of them without JavaScript), the page tells her the
referrer is written to in Welsh, and her reason, written in Welsh, goes into the letter unmarked.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from e2e.support import check_accessibility
from e2e.test_referral_journeys import SERVICE_REGION_AUTHORITIES, fill_date, find_known_child

pytestmark = pytest.mark.browser

SENT_URL = re.compile(r"/cy/referrals/sent/(R\d{2}-[0-9A-F]{6,})/$")
DETAIL_URL = re.compile(r"/cy/referrals/\d+/$")
DECIDE_URL = re.compile(r"/cy/referrals/\d+/decide/$")
CONSULTATION = "Ymgynghoriad yn unig (cyngor i'r atgyfeiriwr)"
REDIRECTED = "Wedi'i gyfeirio ymlaen drwy drosglwyddiad cynnes"


def test_a_manager_refers_matches_and_decides_in_welsh(
    signed_in_page: Callable[[str], Page],
    new_page: Callable[..., Page],
    signed_in_states: dict[str, dict[str, Any]],
) -> None:
    # Given Mererid, the service manager, and a child the service already knows
    page = signed_in_page("manager")
    child = find_known_child(page)
    heading = page.get_by_role("heading", level=1)

    # When she opens the referral form in Welsh
    page.goto("/cy/referrals/new/")
    expect(heading).to_have_text("Gwneud atgyfeiriad")
    check_accessibility(page)

    # Then nothing is ticked or chosen for her: no complex needs, no risk, no language
    complex_needs = page.get_by_label("Anghenion iechyd meddwl a llesiant cymhleth, gan gynnwys trawma")
    expect(complex_needs).not_to_be_checked()
    expect(page.get_by_role("group", name="Risgiau presennol").locator("input:checked")).to_have_count(0)
    expect(page.get_by_role("group", name="Iaith ddewisol").locator("input:checked")).to_have_count(0)
    replies = page.get_by_role("group", name="Iaith ar gyfer ymatebion i'r atgyfeiriwr")
    expect(replies.locator("input:checked")).to_have_count(0)

    # When she records the referral a social worker phoned in, choosing the languages herself
    page.get_by_label("Enw cyntaf").fill(child.given_name)
    page.get_by_label("Cyfenw").fill(child.family_name)
    fill_date(page, "Dyddiad geni", child.date_of_birth, day="Diwrnod", month="Mis", year="Blwyddyn")
    page.get_by_label("Awdurdod lleol cyfrifol").select_option(label=SERVICE_REGION_AUTHORITIES[child.authority])
    page.get_by_role("group", name="Statws cyfreithiol").get_by_label("Yn derbyn gofal").check()
    page.get_by_role("group", name="Iaith ddewisol").get_by_label("Cymraeg", exact=True).check()
    page.get_by_label("Pwy sy'n atgyfeirio").select_option(value="social_worker")
    page.get_by_label("Enw'r atgyfeiriwr").fill("Gareth Gweithiwr (demo)")
    page.get_by_label("Cyfeiriad e-bost yr atgyfeiriwr").fill("gareth@example.invalid")
    replies.get_by_label("Cymraeg").check()
    page.get_by_label("Beth sy'n digwydd a pha help sydd ei angen").fill("Hunllefau bob nos ers y cyswllt diwethaf.")
    complex_needs.check()
    page.get_by_label("Rwy'n cofnodi hyn ar ran rhywun a ffoniodd neu a alwodd heibio").check()
    page.get_by_role("button", name="Anfon yr atgyfeiriad").click()
    expect(page).to_have_url(SENT_URL)
    reference = SENT_URL.search(page.url)[1]
    check_accessibility(page)

    # And opens it from the referrals awaiting a decision
    page.goto("/cy/referrals/?status=received")
    check_accessibility(page)
    row = page.get_by_role("table").locator("tbody tr").filter(has=page.get_by_role("link", name=reference, exact=True))
    expect(row).to_contain_text("dyddiad geni")  # two children may share a name
    row.get_by_role("link", name=reference, exact=True).click()
    expect(page).to_have_url(DETAIL_URL)
    referral_url = page.url
    check_accessibility(page)

    # And presses "Cadarnhau" without choosing a record
    which = page.get_by_role("group", name="Pa gofnod sy'n perthyn i'r plentyn hwn?")
    candidate = which.get_by_label(re.compile(rf"^{re.escape(child.name)}, "))
    expect(candidate).not_to_be_checked()
    page.get_by_role("button", name="Cadarnhau").click()

    # Then she is told, in Welsh, what to do – not a page that does not exist
    expect(page).to_have_title(re.compile(r"^Gwall: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("heading", name="Mae problem")).to_be_visible()
    message = "Dewiswch gofnod y plentyn hwn, neu agorwch gofnod newydd"
    expect(summary.get_by_role("link", name=message)).to_be_visible()
    expect(which.locator(".govuk-error-message")).to_contain_text(message)
    check_accessibility(page)

    # When she chooses the existing record and confirms
    summary.get_by_role("link", name=message).click()
    candidate.check()
    page.get_by_role("button", name="Cadarnhau").click()
    expect(page).to_have_url(referral_url)
    expect(page.get_by_text("Mae'r atgyfeiriad wedi'i gysylltu â'r cofnod presennol.")).to_be_visible()
    check_accessibility(page)

    # And opens the decision
    page.get_by_role("link", name="Penderfynu", exact=True).click()
    expect(page).to_have_url(DECIDE_URL)
    decide_url = page.url
    expect(heading).to_have_text("Penderfynu ar yr atgyfeiriad")
    # Then the page says the referrer is written to in Welsh
    expect(page.locator(".govuk-inset-text")).to_contain_text(
        "Ysgrifennir at yr atgyfeiriwr yn Gymraeg, ei iaith ei hun."
    )
    # And no outcome's fields are shown until she chooses it
    advice = page.get_by_label("Cyngor a roddwyd i'r atgyfeiriwr")
    service = page.get_by_label("Y gwasanaeth y trosglwyddwyd yr atgyfeiriad iddo")
    expect(advice).to_be_hidden()
    expect(service).to_be_hidden()
    check_accessibility(page)

    # When she chooses "redirected", its handover fields appear, and nothing says they are optional
    outcome = page.get_by_role("group", name="Penderfyniad")
    outcome.get_by_label(REDIRECTED).check()
    expect(service).to_be_visible()
    expect(page.get_by_label("Â phwy y gwnaethoch chi gysylltu yno")).to_be_visible()
    expect(page.locator("label", has=page.get_by_text("Â phwy y gwnaethoch chi gysylltu yno"))).not_to_contain_text(
        "dewisol"
    )
    expect(advice).to_be_hidden()
    check_accessibility(page)

    # When she changes her mind to a consultation and sends it without the advice
    outcome.get_by_label(CONSULTATION).check()
    expect(advice).to_be_visible()
    expect(service).to_be_hidden()
    check_accessibility(page)
    reason = "Bydd cyngor i'r gofalwr yn helpu'n gyntaf."
    page.get_by_label("Rheswm", exact=True).fill(reason)
    page.get_by_role("group", name="Ym mha iaith wnaethoch chi ysgrifennu?").get_by_label("Cymraeg").check()
    page.get_by_role("button", name="Cofnodi'r penderfyniad").click()

    # Then the error is about the advice only, with her choice and the advice box still open
    expect(page).to_have_title(re.compile(r"^Gwall: Penderfynu ar yr atgyfeiriad"))
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("listitem")).to_have_count(1)
    expect(summary.get_by_role("link", name="Cofnodwch y cyngor a roddwyd i'r atgyfeiriwr")).to_be_visible()
    expect(outcome.get_by_label(CONSULTATION)).to_be_checked()
    expect(advice).to_be_visible()
    expect(page.get_by_label("Rheswm", exact=True)).to_have_value(reason)
    check_accessibility(page)

    # And without JavaScript the same page shows every outcome's fields
    plain = new_page(javascript=False, storage_state=signed_in_states["manager"])
    plain.goto(decide_url)
    expect(plain.get_by_label("Cyngor a roddwyd i'r atgyfeiriwr")).to_be_visible()
    expect(plain.get_by_label("Y gwasanaeth y trosglwyddwyd yr atgyfeiriad iddo")).to_be_visible()
    check_accessibility(plain)
    plain.context.close()

    # When she gives the advice and records the decision
    advice.fill("Amser tawel cyn gwely, a galwad wythnosol gyda ni.")
    page.get_by_role("button", name="Cofnodi'r penderfyniad").click()

    # Then the letter is in Welsh, with her Welsh reason not marked as another language
    expect(page).to_have_url(referral_url)
    expect(page.get_by_text("Mae'r penderfyniad wedi'i gofnodi a bydd yr atgyfeiriwr yn cael gwybod.")).to_be_visible()
    card = page.locator(".govuk-summary-card").first
    letter = card.locator(".govuk-summary-list__row", has=page.get_by_text("Neges i'r atgyfeiriwr")).locator("dd")
    expect(letter).to_contain_text(reason)
    expect(letter).to_contain_text(f"(cyfeirnod {reference})")
    expect(letter).not_to_contain_text("Ysgrifennwyd")
    expect(letter.locator("[lang]")).to_have_count(0)
    check_accessibility(page)
