"""CSV import, the smaller findings: a NUL byte is reported on its row and column (not as an
unreadable file), a workbook, PDF or picture renamed .csv is named as such, and names and
identifiers in cells follow the same rule as the forms (NFC, no invisible characters)."""

from __future__ import annotations

import io
import unicodedata
import zipfile

import pytest
from django.urls import reverse

from referrals.filetypes import not_a_csv
from referrals.models import Referral
from referrals.tests.test_import import GOOD, csv_bytes, row, run, upload

pytestmark = pytest.mark.django_db


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return out.getvalue()


XLSX = zip_bytes(
    {"[Content_Types].xml": b"<Types/>", "_rels/.rels": b"<Relationships/>", "xl/workbook.xml": b"<workbook/>"}
)
ODS = zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"})
ZIP = zip_bytes({"referrals.csv": csv_bytes([GOOD])})
XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 20
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00"

DISGUISED = [
    (XLSX, "Excel workbook (.xlsx)"),
    (ODS, "OpenDocument spreadsheet (.ods)"),
    (ZIP, "ZIP archive"),
    (XLS, "old Excel workbook (.xls)"),
    (PDF, "is a PDF"),
    (PNG, "picture (PNG)"),
    (JPEG, "picture (JPEG)"),
    (GIF, "picture (GIF)"),
]


# --- Files that are not CSV -----------------------------------------------------------------------
@pytest.mark.parametrize(("raw", "named"), DISGUISED)
def test_a_file_renamed_csv_is_named_for_what_it_is(south, raw, named):
    report = run(raw, south)
    assert report.blocked and report.created == 0
    assert len(report.file_errors) == 1
    assert named in report.file_errors[0] and "CSV UTF-8" in report.file_errors[0]
    assert not Referral.objects.exists()


def test_a_real_csv_is_not_mistaken_for_another_kind_of_file():
    assert not_a_csv(csv_bytes([GOOD])) is None
    assert not_a_csv(b"PKenny,Jones\r\n") is None  # text that merely starts like a signature
    assert not_a_csv(b"") is None


def test_the_file_kind_is_named_in_welsh(south):
    report = run(XLSX, south, language="cy")
    assert report.file_errors and "Excel" in report.file_errors[0] and "This file is" not in report.file_errors[0]


@pytest.mark.parametrize(("raw", "named"), [(XLSX, "Excel workbook (.xlsx)"), (PNG, "picture (PNG)")])
def test_the_upload_page_names_a_disguised_file_and_imports_nothing(client_for, manager, raw, named):
    response = client_for(manager).post(
        reverse("referrals:import"), {"file": upload("list.csv", raw), "mode": "valid_only"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body and named in body
    assert not Referral.objects.exists()


def test_utf16_without_a_byte_order_mark_is_still_unreadable_not_a_nul_on_every_cell(south):
    raw = csv_bytes([GOOD]).decode().encode("utf-16-le")
    report = run(raw, south)
    assert report.file_errors and "could not be read" in report.file_errors[0]
    assert report.errors == []


# --- NUL bytes --------------------------------------------------------------------------------------
def test_a_nul_byte_is_reported_on_its_row_and_column_and_the_other_rows_import(south):
    raw = csv_bytes(
        [row(given_name="Aled"), row(given_name="Be\x00ca"), row(given_name="Cai", needs="Sleeps\x00 badly")]
    )
    assert b"\x00" in raw[:4096]  # today the whole file is refused for this
    report = run(raw, south)
    assert report.file_errors == []
    assert (report.rows, report.created, report.invalid) == (3, 1, 2)
    assert [(error.row, error.column) for error in report.errors] == [(3, "given_name"), (4, "needs")]
    assert all("NUL byte" in error.message for error in report.errors)
    assert list(Referral.objects.values_list("given_name", flat=True)) == ["Aled"]


def test_a_nul_byte_far_into_the_file_is_reported_the_same_way(south):
    rows = [row(given_name=f"Plentyn{n}", needs=f"Angen {n} " + "x" * 60) for n in range(80)]
    rows[70] = row(given_name="Nul", referrer_name="Gareth\x00 Hughes")
    report = run(csv_bytes(rows), south)
    assert report.created == 79 and report.invalid == 1
    assert [(error.row, error.column) for error in report.errors] == [(72, "referrer_name")]


def test_a_nul_byte_in_the_header_names_the_column(south):
    header = [*GOOD]
    raw = csv_bytes([row()], header=header).replace(b"family_name", b"family\x00name", 1)
    report = run(raw, south)
    assert report.file_errors and "NUL byte" in report.file_errors[0] and "column B" in report.file_errors[0]


def test_the_nul_message_is_in_welsh(south):
    report = run(csv_bytes([row(given_name="Be\x00ca")]), south, language="cy")
    assert report.errors and "NUL" in report.errors[0].message and "This cell" not in report.errors[0].message


# --- Names and identifiers in cells -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("column", "value", "character"),
    [
        ("given_name", "Cer\u202eys", "U+202E"),
        ("family_name", "Prawf\u200b", "U+200B"),
        ("referrer_name", "\ufeffGareth Hughes", "U+FEFF"),
        ("nhs_number", "943\u2060476 5919", "U+2060"),
        ("postcode", "CF10\u00ad1AA", "U+00AD"),
    ],
)
def test_an_invisible_character_in_a_name_or_identifier_cell_is_reported(south, column, value, character):
    report = run(csv_bytes([row(given_name="Aled"), row(**{column: value})]), south)
    assert report.created == 1 and report.invalid == 1
    [error] = report.errors
    assert (error.row, error.column) == (3, column)
    assert character in error.message and "invisible or direction-changing" in error.message


def test_a_decomposed_name_in_a_cell_is_stored_composed(south):
    decomposed = unicodedata.normalize("NFD", "Siân Llŷr")
    report = run(csv_bytes([row(given_name=decomposed)]), south)
    assert report.created == 1
    assert Referral.objects.get().given_name == "Siân Llŷr"


def test_text_answers_may_still_hold_emoji_joiners(south):
    # Only names and identifiers are held to the rule: a young person's own words keep their emoji.
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    report = run(csv_bytes([row(young_person_views=f"Mae fy nheulu {family} yn bwysig")]), south)
    assert report.created == 1, report.errors
