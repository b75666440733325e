"""Contacts, caseload, diary and the team view. Thin: rules are in services.py."""

from __future__ import annotations

import copy
import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max, Min, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from audit.models import Action, Route
from audit.services import record, record_list
from contacts import services
from contacts.forms import ContactForm
from contacts.models import Attendance, Contact, Kind
from core.errors import StaleEditError
from core.forms import add_service_errors, rebind_after_stale_save, service_values
from core.http import AuthenticatedHttpRequest
from outcomes.schedule import due_state, with_next_measure
from people.access import audit_route, can_change, get_visible_or_404, record_page_opened
from people.models import Child

_STAFF = (Role.PRACTITIONER, Role.SERVICE_MANAGER, Role.DUTY_WORKER)


def child_contacts(request: AuthenticatedHttpRequest, child_pk: int) -> HttpResponse:
    # The contacts pages are reached by the first tier of emergency access too (ADR 014).
    child = get_visible_or_404(request, Child.objects.visible_to(request.user, include_emergency=True), pk=child_pk)
    contacts = (
        Contact.objects.visible_to(request.user, include_emergency=True)
        .filter(child=child)
        .select_related("practitioner")
        .prefetch_related("people")
    )
    # Opened through emergency access, it is listed on the manager's emergency access review.
    route = audit_route(request.user, child)
    record(actor=request.user, action=Action.LIST, child_id=child.pk, route=route, detail={"page": "contacts"})
    return render(
        request,
        "contacts/child_contacts.html",
        {
            "child": child,
            "contacts": contacts,
            "can_record": services.can_record(request.user, child),
            # Emergency access records and corrects the out-of-hours contact only.
            "can_record_any_kind": can_change(request.user, child),
            "out_of_hours_kind": Kind.OUT_OF_HOURS.value,
        },
    )


