"""The outcome measures due for the young person, offered after a check-in (How I'm feeling):
"You can also fill in <name> for your worker". Thin: what is offered and how it is scored and
saved are ``outcomes.services``' (``self_report_due``, ``record_self_report``), the rules the
practitioners' entry page uses. Only the young person's own record, through the one scope
(route "self"); a carer, another young person's point or a measure not offered gets 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.forms import add_service_errors
from core.http import AuthenticatedHttpRequest
from myspace import drafts, space
from myspace.forms_measures import SelfReportForm
from outcomes import services as outcome_services
from people.access import record_page_opened
from people.models import Child


def _own(request: AuthenticatedHttpRequest) -> Child:
    child = space.own_child(request.user)
    if child is None:
        raise Http404
    return child


def offers(request: AuthenticatedHttpRequest) -> HttpResponse:
    """After a check-in: the measures they can fill in now (none: back to How I'm feeling)."""
    child = _own(request)
    due = outcome_services.self_report_due(child, timezone.localdate())
    if not due:
        return redirect("myspace:checkin")
    record_page_opened(request, child, page="myspace:measure_offers")
    return render(request, "myspace/measures/offers.html", {"offers": due})


def measure(request: AuthenticatedHttpRequest, point_pk: int, code: str) -> HttpResponse:
    child = _own(request)
    offered = {(p.pk, i.code): (p, i) for p, i in outcome_services.self_report_due(child, timezone.localdate())}
    if (point_pk, code) not in offered:
        raise Http404  # another young person's point, one recorded already, or not offered
    point, instrument = offered[(point_pk, code)]
    # What the idle sign-out caught is offered back as typed (a draft is not judged until sent).
    data, from_draft = drafts.posted_or_draft(request)
    form = SelfReportForm(data, instrument=instrument)
    if from_draft:
        form.errors.clear()
    if request.method == "POST":
        form.is_valid()  # everything is kept as typed; the service judges it all before saving
        try:
            outcome_services.record_self_report(
                by=request.user,
                point=point,
                code=instrument.code,
                key=form.data.get("key", ""),
                answers=form.answers()[instrument.code],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Thank you. Your worker will see your answers."))
            return redirect("myspace:checkin")
    record_page_opened(request, child, page="myspace:measure")
    status = 400 if form.is_bound and not from_draft else 200
    context = {"form": form, "instrument": instrument, "from_draft": from_draft}
    return render(request, "myspace/measures/measure.html", context, status=status)
