"""The exports page (issue 15): choose a period, an area and a format; the file is made in the
background (``reporting.tasks``); follow its progress; download it. Thin: who may export which
area is ``reporting.export_access``, the file is ``reporting.exports``. Every export is audited
when it is asked for and when it is downloaded (who, what, period, filters, format)."""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID

from django import forms
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from audit.models import Action, Route
from audit.services import record
from core.http import AuthenticatedHttpRequest
from reporting import exports, periods, tasks
from reporting.export_access import area_for, export_areas
from reporting.models import ExportJob, ExportStatus

FORMAT_LABELS = {
    "xlsx": gettext_lazy("Spreadsheet (XLSX): one sheet per indicator, with definitions"),
    "csv": gettext_lazy("CSV: one long table"),
    "pdf": gettext_lazy("PDF: the quarterly return, with charts"),
}


def period_choices(today: datetime.date) -> list[periods.Period]:
    """Periods that have ended: the last eight quarters and the last two reporting years (a
    period still running would change under the reader, and overlapping releases of it could be
    differenced)."""
    quarters = periods.previous_quarters(today, 8)[::-1]
    this_year = periods.quarter_of(today).code[:4]
    years = [periods.year(int(this_year) - n) for n in (1, 2)]
    return [*quarters, *years]


class ExportForm(forms.Form):
    period = forms.ChoiceField(error_messages={"required": gettext_lazy("Choose a period")})
    area = forms.ChoiceField(error_messages={"required": gettext_lazy("Choose an area")})
    format = forms.ChoiceField(
        choices=list(FORMAT_LABELS.items()), error_messages={"required": gettext_lazy("Choose a format")}
    )

    def __init__(self, *args: Any, periods_: list[periods.Period], areas: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        invalid = gettext_lazy("Choose one of the options")
        period_field, area_field = self.fields["period"], self.fields["area"]
        assert isinstance(period_field, forms.ChoiceField) and isinstance(area_field, forms.ChoiceField)
        period_field.choices = [(p.code, p.code) for p in periods_]
        area_field.choices = [(a.key, a.label) for a in areas]
        for field in self.fields.values():
            field.error_messages["invalid_choice"] = invalid


def _areas_or_404(request: AuthenticatedHttpRequest) -> list[Any]:
    areas = export_areas(request.user)
    if not areas:
        raise Http404
    return areas


def start(request: AuthenticatedHttpRequest) -> HttpResponse:
    areas = _areas_or_404(request)
    choices = period_choices(timezone.localdate())
    if request.method == "POST":
        form = ExportForm(request.POST, periods_=choices, areas=areas)
        if form.is_valid():
            area = area_for(request.user, form.cleaned_data["area"])
            if area is None:  # the choices are the user's areas; this only guards a race
                raise Http404
            job = tasks.start_export(
                user=request.user, period=periods.parse(form.cleaned_data["period"]), filters=area.filters,
                area_label=area.label, fmt=form.cleaned_data["format"], language=get_language() or "en",
            )  # fmt: skip
            record(
                actor=request.user, action=Action.CREATE, obj=job, route=Route.UI,
                detail={"what": "report export", "period": job.period, "filters": job.filters, "format": job.format},
            )  # fmt: skip
            return redirect("reporting_exports:job", job_pk=job.pk)
    else:
        form = ExportForm(periods_=choices, areas=areas, initial={"period": choices[0].code, "format": "xlsx"})
    jobs = list(ExportJob.objects.visible_to(request.user)[:20])
    return render(
        request,
        "reporting/exports_start.html",
        {"form": form, "periods": choices, "areas": areas, "formats": FORMAT_LABELS, "jobs": jobs},
    )


def _job_or_404(request: AuthenticatedHttpRequest, job_pk: UUID) -> ExportJob:
    """The one access rule of the progress page and its status: only who may follow the job."""
    export = ExportJob.objects.visible_to(request.user).filter(pk=job_pk).first()
    if export is None:
        raise Http404
    return export


def job(request: AuthenticatedHttpRequest, job_pk: UUID) -> HttpResponse:
    """Progress while a worker makes the file ("Check progress" reloads it, without JavaScript;
    ``reporting/export-progress.js`` polls ``job_status`` and updates it in place), then the
    download link – or that it failed or expired. Not audited: it shows the job's own progress,
    never a figure of the report; asking for the export and downloading it are audited."""
    export = _job_or_404(request, job_pk)
    return render(
        request,
        "reporting/exports_job.html",
        {"job": export, "failed": export.status == ExportStatus.FAILED, "ready": export.status == ExportStatus.DONE},
    )


def job_status(request: AuthenticatedHttpRequest, job_pk: UUID) -> JsonResponse:
    """The progress page's facts as JSON for its script: the same access rule (404 to anyone
    else) and, like the page, not audited. The texts are the page's, in the reader's language."""
    return JsonResponse(job_progress(_job_or_404(request, job_pk)), headers={"Cache-Control": "no-store"})


def job_progress(export: ExportJob) -> dict[str, Any]:
    """What the page says about a job, as data: status, percentage, the texts to show, and the
    download link once the file is ready (and not expired)."""
    ready = export.status == ExportStatus.DONE and not export.expired
    data: dict[str, Any] = {
        "status": str(export.status),
        "finished": export.finished,
        "percent": export.percent,
        "progress_text": _("%(percent)s%% done") % {"percent": export.percent},
        "stage_text": str(export.get_status_display()),
        "message": "",
        "download_url": None,
        "download_text": "",
    }
    if ready:
        data["message"] = str(_("Your export is ready"))
        data["download_url"] = reverse("reporting_exports:download", kwargs={"job_pk": export.pk})
        data["download_text"] = _("Download %(name)s (%(size)s)") % {
            "name": export.filename,
            "size": filesizeformat(export.size),
        }
    elif export.status == ExportStatus.DONE:
        data["message"] = str(_("This export has expired"))
    elif export.status == ExportStatus.FAILED:
        data["message"] = str(_("The export failed"))
    return data


def download(request: AuthenticatedHttpRequest, job_pk: UUID) -> HttpResponse:
    export = ExportJob.objects.visible_to(request.user).filter(pk=job_pk, status=ExportStatus.DONE).first()
    if export is None or export.expired or export.content is None:
        raise Http404
    record(
        actor=request.user, action=Action.EXPORT, obj=export, route=Route.UI,
        detail={"what": "report export", "kind": export.kind, "period": export.period, "filters": export.filters,
                "format": export.format, "language": export.language, "size": export.size},
    )  # fmt: skip
    response = HttpResponse(bytes(export.content), content_type=exports.FORMATS[export.format][0])
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Cache-Control"] = "no-store"
    return response