def contact_create(request: AuthenticatedHttpRequest, child_pk: int) -> HttpResponse:
    child = get_visible_or_404(request, Child.objects.visible_to(request.user, include_emergency=True), pk=child_pk)
    if not services.can_record(request.user, child):
        raise PermissionDenied
    # A link may preselect the kind (the safety plan's "Record an out-of-hours contact").
    kind = request.GET.get("kind")
    initial = {"kind": kind} if kind in Kind.values else {}
    form = ContactForm(request.POST if request.method == "POST" else None, child=child, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = service_values(form, services.ContactValues)
        people = list(form.cleaned_data.get("people") or [])
        try:
            contact, created = services.record_contact(by=request.user, child=child, values=values, people=people)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied:
            form.add_error("kind", _("Through emergency access you can record only an out-of-hours or crisis contact"))
        else:
            messages.success(
                request, _("The contact was recorded.") if created else _("This contact was already recorded.")
            )
            return redirect("contacts:child", child_pk=child.pk)
    record_page_opened(request, child, None, "contact_create")
    return render(request, "contacts/contact_form.html", {"child": child, "form": form})


def contact_edit(request: AuthenticatedHttpRequest, child_pk: int, contact_pk: int) -> HttpResponse:
    """Change a contact: above all, record what happened at a booked one."""
    child = get_visible_or_404(request, Child.objects.visible_to(request.user, include_emergency=True), pk=child_pk)
    contact = get_visible_or_404(
        request, Contact.objects.visible_to(request.user, include_emergency=True), pk=contact_pk, child=child
    )
    if not services.can_record(request.user, child, contact.kind):
        raise PermissionDenied
    form = ContactForm(request.POST if request.method == "POST" else None, child=child, instance=copy.copy(contact))
    if request.method == "POST" and form.is_valid():
        values = service_values(form, services.ContactValues)
        people = list(form.cleaned_data.get("people") or [])
        expected = form.cleaned_data.get("version") or 0
        try:
            services.update_contact(
                by=request.user, contact=contact, expected_version=expected, values=values, people=people
            )
        except StaleEditError as exc:
            # Keep everything typed; base the next save on what is stored now.
            form = rebind_after_stale_save(
                ContactForm,
                request.POST,
                exc.current,
                child=child,
                message=_(
                    "Someone else changed this contact while you were editing it. Nothing has been "
                    "overwritten: your changes are below, not saved. Check what is recorded now, then save again."
                ),
            )
            return render(
                request,
                "contacts/contact_form.html",
                {"child": child, "form": form, "contact": exc.current, "stale": True},
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied:
            form.add_error("kind", _("Through emergency access you can record only an out-of-hours or crisis contact"))
        else:
            messages.success(request, _("The contact was saved."))
            return redirect("contacts:child", child_pk=child.pk)
    route = audit_route(request.user, child)
    record(
        actor=request.user,
        action=Action.VIEW,
        obj=contact,
        child_id=child.pk,
        route=route,
        detail={"page": "contact_edit"},
    )
    return render(request, "contacts/contact_form.html", {"child": child, "form": form, "contact": contact})


def caseload(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The practitioner's young people with their last and next contacts and their soonest due
    or overdue outcome measure: one query for the list however long it is (annotations, not a
    query per row)."""
    if request.user.role not in _STAFF:
        raise PermissionDenied
    now = timezone.now()
    since = now - datetime.timedelta(days=28)
    children = (
        Child.objects.visible_to(request.user)
        .filter(care_team__user=request.user, care_team__ended_at__isnull=True)
        .annotate(
            last_contact=Max(
                "contacts__starts_at", filter=Q(contacts__starts_at__lte=now, contacts__attendance=Attendance.ATTENDED)
            ),
            next_contact=Min(
                "contacts__starts_at", filter=Q(contacts__starts_at__gt=now, contacts__attendance=Attendance.BOOKED)
            ),
            recent=Count(
                "contacts",
                filter=Q(contacts__starts_at__gte=since, contacts__starts_at__lte=now)
                & ~Q(contacts__attendance=Attendance.BOOKED),
                distinct=True,
            ),
            to_record=Count(
                "contacts",
                filter=Q(contacts__starts_at__lte=now, contacts__attendance=Attendance.BOOKED),
                distinct=True,
            ),
            missed=Count(
                "contacts",
                filter=Q(contacts__starts_at__gte=since, contacts__attendance=Attendance.DID_NOT_ATTEND),
                distinct=True,
            ),
        )
        .order_by("family_name", "given_name", "pk")
        .distinct()
    )
    today = timezone.localdate()
    # The soonest due or overdue outcome measure comes in the same query (outcomes.schedule).
    rows = list(with_next_measure(children, today=today))
    record_list(actor=request.user, page="caseload", children=[kid.pk for kid in rows], route=Route.UI)
    measures = [(kid, due_state(kid.measure_due_on, today=today)) for kid in rows]  # type: ignore[attr-defined]
    return render(request, "contacts/caseload.html", {"children": rows, "rows": measures})


def _week_start(value: str | None) -> datetime.date:
    try:
        day = datetime.date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        day = timezone.localdate()
    return day - datetime.timedelta(days=day.weekday())


def diary(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A week of contacts for the practitioner (a manager may open a colleague's diary)."""
    if request.user.role not in _STAFF:
        raise PermissionDenied
    whose = request.user
    if request.GET.get("user") and request.user.role == Role.SERVICE_MANAGER:
        whose = get_object_or_404(
            User.objects.filter(organisation=request.user.organisation, is_active=True), pk=request.GET["user"]
        )
    start = _week_start(request.GET.get("week"))
    first = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
    contacts = list(
        Contact.objects.visible_to(request.user)
        .filter(practitioner=whose)
        .between(first, first + datetime.timedelta(days=7))
        .select_related("child")
        .order_by("starts_at", "pk")
    )
    days = []
    for offset in range(7):
        day = start + datetime.timedelta(days=offset)
        days.append((day, [c for c in contacts if timezone.localtime(c.starts_at).date() == day]))
    record_list(
        actor=request.user,
        page="diary",
        children=[contact.child_id for contact in contacts],
        route=Route.UI,
        diary=whose.pk,
        week=start.isoformat(),
    )
    return render(
        request,
        "contacts/diary.html",
        {
            "days": days,
            "whose": whose,
            "week": start,
            "previous": (start - datetime.timedelta(days=7)).isoformat(),
            "next": (start + datetime.timedelta(days=7)).isoformat(),
        },
    )


def team(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The manager's view of the team: caseloads and this week's work, in one query (each figure
    a count of its own rows: contacts.services.team_rows)."""
    organisation = request.user.organisation
    if request.user.role != Role.SERVICE_MANAGER or organisation is None:
        raise PermissionDenied
    start = _week_start(None)
    first = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
    rows = list(services.team_rows(organisation, week_start=first, now=timezone.now()))
    # Staff and their counts, no child named: recorded like every list, with no children.
    record_list(actor=request.user, page="team", children=[], route=Route.UI, staff=len(rows))
    return render(request, "contacts/team.html", {"staff": rows, "week": start})
