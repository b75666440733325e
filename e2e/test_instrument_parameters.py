"""Journey: a reviewed parameter change (issue 13, ADR 017). Mererid (``manager``), working in
Welsh, opens the outcome measures, proposes a caseness cut-off for SWEMWBS – first without its
source, which is refused beside the field with what she typed kept – and lands on the proposal,
which she cannot approve herself (another service manager must); she withdraws it and reads the
measure's history. Axe checks every page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from e2e.support import check_accessibility

pytestmark = pytest.mark.browser


def test_a_welsh_manager_proposes_a_change_that_only_another_manager_may_approve(
    signed_in_page: Callable[[str], Page],
) -> None:
    # Given Mererid on the Welsh outcome measures page
    page = signed_in_page("manager")
    page.goto("/cy/outcomes/instruments/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mesurau canlyniadau")
    check_accessibility(page)

    # When she proposes a cut-off for SWEMWBS without saying where it comes from
    page.locator('a[href="/cy/outcomes/instruments/swemwbs/propose/"]').click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cynnig newid")
    expect(page.locator("#id_rc_sd")).to_have_value("3.92")  # prefilled with the values in use
    check_accessibility(page)
    page.locator("#id_cutoff").fill("19.5")
    page.locator("#id_cutoff_population").fill("Oedolion yn y DU")
    page.locator("#id_reason").fill("Mae'r gwasanaeth wedi cytuno ar bwynt torri")
    page.locator("#id_citation").fill("Astudiaeth, 2024")
    page.get_by_role("button", name="Cynnig y newid").click()

    # Then the missing source is shown beside its field, and what she typed is kept
    expect(page.locator(".govuk-error-summary")).to_contain_text("Rhowch ffynhonnell y pwynt torri")
    expect(page.locator("#id_cutoff")).to_have_value("19.5")
    check_accessibility(page)

    # When she adds the source
    page.locator("#id_cutoff_citation").fill("Astudiaeth pwynt torri, 2020")
    page.get_by_role("button", name="Cynnig y newid").click()

    # Then the proposal waits for another service manager: she may only withdraw it
    expect(page.get_by_role("heading", level=1)).to_have_text("Newid arfaethedig")
    expect(page.get_by_text("Chi wnaeth gynnig y newid hwn")).to_be_visible()
    expect(page.get_by_role("button", name="Cymeradwyo a rhoi ar waith")).to_have_count(0)
    expect(page.get_by_role("table")).to_contain_text("19.5")
    check_accessibility(page)
    page.get_by_role("button", name="Tynnu'r cynnig yn ôl").click()
    expect(page.get_by_text("Mae'r cynnig wedi'i dynnu'n ôl.")).to_be_visible()
    check_accessibility(page)

    # And the measure's history lists its earlier states
    page.get_by_role("link", name="Hanes y newidiadau").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hanes y newidiadau")
    expect(page.get_by_text("Y cyflwr cyntaf a gofnodwyd.")).to_be_visible()
    check_accessibility(page)
