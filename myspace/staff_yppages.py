"""Staff side of the young person's requests: marking one read. The list is on the staff page
about their space (``staff_views.child``). Thin: the rule is ``myspace.yppages.mark_read``."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.http import AuthenticatedHttpRequest
from myspace import yppages
from myspace.models import SpaceRequest
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
