"""Journey: the outcomes summary for a review meeting, and measurements on the timeline (issue
13). Ffion (``practitioner``), working in Welsh, records the guidance's trusted-adult question at
a measurement point for a young person in her caseload, downloads the one-page summary from the
outcomes page and finds the measurement on the timeline. Chosen by what the pages show, so it
holds whichever seeded young person it lands on; the PDF is read back from the downloaded file."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from e2e.support import add_measurement_point, caseload, check_accessibility, fill_date, today, with_current_support

pytestmark = pytest.mark.browser


def test_a_welsh_practitioner_prints_the_summary_and_sees_the_measure_on_the_timeline(
    signed_in_page: Callable[[str], Page],
) -> None:
    day = today()
    # Given Ffion on her caseload, with the first young person in it
    page = signed_in_page("practitioner")
    young_person = caseload(page)[0]
    pk = young_person.pk

    # When support is current (opened today if it was not) and she adds a review point in Welsh
    with_current_support(page, young_person)
    add_measurement_point(page, day)
    expect(page.get_by_text("Cafodd y pwynt mesur ei ychwanegu.")).to_be_visible()
    check_accessibility(page)

    # And records the trusted-adult question there
    page.get_by_role("link", name=re.compile("^Cofnodi mesurau")).first.click()
    check_accessibility(page)
    fill_date(page, "id_taken_on", day)
    page.get_by_label("Wedi'i gwblhau gyda'r ymarferydd").check()
    page.get_by_role(
        "group", name="Oes gennych chi berthynas dda ag oedolyn rydych chi'n ymddiried ynddo?"
    ).get_by_label("Oes", exact=True).check()
    if page.locator("#id_swemwbs_1").count():  # old enough for SWEMWBS: from the paper form
        for n in range(1, 8):
            page.locator(f"#id_swemwbs_{n}").fill("4")
    page.get_by_role("button", name="Cadw'r mesurau").click()
    expect(page.get_by_text("Cafodd y mesurau eu cofnodi.")).to_be_visible()
    check_accessibility(page)

    # Then the outcomes page offers the summary, and it downloads as a one-page Welsh PDF
    page.goto(f"/cy/outcomes/children/{pk}/")
    check_accessibility(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Llwytho crynodeb i lawr ar gyfer cyfarfod adolygu (PDF)").click()
    path = Path(download_info.value.path())
    assert path.read_bytes().startswith(b"%PDF")
    pages = PdfReader(path).pages
    text = " ".join(" ".join(p.extract_text() for p in pages).split())
    assert len(pages) == 1
    assert "Crynodeb o'r canlyniadau ar gyfer cyfarfod adolygu" in text
    assert "Cyfrinachol." in text
    assert "Perthynas dda ag oedolyn yr ymddiriedir ynddo" in text  # the question, in Welsh

    # And the timeline, showing outcome measures only, has the measurement linked to the outcomes page
    page.goto(f"/cy/episodes/children/{pk}/timeline/?filtered=1&kind=outcome&range=all")
    check_accessibility(page)
    entry = page.get_by_role("link", name="Mesurau canlyniadau wedi'u cwblhau: adolygiad").first
    expect(entry).to_be_visible()
    expect(entry).to_have_attribute("href", f"/cy/outcomes/children/{pk}/")
