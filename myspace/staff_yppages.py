"""The Help now lines, kept by service managers. (The young person's requests are read in the one
care-team inbox, ``myspace/staff_inbox.py``.)"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core.http import AuthenticatedHttpRequest
from myspace import yppages
from myspace.forms_yppages import HelpLineForm
from myspace.models import HelpLine


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
