"""The CSV upload page: a service manager or duty worker imports referrals into their service.

The upload is stored and imported in the background (``referrals.import_jobs``, every row
through ``submit_referral``); these views take the upload, show the progress and the report. Columns: docs/referrals-csv.md.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django import forms
from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from accounts.models import Organisation, OrganisationType, Role
from core.forms import GovukBoundField, NythForm
from core.http import AuthenticatedHttpRequest
from people.access import get_visible_or_404
from referrals import import_jobs, importer
from referrals.models import ImportJob, ImportJobStatus

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


class ImportForm(NythForm):
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


def _service_of(request: AuthenticatedHttpRequest) -> Organisation:
    """Only a service manager or duty worker of a service may import; for anyone else the page
    does not exist (404, as for records out of scope)."""
    user = request.user
    organisation = getattr(user, "organisation", None)
    if user.role not in IMPORT_ROLES or organisation is None or organisation.type != OrganisationType.SERVICE:
        raise Http404
    return organisation


def upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Checks the file as a whole here (readable, a header row, rows below it) so those problems
    show on the form at once; the rows are checked and imported by a worker
    (``referrals.import_jobs``), and the browser goes to the job's page to follow it. The job is
    queued when this request's transaction commits."""
    service = _service_of(request)
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload_file = form.cleaned_data["file"]
            raw = upload_file.read()
            try:
                rows = import_jobs.precheck(raw)
            except importer.ImportFileError as problem:
                report = importer.ImportReport(mode=form.cleaned_data["mode"], file_errors=problem.messages)
                importer._audit(request.user, report, upload_file.name)
                for message in problem.messages:
                    form.add_error("file", message)
            else:
                job = import_jobs.start_import(
                    raw=raw,
                    filename=upload_file.name,
                    mode=form.cleaned_data["mode"],
                    service=service,
                    by=request.user,
                    language=get_language(),
                    rows=rows,
                )
                return redirect("referrals:import_job", job_pk=job.pk)
    else:
        form = ImportForm()
    return render(
        request,
        "referrals/import_upload.html",
        {
            "form": form,
            "service": service,
            "max_mb": MAX_UPLOAD_MB,
            "columns": importer.COLUMNS,
            "retention_days": settings.NYTH_UPLOAD_RETENTION_DAYS,
        },
    )


def job(request: AuthenticatedHttpRequest, job_pk: UUID) -> HttpResponse:
    """The import's progress while a worker runs it, and its report once it has finished. Only
    the uploader and the service's managers see it; for anyone else it does not exist."""
    job = get_visible_or_404(request, ImportJob.objects.visible_to(request.user).select_related("service"), pk=job_pk)
    if not job.finished:
        return render(request, "referrals/import_progress.html", {"job": job, "service": job.service})
    report = importer.ImportReport(
        mode=job.mode,
        rows=job.rows_total,
        created=job.created,
        duplicates=job.duplicates,
        invalid=job.invalid,
        file_errors=list(job.file_errors),
        errors=[importer.RowError(*error) for error in job.errors],
    )
    return render(
        request,
        "referrals/import_report.html",
        {
            "job": job,
            "report": report,
            "service": job.service,
            "filename": job.filename,
            "stopped": job.status == ImportJobStatus.FAILED,
            "errors": report.errors[:MAX_ERRORS_SHOWN],
            "errors_hidden": max(len(report.errors) - MAX_ERRORS_SHOWN, 0),
            "all_or_nothing": report.mode == importer.ALL_OR_NOTHING,
        },
    )
