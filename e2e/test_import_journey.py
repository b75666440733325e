"""Journey: a service manager imports referrals from a spreadsheet (issue 10).

The import runs in the background. The e2e server runs no task worker, so the journey decides
when the work happens: the job page is seen while the import waits (progress "0 of 3"), "Check
progress" is pressed and still shows it waiting, then a worker runs (``run_worker --batch``,
against the server's database, the same command as in production but exiting when the queue is
empty) and "Check progress" shows the row-by-row report. The button is a link to the same page:
no JavaScript, no meta refresh."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from e2e.support import check_accessibility

pytestmark = pytest.mark.browser

JOB_URL = re.compile(r"/en/referrals/import/[0-9a-f-]{36}/$")
ROW = {
    "given_name": "Cadi",
    "family_name": "Mewnforio-Prawf",
    "date_of_birth": "14/02/2011",
    "local_authority": "Cardiff Council",
    "legal_status": "looked_after",
    "referrer_type": "social_worker",
    "referrer_name": "Gareth Hughes",
    "needs": "Moved placement twice this year; not sleeping.",
}


def spreadsheet(tmp_path: Path) -> Path:
    rows = [
        ROW,
        {**ROW, "given_name": "Ianto", "date_of_birth": "2009-09-30"},
        {**ROW, "given_name": "Nia", "nhs_number": "123"},
    ]
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=[*ROW, "nhs_number"])
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / "referrals-from-the-local-authority.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def press_check_progress(page: Page) -> None:
    button = page.get_by_role("button", name="Check progress")
    expect(button).to_have_attribute("href", re.compile(r"/en/referrals/import/[0-9a-f-]{36}/$"))
    button.click()
    page.wait_for_load_state("load")


def test_a_manager_uploads_a_spreadsheet_follows_its_progress_and_reads_the_report(
    signed_in_page, nyth_server, tmp_path
):
    # Given the service manager on the import page, told the import runs in the background.
    page = signed_in_page("manager")
    page.goto("/en/referrals/import/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Import referrals from a spreadsheet")
    expect(page.get_by_text("The import runs in the background")).to_be_visible()
    expect(
        page.get_by_text(re.compile(r"deletes the uploaded file \d+ days? after the import finishes"))
    ).to_be_visible()
    check_accessibility(page)

    # When she uploads a file of three rows, one with a wrong NHS number, importing the valid rows.
    page.get_by_label("CSV file").set_input_files(str(spreadsheet(tmp_path)))
    page.get_by_label("Import the valid rows, and list the rows with errors").check()
    page.get_by_role("button", name="Upload and import").click()

    # Then the job page shows the import waiting, with nothing done yet and no meta refresh.
    page.wait_for_url(JOB_URL)
    job_url = page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("Import in progress")
    expect(page.locator("#import-checked")).to_have_text("0 of 3")
    assert page.locator("meta[http-equiv]").count() == 0
    check_accessibility(page)

    # Pressing "Check progress" before any worker has run shows the same, honestly.
    press_check_progress(page)
    assert page.url == job_url
    expect(page.get_by_role("heading", level=1)).to_have_text("Import in progress")
    check_accessibility(page)

    # When a worker has run the queued import...
    nyth_server.manage("run_worker", "--batch", "-v", "0")

    # ...then "Check progress" shows the report: two created, the third row listed with its column.
    press_check_progress(page)
    assert page.url == job_url
    expect(page.get_by_role("heading", level=1)).to_have_text("Import report")
    expect(page.get_by_text("2 referrals were created.")).to_be_visible()
    expect(page.get_by_text("1 row has errors and was not imported.")).to_be_visible()
    errors = page.get_by_role("table", name="Rows with errors")
    expect(errors.locator("tbody tr")).to_have_count(1)
    expect(errors.locator("tbody tr td").nth(0)).to_have_text("4")  # the header is row 1
    expect(errors.locator("tbody tr td").nth(1)).to_have_text("nhs_number")
    check_accessibility(page)

    # And the referrals are there, on the service's list.
    page.goto("/en/referrals/")
    expect(page.get_by_text("Cadi Mewnforio-Prawf")).to_be_visible()
    expect(page.get_by_text("Ianto Mewnforio-Prawf")).to_be_visible()
    check_accessibility(page)
