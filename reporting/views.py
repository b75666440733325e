"""The reporting pages, one per audience (issue 15; who sees what: ``reporting.access``).

Thin views: the form decides the period and filters, ``reporting.report`` computes the figures
(a ``SuppressedReport`` for a commissioner – the only type their page is built from), and
``reporting.pages`` shapes them for the one template. Every page view is audited: who, which
report, the period and the filters (an aggregate page names no young person). No view here
reads a personal model (the scoping lint holds ``reporting/`` outside ``reporting/queries/`` to
that).
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from audit.models import Action, Route
from audit.services import record
from core.disclosure import note
from core.http import AuthenticatedHttpRequest
from reporting.access import Area, Audience, area_of, audience_of
from reporting.forms import TREND_QUARTERS, ReportForm
from reporting.pages import Page, attach_charts, build_internal, build_suppressed, period_label, trend_quarters
from reporting.report import internal_report, suppressed_report

#: The URL name of each audience's page.
PAGES = {
    Audience.COMMISSIONER: "reporting:area",
    Audience.MANAGER: "reporting:service",
    Audience.PRACTITIONER: "reporting:caseload",
}


def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """ "Reports": the reader's own page, or 404 for someone with no report."""
    audience = audience_of(request.user)
    if audience is None:
        raise Http404
    return redirect(PAGES[audience])


def area(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _report(request, Audience.COMMISSIONER)


def service(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _report(request, Audience.MANAGER)


def caseload(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _report(request, Audience.PRACTITIONER)


def _report(request: AuthenticatedHttpRequest, audience: Audience) -> HttpResponse:
    user = request.user
    if audience_of(user) is not audience:
        raise Http404
    covered = area_of(user) if audience is Audience.COMMISSIONER else Area()
    today = timezone.localdate()
    # What the reader did not choose is the form's default (the newest period, their whole area).
    defaults = ReportForm(audience=audience, area=covered, today=today)
    data = {name: str(field.initial or "") for name, field in defaults.fields.items() if name not in ("start", "end")}
    data.update(request.GET.dict())
    form = ReportForm(data, audience=audience, area=covered, today=today)
    valid = form.is_valid()
    # An area or service outside what the commissioner covers does not exist for them (ADR 003).
    if not valid and audience is Audience.COMMISSIONER and ({"area", "service"} & set(form.errors)):
        raise Http404
    page: Page | None = None
    if valid:
        page = _page(form, audience, user.organisation_id, user.pk)
        record(
            actor=user,
            action=Action.VIEW,
            route=Route.UI,
            detail={**form.chosen(), "page": "report", "audience": str(audience), "period": page.period.code},
        )
    return render(
        request,
        "reporting/report.html",
        {
            "form": form,
            "audience": audience,
            "page": page,
            "period_label": period_label(page.period) if page else "",
            "note": note(),
            "organisation": user.organisation,
        },
    )


def _page(form: ReportForm, audience: Audience, organisation_id: int | None, user_id: int) -> Page:
    period = form.chosen_period()
    by = form.cleaned_data.get("by") or ""
    dimensions = [by] if by else []
    if audience is Audience.COMMISSIONER:
        filters = form.filters(service_id=None, caseload_of=None)
        report = suppressed_report(period, filters, dimensions=dimensions)
        trends = [
            suppressed_report(q, filters, dimensions=[], with_figures=False)
            for q in trend_quarters(period, TREND_QUARTERS)
        ]
        page = build_suppressed(report, trends)
    else:
        caseload_of = user_id if audience is Audience.PRACTITIONER else None
        filters = form.filters(service_id=organisation_id, caseload_of=caseload_of)
        internal = internal_report(period, filters, dimensions=dimensions)
        internal_trends = [
            internal_report(q, filters, dimensions=[], with_figures=False)
            for q in trend_quarters(period, TREND_QUARTERS)
        ]
        page = build_internal(internal, internal_trends)
    attach_charts(page)
    return page
