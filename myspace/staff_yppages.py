"""Staff side of the young person's requests: marking one read. The list is on the staff page
about their space (``staff_views.child``). Thin: the rule is ``myspace.yppages.mark_read``."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.http import AuthenticatedHttpRequest
from myspace import yppages
from myspace.forms_yppages import HelpLineForm
from myspace.models import HelpLine, SpaceRequest
from myspace.staff_views import _child


@require_POST
def mark_read(request: AuthenticatedHttpRequest, child_pk: int, space_request_pk: int) -> HttpResponse:
    kid = _child(request, child_pk)
    try:
        yppages.mark_read(by=request.user, child=kid, request_pk=space_request_pk)
    except SpaceRequest.DoesNotExist as exc:  # not this young person's request
        raise Http404 from exc
    messages.success(request, _("Marked as read."))
    return redirect("space_access:child", child_pk=kid.pk)


def help_lines(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The Help now lines, for the service managers who keep them (others: no such page)."""
    if not yppages.may_manage_help(request.user):
        raise Http404
    return render(
        request, "myspace/yppages/staff_help_lines.html", {"lines": yppages.help_lines(include_inactive=True)}
    )


def help_line_edit(request: AuthenticatedHttpRequest, line_pk: int | None = None) -> HttpResponse:
    if not yppages.may_manage_help(request.user):
        raise Http404
    line = get_object_or_404(HelpLine.objects.all(), pk=line_pk) if line_pk else None
    form = HelpLineForm(request.POST or None, instance=line)
    if request.method == "POST" and form.is_valid():
        yppages.save_help_line(by=request.user, form=form)
        messages.success(request, _("The Help now line was saved."))
        return redirect("space_access:help_lines")
    return render(request, "myspace/yppages/staff_help_line_form.html", {"form": form, "line": line})
