"""Journey: a practitioner signs in with two-factor authentication and works in Welsh."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from e2e.support import DEMO_PASSWORD, RECORD_URL, TWO_FACTOR_URL, Authenticator, check_accessibility

pytestmark = pytest.mark.browser


def test_practitioner_signs_in_with_two_factor_and_switches_to_welsh(page: Page, authenticator: Authenticator) -> None:
    html = page.locator("html")
    heading = page.get_by_role("heading", level=1)

    # Given Cerys (practitioner2fa), whose authenticator app is already set up, on the sign-in page
    page.goto("/en/account/sign-in/")
    expect(html).to_have_attribute("lang", "en")
    expect(heading).to_have_text("Sign in to Nyth")
    check_accessibility(page)

    # When she signs in with her user name and password
    page.get_by_label("User name").fill("practitioner2fa")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # Then she is asked for the code from her authenticator app
    expect(page).to_have_url(TWO_FACTOR_URL)
    expect(heading).to_have_text("Enter your security code")
    check_accessibility(page)

    # When she enters the current code
    page.get_by_label("Security code").fill(authenticator.code("practitioner2fa"))
    page.get_by_role("button", name="Continue").click()

    # Then she lands on the home page, in English
    expect(page).to_have_url(re.compile(r"/en/$"))
    expect(heading).to_have_text("Hello, Cerys Morgan")
    expect(page.get_by_role("navigation", name="Menu").get_by_role("link", name="Home")).to_be_visible()
    check_accessibility(page)

    # When she chooses "Cymraeg" in the language navigation
    page.get_by_role("navigation", name="Language").get_by_role("link", name="Cymraeg").click()

    # Then the same page is shown in Welsh, navigation included
    expect(page).to_have_url(re.compile(r"/cy/$"))
    expect(html).to_have_attribute("lang", "cy")
    expect(heading).to_have_text("Helo, Cerys Morgan")
    menu = page.get_by_role("navigation", name="Dewislen")
    expect(menu.get_by_role("link", name="Hafan")).to_be_visible()
    expect(menu.get_by_role("button", name="Allgofnodi")).to_be_visible()
    expect(page.get_by_role("navigation", name="Iaith").get_by_role("link", name="English")).to_be_visible()
    check_accessibility(page)

    # When she opens the list of children and young people
    menu.get_by_role("link", name="Plant a phobl ifanc").click()

    # Then the list is in Welsh
    expect(page).to_have_url(re.compile(r"/cy/children/$"))
    expect(html).to_have_attribute("lang", "cy")
    expect(heading).to_have_text("Plant a phobl ifanc")
    check_accessibility(page)

    # And, as the seed gives her no caseload, she opens a record for a new child (in Welsh)
    page.get_by_role("link", name="Ychwanegu plentyn neu berson ifanc").click()
    expect(page).to_have_url(re.compile(r"/cy/children/new/$"))
    expect(heading).to_have_text("Ychwanegu plentyn neu berson ifanc")
    check_accessibility(page)
    page.get_by_label("Enw cyntaf").fill("Efa")
    page.get_by_label("Cyfenw").fill("Llŷr")
    date_of_birth = page.get_by_role("group", name="Dyddiad geni")
    date_of_birth.get_by_label("Diwrnod").fill("9")
    date_of_birth.get_by_label("Mis").fill("11")
    date_of_birth.get_by_label("Blwyddyn").fill("2013")
    page.get_by_label("Awdurdod lleol cyfrifol").select_option(label="Cyngor Caerdydd")
    page.get_by_role("group", name="Statws cyfreithiol").get_by_label("Yn derbyn gofal").check()
    page.get_by_role("group", name="Iaith ddewisol").get_by_label("Cymraeg").check()
    page.get_by_role("button", name="Cadw").click()
    expect(page).to_have_url(RECORD_URL)
    expect(page.get_by_text("Crëwyd y cofnod ar gyfer Efa Llŷr.")).to_be_visible()
    check_accessibility(page)

    # When she goes back to the list and opens that child's record from it
    page.get_by_role("navigation", name="Dewislen").get_by_role("link", name="Plant a phobl ifanc").click()
    expect(page).to_have_url(re.compile(r"/cy/children/$"))
    check_accessibility(page)
    page.get_by_role("table").get_by_role("link", name="Efa Llŷr").click()

    # Then the child's record is in Welsh
    expect(page).to_have_url(RECORD_URL)
    expect(html).to_have_attribute("lang", "cy")
    expect(heading).to_have_text("Efa Llŷr")
    expect(page.get_by_text("Plentyn neu berson ifanc", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Manylion personol")).to_be_visible()
    expect(page.get_by_text("9 Tachwedd 2013")).to_be_visible()
    check_accessibility(page)

    # When she signs out, she is back at the sign-in page, still in Welsh
    page.get_by_role("navigation", name="Dewislen").get_by_role("button", name="Allgofnodi").click()
    expect(page).to_have_url(re.compile(r"/cy/account/sign-in/$"))
    expect(html).to_have_attribute("lang", "cy")
    expect(heading).to_have_text("Mewngofnodi i Nyth")
    check_accessibility(page)
