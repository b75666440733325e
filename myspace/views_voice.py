"""The young person's voice in their space: how I'm feeling, the alert, before my review. Thin:
the rules are ``myspace.voice``; the record is their own, reached through the "self" route."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import add_service_errors
from core.http import AuthenticatedHttpRequest
from myspace import drafts, space, voice
from myspace.models import AlertKind
from myspace.voice_forms import CheckInForm, ReviewNoteForm
from people.access import record_page_opened
from people.models import Child

#: The session key holding the alert just raised, for the page after the POST.
LAST_ALERT = "nyth_space_last_alert"


def _own(request: AuthenticatedHttpRequest) -> Child:
    child = space.own_child(request.user)
    if child is None:
        raise Http404
    return child


#: The form's data, posted or a draft kept across the idle sign-out (``myspace.drafts``).
_data = drafts.posted_or_draft


def checkin(request: AuthenticatedHttpRequest) -> HttpResponse:
    child = _own(request)
    data, from_draft = _data(request)
    form = CheckInForm(data)
    if request.method == "POST" and form.is_valid():
        values: dict[str, Any] = form.cleaned_data
        try:
            item = voice.check_in(
                user=request.user,
                child=child,
                feeling=values["feeling"],
                note=values["note"],
                text_language=values["text_language"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Thank you. Your worker will read this by %(date)s.")
                % {"date": date_format(item.read_by_date, "l j F")},
            )
            # After the check-in, the outcome measures due for them, if any can be offered
            # (imported here so this view's change stays in its "after" part).
            from outcomes.services import self_report_due

            if self_report_due(child, timezone.localdate()):
                return redirect("myspace:measure_offers")
            return redirect("myspace:checkin")
    if from_draft:
        form.errors.clear()  # a draft is shown as it was, not judged until it is sent
    record_page_opened(request, child, page="myspace:checkin")
    context = {"form": form, "from_draft": from_draft, "read_within": voice.read_by_date(timezone.now())}
    return render(request, "myspace/voice/checkin.html", context)


def help_me(request: AuthenticatedHttpRequest) -> HttpResponse:
    """ "I don't feel safe" / "I need to talk to someone": the help-now numbers first, then the
    two buttons, and what will happen when they press one – said before they press it."""
    child = _own(request)
    record_page_opened(request, child, page="myspace:help_me")
    cover = voice.cover_now(child.service, timezone.now())
    return render(request, "myspace/voice/help_me.html", {"cover": cover, "kinds": AlertKind})


@require_POST
def raise_alert(request: AuthenticatedHttpRequest) -> HttpResponse:
    child = _own(request)
    try:
        alert, _cover = voice.raise_alert(user=request.user, child=child, kind=request.POST.get("kind", ""))
    except ValidationError:
        return redirect("myspace:help_me")
    request.session[LAST_ALERT] = alert.pk
    return redirect("myspace:alert_sent")


def alert_sent(request: AuthenticatedHttpRequest) -> HttpResponse:
    """After the button: 999 and the help-now numbers first, then honestly when it will be seen."""
    child = _own(request)
    alert = voice.recent_alert(child, request.session.get(LAST_ALERT))
    if alert is None:
        return redirect("myspace:help_me")
    record_page_opened(request, child, obj=alert, page="myspace:alert_sent")
    return render(
        request,
        "myspace/voice/alert_sent.html",
        {"alert": alert, "edt": voice.cover_now(child.service, alert.created_at).emergency_duty_phone},
    )


def before_review(request: AuthenticatedHttpRequest) -> HttpResponse:
    child = _own(request)
    data, from_draft = _data(request)
    form = ReviewNoteForm(data)
    if request.method == "POST" and form.is_valid():
        values: dict[str, Any] = form.cleaned_data
        try:
            voice.say_before_review(
                user=request.user, child=child, text=values["text"], text_language=values["text_language"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Thank you. Your worker will see this when they get ready for your review."))
            return redirect("myspace:before_review")
    if from_draft:
        form.errors.clear()
    record_page_opened(request, child, page="myspace:before_review")
    context = {"form": form, "from_draft": from_draft, "notes": voice.review_notes(child)}
    return render(request, "myspace/voice/before_review.html", context)
