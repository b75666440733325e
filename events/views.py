"""Significant events on a young person's record: the list, recording and correcting one,
removing one entered in error, and the periods recording was complete for. Thin: the rules are
``events.services``; everything is reached through ``visible_to`` and audited."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.errors import StaleEditError
from core.forms import add_service_errors, rebind_after_stale_save, service_values
from core.http import AuthenticatedHttpRequest
from events import services
from events.forms import EventForm, PeriodForm, RemoveForm
from events.models import RecordingPeriod, SignificantEvent
from people.access import can_change, get_visible_or_404, record_page_opened, require_change
from people.models import Child


def _child(request: AuthenticatedHttpRequest, child_pk: int) -> Child:
    return get_visible_or_404(request, Child.objects.visible_to(request.user), pk=child_pk)


def child_events(request: AuthenticatedHttpRequest, child_pk: int) -> HttpResponse:
    child = _child(request, child_pk)
    events = (
        SignificantEvent.objects.visible_to(request.user)
        .filter(child=child)
        .filter(services.counted())
        .select_related("recorded_by", "placement")
        .order_by("-occurred_on", "-pk")
    )
    periods = RecordingPeriod.objects.visible_to(request.user).filter(child=child).order_by("-starts_on", "-pk")
    record_page_opened(request, child, page="events:child")
    context = {"child": child, "events": events, "periods": periods, "can_edit": can_change(request.user, child)}
    return render(request, "events/child_events.html", context)


def event_form(request: AuthenticatedHttpRequest, child_pk: int, event_pk: int | None = None) -> HttpResponse:
    child = _child(request, child_pk)
    require_change(request, child)
    event = None
    if event_pk is not None:
        event = get_visible_or_404(
            request,
            SignificantEvent.objects.visible_to(request.user).filter(child=child).filter(services.counted()),
            pk=event_pk,
        )
    stale: SignificantEvent | None = None
    if request.method == "POST":
        form = EventForm(request.POST, instance=event, child=child)
        if form.is_valid():
            values: dict[str, Any] = form.cleaned_data
            fields = service_values(form, services.EventValues)
            try:
                if event is None:
                    services.record_event(by=request.user, child=child, values=fields, key=values["key"] or "")
                else:
                    services.change_event(
                        by=request.user, event=event, expected_version=values.get("version") or 0, values=fields
                    )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except StaleEditError as exc:
                stale = exc.current
                form = rebind_after_stale_save(
                    EventForm,
                    request.POST,
                    stale,
                    _(
                        "Someone else changed this event while you were editing. Nothing has been "
                        "overwritten: your changes are below and have not been saved. Compare them, then save again."
                    ),
                    child=child,
                )
            else:
                messages.success(request, _("The event was saved."))
                return redirect("events:child", child_pk=child.pk)
    else:
        form = EventForm(instance=event, child=child, initial={"version": event.version} if event else {})
    record_page_opened(request, child, event, "events:edit" if event else "events:create")
    return render(request, "events/event_form.html", {"child": child, "event": event, "form": form, "stale": stale})


def remove(request: AuthenticatedHttpRequest, child_pk: int, event_pk: int) -> HttpResponse:
    child = _child(request, child_pk)
    require_change(request, child)
    event = get_visible_or_404(
        request,
        SignificantEvent.objects.visible_to(request.user).filter(child=child).filter(services.counted()),
        pk=event_pk,
    )
    form = RemoveForm(request.POST if request.method == "POST" else None, initial={"version": event.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.remove_event(
                by=request.user,
                event=event,
                expected_version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except StaleEditError:
            form.add_error(None, _("Someone else changed this event meanwhile. Look at it again before removing it."))
        else:
            messages.success(request, _("The event was removed. It is kept in the audit trail."))
            return redirect("events:child", child_pk=child.pk)
    record_page_opened(request, child, event, "events:remove")
    return render(request, "events/remove.html", {"child": child, "event": event, "form": form})


def period_form(request: AuthenticatedHttpRequest, child_pk: int) -> HttpResponse:
    child = _child(request, child_pk)
    require_change(request, child)
    form = PeriodForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        values: dict[str, Any] = form.cleaned_data
        try:
            services.record_period(
                by=request.user,
                child=child,
                starts_on=values["starts_on"],
                ends_on=values.get("ends_on"),
                source=values["source"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The recording period was saved."))
            return redirect("events:child", child_pk=child.pk)
    record_page_opened(request, child, page="events:period_create")
    return render(request, "events/period_form.html", {"child": child, "form": form})
