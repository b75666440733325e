"""The exports (CSV, XLSX, PDF) of a suppressed report, on small hand-made data: nine young
people supported in 2026Q1 – seven female, two male – at a service whose name starts with "="."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.utils import timezone, translation

from core.disclosure import note
from episodes.models import Episode, EpisodeEvent
from people.tests.factories import ChildFactory
from reporting import exports, periods
from reporting.filters import Filters
from reporting.report import suppressed_report

pytestmark = pytest.mark.django_db
D = datetime.date
Q1 = periods.quarter(2026, 1)
MADE = timezone.make_aware(datetime.datetime(2026, 7, 1, 9, 30))
EVIL = '=HYPERLINK("http://x.example","click")'


@pytest.fixture
def nine(south, alice):
    south.name_en = EVIL
    south.name_cy = "+Gwasanaeth"
    south.save()
    for gender in ["female"] * 7 + ["male"] * 2:
        kid = ChildFactory(service=south, gender=gender)
        episode = Episode.objects.create(child=kid, opened_on=D(2026, 4, 1), opened_from="referral", opened_by=alice)
        EpisodeEvent.objects.create(episode=episode, kind="opened", on=D(2026, 4, 1), recorded_by=alice)
    return south


def _report():
    return suppressed_report(Q1, Filters(), ["young_people_supported"])


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_is_one_long_table_with_suppressed_cells_and_the_note(nine):
    rows = _csv_rows(exports.to_csv(_report(), language="en", made_at=MADE))
    assert rows[0] == ["Indicator", "Breakdown", "Category", "Value", "Note"]
    table = {(r[1], r[2]): r[3] for r in rows[1:] if r[0] == "Young people supported"}
    assert table[("Headline figures", "Supported")] == "9"
    assert table[("Total", "")] == "9"
    # 2 is small (primary); 7 is then suppressed too, as 9 − 7 would give the 2 away (secondary).
    male = next(r for r in rows if r[1:3] == ["Gender", "Boy or young man"])
    female = next(r for r in rows if r[1:3] == ["Gender", "Girl or young woman"])
    assert male[3] == "[c]" and male[4].startswith("fewer than 5")
    assert female[3] == "[c]" and "worked out from the total" in female[4]
    assert any(r[4] == note(5) for r in rows)


def test_csv_neutralises_formula_injection_in_text_but_not_in_numbers(nine):
    rows = _csv_rows(exports.to_csv(_report(), language="en", made_at=MADE))
    service_row = next(r for r in rows if r[1] == "Service")
    assert service_row[2] == "'" + EVIL
    assert service_row[3] == "9"  # a number stays a number
    for row in rows:
        for text in row:
            assert not text.startswith(("=", "+", "-", "@", "\t", "\r")), row
    welsh = _csv_rows(exports.to_csv(_report(), language="cy", made_at=MADE))
    assert any(r[2] == "'+Gwasanaeth" for r in welsh)


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_safe_text_prefixes_each_formula_start(text):
    assert exports.safe_text(text) == "'" + text
    assert exports.safe_text("Cardiff") == "Cardiff"


def test_xlsx_has_cover_definitions_a_sheet_per_indicator_and_no_formula(nine):
    from openpyxl import load_workbook

    data = exports.to_xlsx(suppressed_report(Q1, Filters()), language="cy", made_at=MADE)
    book = load_workbook(io.BytesIO(data))
    with translation.override("cy"):
        expected_note = note(5)
        about, definitions = translation.gettext("About"), translation.gettext("Definitions")
    assert book.sheetnames[:2] == [about, definitions]
    assert len(book.sheetnames) == 2 + len(suppressed_report(Q1, Filters()).sections)
    texts = [c.value for ws in book for row in ws.iter_rows() for c in row if c.value is not None]
    assert expected_note in texts
    assert "'+Gwasanaeth" in texts
    for ws in book:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
    numbers = [c.value for ws in book for row in ws.iter_rows() for c in row if isinstance(c.value, int)]
    assert 9 in numbers and 2 not in numbers  # the male count never leaves


def test_xlsx_is_the_same_bytes_for_the_same_report_and_moment(nine):
    one = exports.to_xlsx(_report(), language="en", made_at=MADE)
    two = exports.to_xlsx(_report(), language="en", made_at=MADE)
    assert one == two


def test_pdf_in_welsh_has_the_welsh_suppression_note(nine):
    from pypdf import PdfReader

    data = exports.to_pdf(suppressed_report(Q1, Filters()), language="cy", made_at=MADE)
    text = " ".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(data)).pages)
    with translation.override("cy"):
        welsh_note = note(5)
    assert welsh_note != note(5)  # it is translated
    squashed = " ".join(text.split())
    assert " ".join(welsh_note.split()) in squashed
    assert "Gwasanaeth" in squashed
