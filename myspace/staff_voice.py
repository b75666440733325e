"""Staff pages for the young person's voice: a child's check-ins, "before my review" notes and
alerts, marking read and picking up. Thin: the rules are ``myspace.voice``; everything is
reached through the reader's scope (``visible_to``) and audited by their route."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.models import Route
from audit.services import record_list
from core.forms import add_service_errors
from core.http import AuthenticatedHttpRequest
from myspace import voice
from myspace.models import Alert, CheckIn, ReviewNote
from myspace.voice_forms import PickUpForm
from people.access import audit_route, get_visible_or_404, record_page_opened, require_change
from people.models import Child


def _child(request: AuthenticatedHttpRequest, child_pk: int) -> Child:
    return get_visible_or_404(request, Child.objects.visible_to(request.user), pk=child_pk)


#: The list page's rows at most (each kind); the home panel gives the full counts.
WAITING_ROWS = 100


def waiting(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What is waiting for this person from young people's spaces: alerts to pick up, check-ins
    to read. A list that names children: one LIST event naming them."""
    alerts = list(voice.alerts_for(request.user)[:WAITING_ROWS])
    items = list(voice.checkins_to_read(request.user)[:WAITING_ROWS])
    named = [a.child_id for a in alerts] + [c.child_id for c in items]
    record_list(actor=request.user, page="space_access:waiting", children=named, route=Route.UI)
    context = {"alerts": alerts, "checkins": items, "today": timezone.localdate()}
    return render(request, "myspace/voice/staff_waiting.html", context)


def checkins(request: AuthenticatedHttpRequest, child_pk: int) -> HttpResponse:
    """Everything the young person has said in their space, newest first, unread marked."""
    kid = _child(request, child_pk)
    record_page_opened(request, kid, page="space_access:checkins")
    context = {
        "child": kid,
        "settings_days": settings.NYTH_SPACE_READ_WITHIN_WORKING_DAYS,
        "checkins": CheckIn.objects.visible_to(request.user).filter(child=kid).select_related("read_by"),
        "notes": ReviewNote.objects.visible_to(request.user).filter(child=kid).select_related("read_by"),
        "alerts": Alert.objects.visible_to(request.user).filter(child=kid).select_related("picked_up_by"),
    }
    return render(request, "myspace/voice/staff_checkins.html", context)


@require_POST
def checkin_read(request: AuthenticatedHttpRequest, child_pk: int, checkin_pk: int) -> HttpResponse:
    kid = _child(request, child_pk)
    require_change(request, kid)
    item = get_visible_or_404(request, CheckIn.objects.visible_to(request.user).filter(child=kid), pk=checkin_pk)
    voice.mark_read(by=request.user, item=item, route=audit_route(request.user, kid))
    messages.success(request, _("Marked as read."))
    return redirect("space_access:checkins", child_pk=kid.pk)


@require_POST
def review_note_read(request: AuthenticatedHttpRequest, child_pk: int, note_pk: int) -> HttpResponse:
    kid = _child(request, child_pk)
    require_change(request, kid)
    note = get_visible_or_404(request, ReviewNote.objects.visible_to(request.user).filter(child=kid), pk=note_pk)
    voice.mark_read(by=request.user, item=note, route=audit_route(request.user, kid))
    messages.success(request, _("Marked as read. The young person can see that you have read it."))
    # From the plan review form (the fragment's button), back to it; else to the list.
    target = "plans:review_add" if request.POST.get("back") == "review" else "space_access:checkins"
    return redirect(target, child_pk=kid.pk)


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
