"""CSV import of referrals: every row checked first, errors row by row in the user's language,
valid rows only or all or nothing, never half a row, never twice."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from accounts.models import Role
from accounts.tests.factories import UserFactory
from audit.models import AuditEvent
from referrals import import_views, importer
from referrals.models import ImportJob, Referral

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_EN = ROOT / "docs" / "examples" / "referrals-example.csv"
EXAMPLE_CY = ROOT / "docs" / "examples" / "referrals-example-cy.csv"


# --- Helpers ------------------------------------------------------------------------------------
GOOD = {
    "given_name": "Cerys",
    "family_name": "Prawf",
    "date_of_birth": "14/02/2011",
    "nhs_number": "943 476 5919",
    "postcode": "cf10 1aa",
    "local_authority": "W06000015",
    "legal_status": "looked_after",
    "referrer_type": "social_worker",
    "referrer_name": "Gareth Hughes",
    "needs": "Moved placement twice this year; not sleeping.",
    "risk_self_harm": "yes",
    "risk_going_missing": "no",
}


def csv_bytes(rows: list[dict[str, str]], header: list[str] | None = None, encoding: str = "utf-8") -> bytes:
    header = header or list(rows[0])
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name, "") for name in header])
    return out.getvalue().encode(encoding)


def row(**changes: str) -> dict[str, str]:
    return {**GOOD, **changes}


def run(raw: bytes, service, **kwargs) -> importer.ImportReport:
    return importer.run_import(raw, service=service, **kwargs)


# --- Good files ---------------------------------------------------------------------------------
def test_the_english_example_file_imports(south, manager, la_cardiff):
    report = run(EXAMPLE_EN.read_bytes(), south, by=manager, filename="referrals-example.csv")
    assert (report.rows, report.created, report.duplicates, report.invalid) == (3, 3, 0, 0)
    assert report.errors == [] and report.file_errors == []
    elin = Referral.objects.get(given_name="Elin")
    assert elin.route == "import" and elin.service == south and elin.referred_by == manager
    assert elin.responsible_local_authority == la_cardiff
    assert elin.nhs_number == "9995260182" and elin.postcode == "CF10 1AA"
    assert elin.date_of_birth == date(2011, 2, 14)
    assert elin.received_at.date() == date(2025, 3, 3)
    assert (
        elin.risk_self_harm and elin.risk_going_missing and elin.risk_placement_breakdown and not elin.risk_exploitation
    )
    assert elin.young_person_knows == "yes" and elin.consent_to_contact_others and elin.active_offer_made
    tomos = Referral.objects.get(given_name="Tomos")
    # Labels instead of codes; a council's name instead of its code; ISO dates.
    assert tomos.legal_status == "special_guardianship" and tomos.placement_type == "special_guardian"
    assert tomos.responsible_local_authority.code == "W06000022"
    assert tomos.date_of_birth == date(2009, 9, 30) and tomos.young_person_knows == "not_yet"
    assert Referral.objects.get(given_name="Zofia").responsible_local_authority.code == "W06000011"  # "Swansea"
    assert AuditEvent.objects.filter(action="create", route="import", object_type="referrals.referral").count() == 3
    summary = AuditEvent.objects.filter(route="import", object_type="").get()
    assert summary.detail["created"] == 3 and summary.detail["referral_import"] == "referrals-example.csv"


def test_welsh_headers_and_welsh_values_work(south, manager):
    report = run(EXAMPLE_CY.read_bytes(), south, by=manager, language="cy")
    assert (report.created, report.invalid) == (2, 0), report.errors
    osian = Referral.objects.get(given_name="Osian")
    assert osian.legal_status == "looked_after" and osian.placement_type == "foster_la"
    assert osian.responsible_local_authority.code == "W06000002"  # "Cyngor Gwynedd"
    assert osian.preferred_language == "cy" and osian.referrer_language == "cy" and osian.active_offer_made
    assert osian.young_person_knows == "yes" and osian.young_person_agrees == "yes"
    assert osian.risk_placement_breakdown and not osian.risk_self_harm
    mali = Referral.objects.get(given_name="Mali")
    assert mali.legal_status == "adopted" and mali.referrer_type == "adoptive_parent"
    assert mali.responsible_local_authority.code == "W06000010"  # "Cyngor Sir Gâr"
    assert mali.young_person_knows == "yes" and mali.young_person_agrees == "no"  # ydy / nac ydy


def test_headers_are_matched_loosely_and_mixed_languages_are_fine(south):
    header = [
        "Enw cyntaf",
        "Family Name",
        "DYDDIAD-GENI",
        "Legal status",
        "math o atgyfeiriwr",
        "Referrer name",
        "Anghenion",
    ]
    raw = csv_bytes(
        [
            {
                "Enw cyntaf": "Cai",
                "Family Name": "Prawf",
                "DYDDIAD-GENI": "2012-03-27",
                "Legal status": "Yn derbyn gofal",
                "math o atgyfeiriwr": "Teacher",
                "Referrer name": "Eleri",
                "Anghenion": "Quiet in class.",
            }
        ],
        header=header,
    )
    report = run(raw, south)
    assert report.created == 1, report.errors
    cai = Referral.objects.get()
    # Columns left out take the model's defaults.
    assert cai.complex_needs is True and cai.young_person_knows == "not_known" and cai.preferred_language == "en"


def test_the_same_referral_in_english_or_welsh_is_one_referral(south):
    english = csv_bytes([row(risk_self_harm="yes", legal_status="Looked after", local_authority="Cardiff Council")])
    welsh_header = [
        "enw_cyntaf",
        "cyfenw",
        "dyddiad_geni",
        "rhif_gig",
        "cod_post",
        "awdurdod_lleol",
        "statws_cyfreithiol",
        "math_o_atgyfeiriwr",
        "enw_atgyfeiriwr",
        "anghenion",
        "risg_hunan_niweidio",
        "risg_mynd_ar_goll",
    ]
    values = [
        "Cerys",
        "Prawf",
        "2011-02-14",
        "9434765919",
        "CF10 1AA",
        "Cyngor Caerdydd",
        "Yn derbyn gofal",
        "Gweithiwr cymdeithasol",
        "Gareth Hughes",
        "Moved placement twice this year;  not sleeping.",
        "ie",
        "na",
    ]
    welsh = csv_bytes([dict(zip(welsh_header, values, strict=True))], header=welsh_header)
    assert run(english, south).created == 1
    again = run(welsh, south)
    assert (again.created, again.duplicates) == (0, 1)
    assert Referral.objects.count() == 1


# --- Errors, row by row -------------------------------------------------------------------------
def test_errors_are_reported_for_each_row_and_column_as_named_in_the_file(south):
    header = [
        "Given name",
        "family_name",
        "Date of birth",
        "nhs_number",
        "local_authority",
        "legal_status",
        "referrer_type",
        "referrer_name",
        "needs",
        "risk_self_harm",
        "referrer_email",
    ]
    rows = [
        {**row(), "Given name": "Ok", "Date of birth": "14/02/2011"},  # row 2
        {**row(), "Given name": "Bad date", "Date of birth": "31/02/2011"},  # row 3
        {**row(), "Given name": "", "Date of birth": "1/1/2010", "nhs_number": "123"},  # row 4
        {
            **row(),
            "Given name": "Bad council",
            "Date of birth": "2010-01-01",
            "local_authority": "Atlantis",
            "risk_self_harm": "maybe",
            "legal_status": "orphan",
            "referrer_email": "not-an-email",
        },  # row 5
        {**row(), "Given name": "<script>x</script>", "Date of birth": "14.02.2011"},  # row 6
    ]
    report = run(csv_bytes(rows, header=header), south)
    assert (report.rows, report.created, report.invalid) == (5, 1, 4)
    found = {(e.row, e.column) for e in report.errors}
    assert found == {
        (3, "Date of birth"),
        (4, "Given name"),
        (4, "nhs_number"),
        (5, "local_authority"),
        (5, "legal_status"),
        (5, "risk_self_harm"),
        (5, "referrer_email"),
        (6, "Given name"),
        (6, "Date of birth"),
    }
    messages = {(e.row, e.column): e.message for e in report.errors}
    assert messages[(3, "Date of birth")] == "The date must be a real date"
    assert "10 digits" in messages[(4, "nhs_number")]
    assert "“Atlantis” is not a Welsh local authority" in messages[(5, "local_authority")]
    assert "looked_after" in messages[(5, "legal_status")]
    assert "yes or no" in messages[(5, "risk_self_harm")]
    assert "HTML" in messages[(6, "Given name")]
    assert "DD/MM/YYYY" in messages[(6, "Date of birth")]
    assert [number for number, _errors in report.errors_by_row()] == [3, 4, 5, 6]
    assert list(Referral.objects.values_list("given_name", flat=True)) == ["Ok"]


def test_errors_are_in_welsh_when_the_user_reads_welsh(south, monkeypatch):
    raw = csv_bytes([row(date_of_birth="31/02/2011"), row(given_name="Dau", nhs_number="123")])
    seen_languages = []
    original = importer.RowValidator.check

    def spy(self, number, cells):
        seen_languages.append(translation.get_language())
        return original(self, number, cells)

    monkeypatch.setattr(importer.RowValidator, "check", spy)
    report = run(raw, south, language="cy")
    assert seen_languages == ["cy", "cy"]  # the user's language is active while rows are checked
    assert translation.get_language() == "en"  # and put back afterwards
    assert [(e.row, e.column) for e in report.errors] == [(2, "date_of_birth"), (3, "nhs_number")]
    assert report.errors[0].message == "Rhaid i'r dyddiad fod yn ddyddiad go iawn"
    assert report.errors[1].message.startswith("Rhowch rif GIG")


def test_a_row_with_a_bad_date_creates_nothing_not_even_half_a_referral(south):
    report = run(csv_bytes([row(date_of_birth="2011-13-01")]), south)
    assert (report.created, report.invalid) == (0, 1)
    assert not Referral.objects.exists()
    assert not Referral.history.exists()
    assert not AuditEvent.objects.filter(object_type="referrals.referral").exists()


def test_row_numbers_follow_the_spreadsheet_when_a_cell_spans_lines_and_rows_are_blank(south):
    rows = [row(needs="Line one\nline two\nline three"), {name: "" for name in GOOD}, row(given_name="", needs="x")]
    report = run(csv_bytes(rows), south)
    assert report.rows == 2 and report.created == 1
    assert [(e.row, e.column) for e in report.errors] == [(4, "given_name")]


def test_a_value_in_a_column_without_a_header_is_reported(south):
    raw = csv_bytes([{**row(), "": "extra"}], header=[*GOOD, ""])
    report = run(raw, south)
    assert report.invalid == 1
    assert report.errors[0].column == "" and "column M" in report.errors[0].message


# --- The two modes ------------------------------------------------------------------------------
def test_valid_rows_only_imports_the_good_rows(south):
    report = run(
        csv_bytes([row(given_name="Un"), row(given_name="Dau", legal_status="?"), row(given_name="Tri")]), south
    )
    assert (report.created, report.invalid, report.blocked) == (2, 1, False)
    assert sorted(Referral.objects.values_list("given_name", flat=True)) == ["Tri", "Un"]


def test_all_or_nothing_imports_nothing_when_any_row_is_wrong(south):
    raw = csv_bytes([row(given_name="Un"), row(given_name="Dau", legal_status="?"), row(given_name="Tri")])
    report = run(raw, south, mode=importer.ALL_OR_NOTHING)
    assert (report.created, report.valid, report.invalid, report.blocked) == (0, 2, 1, True)
    assert not Referral.objects.exists()
    # Corrected, the same file goes in whole.
    fixed = csv_bytes([row(given_name="Un"), row(given_name="Dau"), row(given_name="Tri")])
    assert run(fixed, south, mode=importer.ALL_OR_NOTHING).created == 3


def test_all_or_nothing_rolls_back_if_a_row_fails_while_writing(south, monkeypatch):
    """A rule that changed between checking and writing: the chunk is retried row by row, the
    failing row is reported, and all-or-nothing writes nothing."""
    from django.core.exceptions import ValidationError

    original_many, original_one = importer.submit_referrals, importer.submit_referral

    def flaky_many(**kwargs):
        if any(data["given_name"] == "Tri" for data, _key in kwargs["items"]):
            raise ValidationError("changed under our feet")
        return original_many(**kwargs)

    def flaky_one(**kwargs):
        if kwargs["data"]["given_name"] == "Tri":
            raise ValidationError("changed under our feet")
        return original_one(**kwargs)

    monkeypatch.setattr(importer, "submit_referrals", flaky_many)
    monkeypatch.setattr(importer, "submit_referral", flaky_one)
    raw = csv_bytes([row(given_name="Un"), row(given_name="Dau"), row(given_name="Tri")])
    report = run(raw, south, mode=importer.ALL_OR_NOTHING, chunk_size=2)
    assert report.created == 0 and report.invalid == 1
    assert not Referral.objects.exists()
    report = run(raw, south, mode=importer.VALID_ONLY, chunk_size=2)
    assert report.created == 2 and report.invalid == 1 and report.errors[0].row == 4
    assert Referral.objects.count() == 2


def test_a_clash_of_random_references_is_retried_not_lost(south, monkeypatch):
    from referrals import services
    from referrals.tests.factories import ReferralFactory

    ReferralFactory(service=south, reference="R26-AAAAAA")
    drawn = iter(["R26-AAAAAA", "R26-BBBBBB"])
    monkeypatch.setattr(services, "new_reference", lambda: next(drawn))
    report = run(csv_bytes([row()]), south)
    assert (report.created, report.invalid) == (1, 0)
    referral = Referral.objects.get(reference="R26-BBBBBB")
    assert referral.history.count() == 1
    assert AuditEvent.objects.filter(object_type="referrals.referral", object_id=str(referral.pk)).count() == 1


# --- Never twice --------------------------------------------------------------------------------
def test_importing_the_same_file_again_creates_nothing(south):
    raw = EXAMPLE_EN.read_bytes()
    assert run(raw, south).created == 3
    again = run(raw, south)
    assert (again.created, again.duplicates, again.invalid) == (0, 3, 0)
    assert Referral.objects.count() == 3


def test_a_repeated_row_is_imported_once_and_services_are_kept_apart(south, north):
    raw = csv_bytes([row(), row(given_name=" Cerys ", postcode="CF10  1AA", risk_self_harm="ie")])
    report = run(raw, south)
    assert (report.created, report.duplicates) == (1, 1)
    # The key includes the service: the same row for another service is another referral.
    assert run(raw, north).created == 1
    assert Referral.objects.count() == 2


# --- Encodings and broken files -----------------------------------------------------------------
def test_utf8_with_bom_and_windows_1252_files(south):
    with_bom = b"\xef\xbb\xbf" + csv_bytes([row(given_name="Siân", family_name="Gruffudd")])
    assert run(with_bom, south).created == 1
    windows = csv_bytes(
        [row(given_name="Siôn", family_name="Prydderch", local_authority="Cyngor Sir Gâr")], encoding="cp1252"
    )
    assert b"Si\xf4n" in windows
    report = run(windows, south)
    assert report.created == 1, report.errors
    sion = Referral.objects.get(given_name="Siôn")
    assert sion.responsible_local_authority.code == "W06000010"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"", "empty"),
        (",,,\r\n", "empty"),
        ("given_name,family_name\r\nA,B\r\n".encode("utf-16"), "could not be read"),
        (csv_bytes([row()], header=[*GOOD, "shoe_size"]), "“shoe_size” is not a column"),
        (csv_bytes([row()], header=[*GOOD, "enw_cyntaf"]), "“given_name” and “enw_cyntaf” are the same column"),
        (
            csv_bytes([row()], header=[name for name in GOOD if name != "needs"]),
            "“needs” (in Welsh, “anghenion”) is missing",
        ),
        (csv_bytes([row()])[: csv_bytes([row()]).index(b"\r\n") + 2], "no rows to import"),
    ],
)
def test_a_file_that_cannot_be_imported_says_why_and_imports_nothing(south, raw, expected):
    if isinstance(raw, str):
        raw = raw.encode()
    report = run(raw, south)
    assert report.blocked and report.created == 0
    assert any(expected in message for message in report.file_errors), report.file_errors
    assert not Referral.objects.exists()


# --- The command --------------------------------------------------------------------------------
def command(*args: str) -> tuple[str, int]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_referrals", *args, "--no-progress", stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue() + str(error), error.returncode
    return out.getvalue(), 0


def test_command_imports_and_reports(south, manager, tmp_path):
    target = tmp_path / "referrals.csv"
    target.write_bytes(csv_bytes([row(given_name="Un"), row(given_name="Dau", date_of_birth="32/01/2010")]))
    output, status = command(str(target), "--service", south.code, "--as", "manager")
    assert status == 0
    assert "Row 3, column date_of_birth: The date must be a real date" in output
    assert "Referrals created: 1. Already present: 0. Rows with errors (not imported): 1." in output
    assert Referral.objects.get().referred_by == manager
    output, status = command(str(target), "--service", south.code)
    assert status == 0 and "Referrals created: 0. Already present: 1." in output


def test_command_shows_a_progress_bar_on_stderr(south, tmp_path, capsys):
    target = tmp_path / "referrals.csv"
    target.write_bytes(csv_bytes([row(given_name="Un"), row(given_name="Dau")]))
    out = io.StringIO()
    call_command("import_referrals", str(target), "--service", south.code, stdout=out)
    progress = capsys.readouterr().err
    assert "Checking rows" in progress and "Importing" in progress and "0/2" in progress
    assert "Checking rows" not in out.getvalue()


def test_command_all_or_nothing_exits_non_zero_and_imports_nothing(south, tmp_path):
    target = tmp_path / "referrals.csv"
    target.write_bytes(csv_bytes([row(given_name="Un"), row(given_name="Dau", nhs_number="123")]))
    output, status = command(str(target), "--service", south.code, "--all-or-nothing")
    assert status == 1 and not Referral.objects.exists()
    assert "Row 3, column nhs_number" in output and "nothing was imported" in output.lower()


def test_command_reports_in_welsh(south, tmp_path):
    target = tmp_path / "referrals.csv"
    target.write_bytes(csv_bytes([row(nhs_number="123")]))
    output, status = command(str(target), "--service", south.code, "--language", "cy")
    assert status == 1  # every row invalid: nothing imported
    assert "Rhowch rif GIG sydd â 10 digid" in output


def test_command_exit_codes_for_unreadable_files_and_unknown_names(south, alice, tmp_path):
    broken = tmp_path / "broken.csv"
    broken.write_bytes("given_name\r\nA\r\n".encode("utf-16"))
    assert command(str(broken), "--service", south.code)[1] == 2
    assert command(str(tmp_path / "missing.csv"), "--service", south.code)[1] == 2
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes([row()]))
    assert command(str(good), "--service", "NO-SUCH-SERVICE")[1] == 2
    assert command(str(good), "--service", south.code, "--as", "alice")[1] == 2  # a practitioner
    assert command(str(good), "--service", south.code, "--as", "nobody")[1] == 2
    assert not Referral.objects.exists()


# --- The upload page ----------------------------------------------------------------------------
def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_upload_page_for_a_manager(client_for, manager):
    response = client_for(manager).get(reverse("referrals:import"))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'class="govuk-file-upload"' in body and 'type="file"' in body and 'enctype="multipart/form-data"' in body
    assert 'value="valid_only"' in body and 'value="all_or_nothing"' in body
    assert "enw_cyntaf" in body  # the columns, with their Welsh headers


@pytest.mark.parametrize(
    ("language", "background", "deleted"),
    [
        ("en", "The import runs in the background", "deletes the uploaded file {days} days after the import finishes"),
        (
            "cy",
            "Mae'r mewnforio'n digwydd yn y cefndir",
            "yn dileu'r ffeil a uwchlwythwyd {days} diwrnod ar ôl i'r mewnforio orffen",
        ),
    ],
)
def test_upload_page_says_the_import_runs_in_the_background_and_when_the_file_is_deleted(
    client_for, manager, settings, language, background, deleted
):
    settings.NYTH_UPLOAD_RETENTION_DAYS = 3  # the number on the page is the setting, not a fixed text
    with translation.override(language):
        url = reverse("referrals:import")
    body = client_for(manager).get(url).content.decode()
    assert background in body
    assert deleted.format(days=3) in body
    settings.NYTH_UPLOAD_RETENTION_DAYS = 1
    one = client_for(manager).get(url).content.decode()
    assert ("1 day after" if language == "en" else "1 diwrnod ar ôl") in one


def test_upload_imports_in_the_background_and_shows_the_report(client_for, duty, django_capture_on_commit_callbacks):
    raw = csv_bytes(
        [row(given_name="Un"), row(given_name="Dau", nhs_number="123"), row(given_name="Tri", date_of_birth="x")]
    )
    client = client_for(duty)
    # Nothing is queued until the request's transaction commits; the task runs then (the tests'
    # immediate backend; a worker in production).
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("referrals:import"), {"file": upload("list.csv", raw), "mode": "valid_only"})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("referrals:import_job", args=[job.pk])
    assert len(callbacks) == 1 and not Referral.objects.exists()
    assert job.status == "queued" and job.rows_total == 3 and bytes(job.data) == raw and job.uploaded_by == duty
    waiting = client.get(response["Location"]).content.decode()
    assert "Import in progress" in waiting and "Check progress" in waiting and "0 of 3" in waiting
    # "Check progress" is a GOV.UK button that is a plain link to this page: no JavaScript, no meta refresh.
    assert (
        f'<a class="govuk-button" data-module="govuk-button" role="button" draggable="false" href="{response["Location"]}">Check progress</a>'
        in waiting
    )
    assert "http-equiv" not in waiting and "<script" not in waiting.split("</main>")[0]
    callbacks[0]()
    job.refresh_from_db()
    assert (job.status, job.created, job.invalid, job.duplicates, job.checkpoint) == ("done", 1, 2, 0, 1)
    body = client.get(response["Location"]).content.decode()
    assert "1 referral was created." in body and "2 rows have errors and were not imported." in body
    assert "govuk-table" in body and "nhs_number" in body and "DD/MM/YYYY" in body
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">3</td>' in body
    assert Referral.objects.get().given_name == "Un"


def test_upload_all_or_nothing_with_errors_imports_nothing(client_for, manager, django_capture_on_commit_callbacks):
    raw = csv_bytes([row(given_name="Un"), row(given_name="Dau", nhs_number="123")])
    client = client_for(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("referrals:import"), {"file": upload("list.csv", raw), "mode": "all_or_nothing"})
    assert "Nothing was imported." in client.get(response["Location"]).content.decode()
    assert not Referral.objects.exists()


def test_the_job_page_is_for_the_uploader_and_the_services_managers_only(
    client_for, duty, manager, alice, charlie, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(duty).post(
            reverse("referrals:import"), {"file": upload("list.csv", csv_bytes([row()])), "mode": "valid_only"}
        )
    url = reverse("referrals:import_job", args=[ImportJob.objects.get().pk])
    assert client_for(duty).get(url).status_code == 200
    assert client_for(manager).get(url).status_code == 200
    assert client_for(alice).get(url).status_code == 404  # same service, not a manager, not the uploader
    assert client_for(charlie).get(url).status_code == 404
    other_manager = UserFactory(organisation=charlie.organisation, role=Role.SERVICE_MANAGER)
    assert client_for(other_manager).get(url).status_code == 404
    assert client_for(duty).get(reverse("referrals:import_job", args=[uuid.uuid4()])).status_code == 404


def test_upload_errors_keep_the_chosen_mode(client_for, manager, monkeypatch):
    client = client_for(manager)
    url = reverse("referrals:import")
    response = client.post(url, {"mode": "all_or_nothing"})
    body = response.content.decode()
    assert "Select a CSV file" in body and "govuk-file-upload--error" in body and "govuk-error-summary" in body
    assert 'value="all_or_nothing" checked' in body
    # Too big, not a CSV, and a file whose header is wrong: each explained, the mode kept.
    monkeypatch.setattr(import_views, "MAX_UPLOAD_BYTES", 10)
    response = client.post(url, {"file": upload("list.csv", csv_bytes([row()])), "mode": "valid_only"})
    body = response.content.decode()
    assert "The selected file must be smaller than 5 MB" in body and 'value="valid_only" checked' in body
    monkeypatch.undo()
    response = client.post(url, {"file": upload("list.xlsx", b"PK\x03\x04"), "mode": "valid_only"})
    assert "The selected file must be a CSV" in response.content.decode()
    response = client.post(url, {"file": upload("list.csv", b"shoe_size\r\n9\r\n"), "mode": "all_or_nothing"})
    body = response.content.decode()
    assert "“shoe_size” is not a column" in body and 'value="all_or_nothing" checked' in body
    assert not Referral.objects.exists()


def test_upload_page_in_welsh(client_for, manager, django_capture_on_commit_callbacks):
    with translation.override("cy"):
        url = reverse("referrals:import")
    assert url.startswith("/cy/")
    raw = csv_bytes([row(nhs_number="123")])
    client = client_for(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"file": upload("list.csv", raw), "mode": "valid_only"})
    assert response["Location"].startswith("/cy/")
    assert "Rhowch rif GIG sydd â 10 digid" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize("persona", ["alice", "charlie", "partner", "commissioner", "administrator"])
def test_upload_page_is_404_for_everyone_else(client_for, persona, request):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    url = reverse("referrals:import")
    assert client.get(url).status_code == 404
    assert client.post(url, {"file": upload("list.csv", csv_bytes([row()])), "mode": "valid_only"}).status_code == 404
    assert not Referral.objects.exists()


def test_upload_page_needs_sign_in(client):
    response = client.get(reverse("referrals:import"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
