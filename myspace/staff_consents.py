"""The manager's page to keep a log entry from a young person's view for now. Thin: the rules are
in ``myspace.seen``. The notices themselves are in the one care-team inbox (staff_inbox.py)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.forms import add_service_errors
from core.http import AuthenticatedHttpRequest
from myspace import seen
from myspace.forms import WithholdForm
from people.access import get_visible_or_404, record_page_opened
from people.models import Child


def _child(request: AuthenticatedHttpRequest, child_pk: int) -> Child:
    return get_visible_or_404(request, Child.objects.visible_to(request.user), pk=child_pk)


def log(request: AuthenticatedHttpRequest, child_pk: int) -> HttpResponse:
    """The young person's "who has seen my story" as they could see it, for a manager to keep an
    entry from their view."""
    kid = _child(request, child_pk)
    if not seen.may_withhold(request.user, kid):
        raise PermissionDenied
    record_page_opened(request, kid, page="space_access:log")
    lines, withheld = seen.staff_lines(request.user, kid)
    rows = [(line, withheld.get(line.event.pk)) for line in lines]
    return render(request, "myspace/consents/staff_log.html", {"child": kid, "rows": rows})


def withhold(request: AuthenticatedHttpRequest, child_pk: int, event_pk: int) -> HttpResponse:
    kid = _child(request, child_pk)
    if not seen.may_withhold(request.user, kid):
        raise PermissionDenied
    line = seen.line_for(request.user, kid, event_pk, staff=True)
    if line is None:
        raise Http404
    record_page_opened(request, kid, page="space_access:withhold")
    form = WithholdForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            seen.withhold(
                by=request.user,
                child=kid,
                line=line,
                reason=form.cleaned_data["reason"],
                review_on=form.cleaned_data["review_on"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("They will not see this entry until the review date."))
            return redirect("space_access:log", child_pk=kid.pk)
    return render(request, "myspace/consents/staff_withhold.html", {"child": kid, "line": line, "form": form})
