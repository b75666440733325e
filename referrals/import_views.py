"""The CSV upload page: a service manager or duty worker imports referrals into their service.

Rows are checked and written by ``referrals.importer`` (every row through ``submit_referral``);
this view only parses the upload, calls it and renders the report. Columns: docs/referrals-csv.md.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from accounts.models import Organisation, OrganisationType, Role
from core.forms import GovukBoundField
from referrals import importer

MAX_UPLOAD_MB = 5
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024
# The report page lists at most this many problems (the command prints them all).
MAX_ERRORS_SHOWN = 1000
IMPORT_ROLES = (Role.SERVICE_MANAGER, Role.DUTY_WORKER)


class FileUploadBoundField(GovukBoundField):
    """The GOV.UK file upload input, red-bordered when its answer has an error."""

    def build_widget_attrs(self, attrs: dict[str, Any], widget: forms.Widget | None = None) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        classes = [widget.attrs.get("class", ""), attrs.get("class", "")]
        if self.errors:
            classes.append("govuk-file-upload--error")
        attrs["class"] = " ".join(c for c in dict.fromkeys(" ".join(classes).split()))
        return attrs


class CsvFileField(forms.FileField):
    bound_field_class = FileUploadBoundField


class ImportForm(forms.Form):
    file = CsvFileField(
        label=gettext_lazy("CSV file"),
        widget=forms.FileInput(attrs={"class": "govuk-file-upload", "accept": ".csv,text/csv"}),
        error_messages={
            "required": gettext_lazy("Select a CSV file"),
            "empty": gettext_lazy("The selected file is empty"),
            "invalid": gettext_lazy("Select a CSV file"),
            "missing": gettext_lazy("Select a CSV file"),
        },
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("If some rows have errors"),
        choices=[
            (importer.VALID_ONLY, gettext_lazy("Import the valid rows, and list the rows with errors")),
            (importer.ALL_OR_NOTHING, gettext_lazy("Import nothing until every row is correct (all or nothing)")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose what happens if some rows have errors")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "A spreadsheet saved as CSV (comma separated), no bigger than %(size)s MB. The first row holds "
            "the column headers, in English or in Welsh."
        ) % {"size": MAX_UPLOAD_MB}

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The selected file must be smaller than %(size)s MB") % {"size": MAX_UPLOAD_MB}, code="too_big"
            )
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError(_("The selected file must be a CSV"), code="type")
        # A workbook, PDF or picture renamed .csv is named here, before anything is read as CSV.
        upload.seek(0)
        other = importer.not_a_csv(upload.read(importer.HEAD_BYTES))
        upload.seek(0)
        if other:
            raise forms.ValidationError(other, code="not_csv")
        return upload


def _service_of(request: HttpRequest) -> Organisation:
    """Only a service manager or duty worker of a service may import; for anyone else the page
    does not exist (404, as for records out of scope)."""
    user = request.user
    organisation = getattr(user, "organisation", None)
    if user.role not in IMPORT_ROLES or organisation is None or organisation.type != OrganisationType.SERVICE:
        raise Http404
    return organisation


@transaction.non_atomic_requests
def upload(request: HttpRequest) -> HttpResponse:
    """Not one transaction per request, unlike other pages: the importer commits in chunks (or,
    all or nothing, in one transaction of its own). Every audit event takes the audit chain's
    lock until its transaction commits, so a whole import in the request's transaction would hold
    everyone else's page views for its full length. Each row is still written whole by
    ``submit_referral``, and a re-sent file creates nothing twice."""
    service = _service_of(request)
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload_file = form.cleaned_data["file"]
            report = importer.run_import(
                upload_file.read(),
                service=service,
                mode=form.cleaned_data["mode"],
                by=request.user,
                language=get_language(),
                filename=upload_file.name,
            )
            if not report.file_errors:
                # Rendered straight from the POST: sending the same file again is harmless,
                # since every row's idempotency key makes a repeated row create nothing.
                return render(
                    request,
                    "referrals/import_report.html",
                    {
                        "report": report,
                        "service": service,
                        "filename": upload_file.name,
                        "errors": report.errors[:MAX_ERRORS_SHOWN],
                        "errors_hidden": max(len(report.errors) - MAX_ERRORS_SHOWN, 0),
                        "all_or_nothing": report.mode == importer.ALL_OR_NOTHING,
                    },
                )
            for message in report.file_errors:
                form.add_error("file", message)
    else:
        form = ImportForm()
    return render(
        request,
        "referrals/import_upload.html",
        {"form": form, "service": service, "max_mb": MAX_UPLOAD_MB, "columns": importer.COLUMNS},
    )
