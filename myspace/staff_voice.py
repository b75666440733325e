"""Staff page for an alert from the young person's space: who raised it and picking it up. Thin:
the rules are ``myspace.voice``; reached through the reader's scope and audited by their route.
Check-ins and notes are in the one care-team inbox (``myspace/staff_inbox.py``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.forms import add_service_errors
from core.http import AuthenticatedHttpRequest
from myspace import voice
from myspace.voice_forms import PickUpForm
from people.access import audit_route, get_visible_or_404, record_page_opened
from people.models import Child


def _child(request: AuthenticatedHttpRequest, child_pk: int) -> Child:
    return get_visible_or_404(request, Child.objects.visible_to(request.user), pk=child_pk)


def alert(request: AuthenticatedHttpRequest, child_pk: int, alert_pk: int) -> HttpResponse:
    """One alert: who raised it and when, and picking it up (who, when, what was done). The
    service's duty workers reach it through the part-reaching route "space_alert"."""
    kid = get_visible_or_404(request, Child.objects.visible_to(request.user, include_shared=True), pk=child_pk)
    item = get_visible_or_404(request, voice.alerts_of(request.user, kid), pk=alert_pk)
    form = PickUpForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not voice.may_pick_up(request.user, item):
            raise PermissionDenied
        if form.is_valid():
            values: dict[str, Any] = form.cleaned_data
            try:
                voice.pick_up(
                    by=request.user,
                    alert=item,
                    what_was_done=values["what_was_done"],
                    text_language=values["text_language"],
                    route=audit_route(request.user, kid),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("You have picked up this alert."))
                # Back to the alert (who, when, what was done): a duty worker reaching only the
                # alert could not open the young person's list.
                return redirect("space_access:alert", child_pk=kid.pk, alert_pk=item.pk)
    record_page_opened(request, kid, obj=item, page="space_access:alert")
    return render(request, "myspace/voice/staff_alert.html", {"child": kid, "alert": item, "form": form})
