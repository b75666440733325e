"""Journey: a commissioner, in Welsh, exports the last quarter's figures for her region as a
spreadsheet (issue 15). The e2e server runs no task worker, so the journey decides when the work
happens (as the import journey does): the progress page is seen while the export waits, a worker
runs (``run_worker --batch``), the page's script shows the download in its live region and
"Check progress" (the way without JavaScript) the finished page, and the file downloaded is a
workbook with the About and Definitions sheets and the Welsh suppression note."""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import Page, expect

from e2e.support import check_accessibility

pytestmark = pytest.mark.browser

JOB_URL = re.compile(r"/cy/reports/exports/[0-9a-f-]{36}/$")
WELSH_NOTE_START = "[c]: llai na 5"


def press_check_progress(page: Page) -> None:
    page.get_by_role("button", name="Gwirio'r cynnydd").click()
    page.wait_for_load_state("load")


def test_a_commissioner_in_welsh_downloads_the_quarterly_spreadsheet(signed_in_page, nyth_server):
    from openpyxl import load_workbook

    # Given the commissioner on the exports page in Welsh.
    page = signed_in_page("commissioner")
    page.goto("/cy/reports/exports/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Allforio ffigurau")
    check_accessibility(page)

    # When she chooses the last quarter (the first period offered), her region and a spreadsheet.
    period = page.get_by_label("Cyfnod")
    quarter = period.locator("option").first.get_attribute("value") or ""
    assert re.fullmatch(r"\d{4}Q[1-4]", quarter)
    period.select_option(quarter)
    page.get_by_label("Ardal").select_option(index=0)
    page.get_by_label("Taenlen (XLSX): un ddalen i bob dangosydd, gyda diffiniadau").check()
    page.get_by_role("button", name="Gwneud yr allforio").click()

    # Then the progress page shows the export waiting, honestly, without JavaScript tricks.
    page.wait_for_url(JOB_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("Allforio ar y gweill")
    expect(page.get_by_label("0% wedi'i wneud")).to_be_visible()
    check_accessibility(page)

    # When a worker has made the file, the page (its script polling the job's status) says so in
    # its live region and offers the download without a reload…
    nyth_server.manage("run_worker", "--batch", "-v", "0")
    expect(page.locator("#export-live")).to_have_attribute("aria-live", "polite")
    expect(page.locator("#export-result #export-download")).to_be_visible(timeout=15_000)
    expect(page.locator("#export-progress-text")).to_have_text("100% wedi'i wneud")
    expect(page.locator("#export-result")).to_contain_text("Mae eich allforio yn barod")
    check_accessibility(page)
    # …and "Check progress", kept for a browser without JavaScript, shows the finished page.
    press_check_progress(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mae eich allforio yn barod")
    check_accessibility(page)
    with page.expect_download() as info:
        page.locator("#export-download").click()
    download = info.value
    assert download.suggested_filename == f"nyth-{quarter}.xlsx"

    # And the workbook is in Welsh: cover, definitions, the note; no formula anywhere.
    book = load_workbook(io.BytesIO(open(download.path(), "rb").read()))  # noqa: SIM115
    assert book.sheetnames[:2] == ["Ynghylch", "Diffiniadau"]
    texts = [str(c.value) for ws in book for row in ws.iter_rows() for c in row if c.value is not None]
    assert any(t.startswith(WELSH_NOTE_START) for t in texts), texts[:20]
    assert all(c.data_type != "f" for ws in book for row in ws.iter_rows() for c in row)
