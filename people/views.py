"""Pages for the child or young person record. Thin: every record comes through
``visible_to`` (a stranger gets 404) and every write through ``people.services``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from audit import queries as audit_queries
from audit.models import Action, Route
from audit.services import record, record_list
from contacts.models import Contact
from core.errors import StaleEditError
from core.forms import add_service_errors, rebind_after_stale_save, service_values
from core.http import AuthenticatedHttpRequest
from core.net import client_address
from outcomes.models import MeasurementPoint
from outcomes.schedule import due_state, waiting_points
from people import services
from people.access import audit_route, can_change, get_visible_or_404, record_access, record_page_opened, require_change
from people.duplicates import duplicates_for
from people.forms import (
    BreakGlassForm,
    CareTeamForm,
    ChildForm,
    MergeForm,
    NestTrainingForm,
    PlacementCarersForm,
    PlacementForm,
    RelatedPersonForm,
    ReviewForm,
    UndoMergeForm,
    WholeRecordForm,
)
from people.identifiers import normalise_nhs_number
from people.models import (
    SUPPORT_CONTACT_KINDS,
    BreakGlassAccess,
    CareTeamMembership,
    Child,
    MergeRecord,
    Placement,
    RelatedPerson,
)

if TYPE_CHECKING:
    from audit.models import AuditEvent

PAGE_SIZE = 25


def get_visible_child(request: AuthenticatedHttpRequest, pk: int) -> Child:
    """The record, if this user may see it; otherwise 404 (never confirm a record exists)."""
    return get_visible_or_404(
        request, Child.objects.visible_to(request.user).select_related("responsible_local_authority", "service"), pk=pk
    )


def _route(request: AuthenticatedHttpRequest, child: Child) -> str:
    return audit_route(request.user, child)


def child_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.user.role in (Role.COMMISSIONER, Role.ADMINISTRATOR) or not request.user.role:
        raise PermissionDenied
    query = request.GET.get("q", "").strip()[:100]
    children = Child.objects.visible_to(request.user).current().select_related("responsible_local_authority")
    if query:
        digits = normalise_nhs_number(query)
        condition = (
            Q(given_name__icontains=query) | Q(family_name__icontains=query) | Q(preferred_name__icontains=query)
        )
        if digits.isdigit():
            condition |= Q(nhs_number=digits)
        children = children.filter(condition | Q(local_authority_reference__iexact=query))
    page = Paginator(children, PAGE_SIZE).get_page(request.GET.get("page"))
    record_list(
        actor=request.user,
        page="children",
        children=[kid.pk for kid in page.object_list],
        route=Route.UI,
        query=bool(query),
        page_number=page.number,
    )
    return render(
        request,
        "people/child_list.html",
        {"page": page, "query": query, "can_create": services.can_create_records(request.user)},
    )


def child_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    child = get_visible_or_404(
        request,
        Child.objects.visible_to(user)
        .select_related("responsible_local_authority", "service")
        .prefetch_related(
            Prefetch(
                "placements",
                queryset=Placement.objects.visible_to(user)
                .select_related("local_authority_area")
                .prefetch_related("carers"),
            ),
            Prefetch("related_people", queryset=RelatedPerson.objects.visible_to(user).with_nest()),
            Prefetch("care_team", queryset=CareTeamMembership.objects.visible_to(user).active().select_related("user")),
        ),
        pk=pk,
    )
    reached = record_access(request.user, child)
    route = reached.audit_route
    record(actor=request.user, action=Action.VIEW, obj=child, child_id=child.pk, route=route)
    can_edit = reached.can_change()
    today = timezone.localdate()
    # The outcome measures due or overdue now, each linked to its entry page (one query).
    due_measures = [
        (point, due_state(point.due_on, today=today))
        for point in waiting_points(MeasurementPoint.objects.visible_to(user).filter(child=child), today=today)
    ]
    return render(
        request,
        "people/child_detail.html",
        {
            "due_measures": due_measures,
            "child": child,
            "placement": child.current_placement,
            "placements": child.placements.all(),
            "related_people": child.related_people.all(),
            "care_team": child.care_team.all(),
            "can_edit": can_edit,
            "can_manage_team": services.can_manage_care_team(request.user, child),
            "via_break_glass": route == Route.BREAK_GLASS,
            "is_manager": request.user.role == Role.SERVICE_MANAGER,
            "can_merge": services.can_merge(request.user, child),
            # One undo form per merge, each with its own field ids.
            "merges": [
                (merge, UndoMergeForm(auto_id=f"id_undo{merge.pk}_%s"))
                for merge in MergeRecord.objects.visible_to(user)
                .filter(keep=child, undone_at__isnull=True)
                .select_related("merged", "by")
            ]
            if services.can_merge(request.user, child)
            else [],
        },
    )


def child_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not services.can_create_records(request.user):
        raise PermissionDenied
    form = ChildForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        values = service_values(form, services.ChildValues)
        child = services.create_child(by=request.user, values=values)
        messages.success(request, _("The record for %(name)s was created.") % {"name": child.display_name})
        return redirect("people:detail", pk=child.pk)
    return render(request, "people/child_form.html", {"form": form, "creating": True})


def child_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    child = get_visible_child(request, pk)
    require_change(request, child)
    stale: Child | None = None
    if request.method == "POST":
        form = ChildForm(request.POST, instance=child)
        if form.is_valid():
            values = service_values(form, services.ChildValues)
            try:
                services.update_child(
                    by=request.user,
                    child=child,
                    expected_version=form.cleaned_data.get("version") or 0,
                    values=values,
                    route=_route(request, child),
                )
            except StaleEditError as exc:
                stale = exc.current
                # The next save is based on what is now stored, which the page shows beside the form.
                form = rebind_after_stale_save(
                    ChildForm,
                    request.POST,
                    stale,
                    _(
                        "Someone else saved changes to this record while you were editing. Nothing has "
                        "been overwritten: your changes are below and have not been saved. Compare them "
                        "with the saved record, then save again."
                    ),
                )
            else:
                messages.success(request, _("Your changes were saved."))
                return redirect("people:detail", pk=child.pk)
    else:
        form = ChildForm(instance=child, initial={"version": child.version})
    record_page_opened(request, child, None, "edit")
    return render(request, "people/child_form.html", {"form": form, "child": child, "stale": stale})


def related_person_edit(request: AuthenticatedHttpRequest, pk: int, person_pk: int | None = None) -> HttpResponse:
    child = get_visible_child(request, pk)
    require_change(request, child)
    person = (
        get_visible_or_404(request, RelatedPerson.objects.visible_to(request.user), pk=person_pk, child=child)
        if person_pk
        else None
    )
    stale = None
    if request.method == "POST":
        form = RelatedPersonForm(request.POST, instance=person, child=child)
        if form.is_valid():
            values = service_values(form, services.RelatedPersonValues)
            try:
                if person is None:
                    services.add_related_person(by=request.user, child=child, values=values)
                else:
                    services.update_related_person(
                        by=request.user,
                        person=person,
                        expected_version=form.cleaned_data.get("version") or 0,
                        values=values,
                    )
            except StaleEditError as exc:
                stale = exc.current
                form = rebind_after_stale_save(
                    RelatedPersonForm,
                    request.POST,
                    stale,
                    child=child,
                    message=_(
                        "Someone else saved changes to this person while you were editing. Your changes "
                        "have not been saved; compare them with the saved details, then save again."
                    ),
                )
            else:
                messages.success(request, _("Your changes were saved."))
                if form.contact_details_cleared:
                    messages.info(
                        request, _("The young person withdrew permission, so the contact details were removed.")
                    )
                return redirect("people:detail", pk=child.pk)
    else:
        form = RelatedPersonForm(instance=person, child=child, initial={"version": person.version if person else 1})
    record_page_opened(request, child, person, "related_person_edit" if person else "related_person_create")
    return render(
        request, "people/related_person_form.html", {"form": form, "child": child, "person": person, "stale": stale}
    )


def related_person_detail(request: AuthenticatedHttpRequest, pk: int, person_pk: int) -> HttpResponse:
    """One person in the nest: the young person's view of them, whether they were told about the
    support and trained, and the consultation and training they received (the contacts naming
    them) – the other side of what the contacts record."""
    child = get_visible_child(request, pk)
    person = get_visible_or_404(
        request,
        RelatedPerson.objects.visible_to(request.user).with_nest(),
        pk=person_pk,
        child=child,
    )
    contacts = list(
        Contact.objects.visible_to(request.user)
        .filter(child=child, people=person)
        .select_related("practitioner")
        .order_by("-starts_at", "-pk")
    )
    record(actor=request.user, action=Action.VIEW, obj=person, child_id=child.pk, route=_route(request, child))
    return render(
        request,
        "people/related_person_detail.html",
        {
            "child": child,
            "person": person,
            "trainings": person.trainings.all(),
            "support": [c for c in contacts if c.kind in SUPPORT_CONTACT_KINDS],
            "sessions": [c for c in contacts if c.kind not in SUPPORT_CONTACT_KINDS],
            "can_edit": can_change(request.user, child),
        },
    )


def nest_training_create(request: AuthenticatedHttpRequest, pk: int, person_pk: int) -> HttpResponse:
    child = get_visible_child(request, pk)
    require_change(request, child)
    person = get_visible_or_404(
        request, RelatedPerson.objects.visible_to(request.user).select_related("child"), pk=person_pk, child=child
    )
    initial = {"trainer": request.user.pk} if request.user.organisation_id == child.service_id else {}
    form = NestTrainingForm(request.POST if request.method == "POST" else None, person=person, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_nest_training(
                by=request.user, person=person, values=service_values(form, services.NestTrainingValues)
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The training was recorded."))
            return redirect("people:related_person_detail", pk=child.pk, person_pk=person.pk)
    record_page_opened(request, child, person, "nest_training_create")
    return render(request, "people/nest_training_form.html", {"form": form, "child": child, "person": person})


def placement_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    child = get_visible_child(request, pk)
    require_change(request, child)
    form = PlacementForm(request.POST or None, child=child)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_placement(
                by=request.user, child=child, values=service_values(form, services.PlacementValues)
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The placement was recorded."))
            return redirect("people:detail", pk=child.pk)
    record_page_opened(request, child, None, "placement_create")
    return render(request, "people/placement_form.html", {"form": form, "child": child})


def placement_carers(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Who the carers are at the current placement."""
    child = get_visible_child(request, pk)
    require_change(request, child)
    placement = child.placements.filter(end_date__isnull=True).order_by("-start_date").first()
    if placement is None:
        raise Http404
    # Taking every carer off posts nothing: the form is bound by the method, not the data.
    data = request.POST if request.method == "POST" else None
    form = PlacementCarersForm(data, child=child, initial={"carers": list(placement.carers.all())})
    if request.method == "POST" and form.is_valid():
        try:
            services.set_placement_carers(
                by=request.user, placement=placement, carers=list(form.cleaned_data["carers"])
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The carers were recorded."))
            return redirect("people:detail", pk=child.pk)
    record_page_opened(request, child, placement, "placement_carers")
    return render(request, "people/placement_carers.html", {"form": form, "child": child, "placement": placement})


def care_team(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    child = get_visible_child(request, pk)
    if not services.can_manage_care_team(request.user, child):
        raise PermissionDenied
    form = CareTeamForm(request.POST or None, child=child)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_care_team_member(
                by=request.user, child=child, member=form.cleaned_data["user"], role=form.cleaned_data["role"]
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else "user", errors)
        else:
            messages.success(request, _("The care team was updated."))
            return redirect("people:care_team", pk=child.pk)
    members = CareTeamMembership.objects.visible_to(request.user).filter(child=child).active().select_related("user")
    record_page_opened(request, child, None, "care_team")
    return render(request, "people/care_team.html", {"form": form, "child": child, "members": members})


@require_POST
def care_team_end(request: AuthenticatedHttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    child = get_visible_child(request, pk)
    membership = get_visible_or_404(
        request, CareTeamMembership.objects.visible_to(request.user), pk=membership_pk, child=child
    )
    services.end_care_team_membership(by=request.user, membership=membership)
    messages.success(request, _("%(name)s was removed from the care team.") % {"name": membership.user})
    return redirect("people:care_team", pk=child.pk)


def child_history(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Field-by-field change history (django-simple-history), for service managers."""
    child = get_visible_child(request, pk)
    if request.user.role != Role.SERVICE_MANAGER:
        raise PermissionDenied
    changes: list[dict[str, Any]] = []
    sources = [
        (_("Record"), child.history.all()),
        (_("Person around the child"), RelatedPerson.history.filter(child_id=child.pk)),
        (_("Placement"), Placement.history.filter(child_id=child.pk)),
        (_("Care team"), CareTeamMembership.history.filter(child_id=child.pk)),
    ]
    for label, history in sources:
        for entry in history.select_related("history_user"):
            previous = entry.prev_record
            diffs = []
            if previous is not None:
                delta = entry.diff_against(previous)
                diffs = [
                    {"field": entry.instance._meta.get_field(c.field).verbose_name, "old": c.old, "new": c.new}
                    for c in delta.changes
                    if c.field not in ("version", "updated_at")
                ]
            changes.append({"label": label, "entry": entry, "diffs": diffs, "created": previous is None})
    changes.sort(key=lambda c: c["entry"].history_date, reverse=True)
    record(
        actor=request.user,
        action=Action.VIEW,
        obj=child,
        child_id=child.pk,
        detail={"page": "history"},
        route=audit_route(request.user, child),
    )
    return render(request, "people/child_history.html", {"child": child, "changes": changes[:200]})


def break_glass(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Emergency access for the duty/on-call worker: identify exactly, give a reason. Failed
    identifications are limited per worker and per client address; a running access to the
    same record is shown again rather than doubled."""
    if not services.can_break_glass(request.user):
        raise PermissionDenied
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        address = client_address(request)
        if not services.identification_allowed(by=request.user, client_address=address):
            services.record_failed_identification(
                by=request.user, reason=data["reason"], client_address=address, limited=True
            )
            return render(
                request,
                "people/break_glass_too_many.html",
                {"minutes": max(1, settings.NYTH_BREAK_GLASS_FAILURE_WINDOW_SECONDS // 60)},
                status=429,
            )
        child = services.find_child_for_break_glass(
            by=request.user,
            nhs_number=data["nhs_number"],
            la_reference=data["la_reference"],
            date_of_birth=data["date_of_birth"],
        )
        if child is None:
            form.add_error(None, _("No single record in your service matches those details. Check them and try again."))
            services.record_failed_identification(by=request.user, reason=data["reason"], client_address=address)
        else:
            existing = services.active_break_glass(user=request.user, child=child)
            access = existing or services.start_break_glass(
                by=request.user,
                child=child,
                reason=data["reason"],
                client_address=address,
                text_language=data["text_language"],
            )
            if existing is not None:
                messages.info(
                    request,
                    _("You already have emergency access to this record until %(time)s. Nothing new was started.")
                    % {"time": timezone.localtime(access.expires_at).strftime("%H:%M")},
                )
            else:
                messages.success(
                    request, _("Emergency access started. It is recorded and your manager will review it.")
                )
            # Its purpose first: the safety plan (the first tier reaches it and the contacts).
            return redirect("safety:plan", child_pk=child.pk)
    return _break_glass_page(request, form)


def _break_glass_page(
    request: AuthenticatedHttpRequest,
    form: BreakGlassForm,
    whole_record_forms: dict[int, WholeRecordForm] | None = None,
) -> HttpResponse:
    mine = list(
        BreakGlassAccess.objects.visible_to(request.user).filter(user=request.user).active().select_related("child")
    )
    forms = whole_record_forms or {}
    for access in mine:
        # One form per access still on the first tier, each with its own field ids.
        access.whole_record_form = forms.get(access.pk) or WholeRecordForm(auto_id=f"id_whole{access.pk}_%s")
    record_list(actor=request.user, page="break_glass", children=[access.child_id for access in mine], route=Route.UI)
    return render(
        request,
        "people/break_glass.html",
        {"form": form, "active": mine, "break_glass_hours": settings.NYTH_BREAK_GLASS_HOURS},
        status=400 if forms else 200,
    )


@require_POST
def break_glass_whole_record(request: AuthenticatedHttpRequest, access_pk: int) -> HttpResponse:
    """The second grant: the rest of the record, asked for with its own reason (ADR 014). Only
    the worker's own running access is found; anything else is a 404, like any object URL."""
    access = get_visible_or_404(
        request,
        BreakGlassAccess.objects.visible_to(request.user).filter(user=request.user).active().select_related("child"),
        pk=access_pk,
    )
    form = WholeRecordForm(request.POST, auto_id=f"id_whole{access.pk}_%s")
    if form.is_valid():
        try:
            services.grant_whole_record(
                by=request.user,
                access=access,
                reason=form.cleaned_data["reason"],
                text_language=form.cleaned_data["text_language"],
            )
        except ValidationError as exc:
            for errors in exc.message_dict.values():
                form.add_error("reason", errors)
        else:
            messages.success(
                request,
                _(
                    "You can now open the whole record until your access ends. This is recorded and your manager will review it."
                ),
            )
            return redirect("people:detail", pk=access.child_id)
    return _break_glass_page(request, BreakGlassForm(), {access.pk: form})


def _what_was_opened(event: AuditEvent) -> str:
    """A reader's name for what an audit event touched (the page, or the kind of record)."""
    pages = {
        "safety_plan": _("Crisis and safety plan"),
        "contacts": _("Contacts"),
        "history": _("Change history"),
        "audit": _("Audit trail"),
    }
    page = (event.detail or {}).get("page") if isinstance(event.detail, dict) else None
    if page in pages:
        return pages[page]
    if event.object_type == "people.child":
        return _("The record")
    if event.object_type:
        try:
            return capfirst(apps.get_model(event.object_type)._meta.verbose_name)
        except (LookupError, ValueError):
            return event.object_type
    return ""


def _attach_pages_opened(accesses: list[BreakGlassAccess]) -> None:
    """Give each emergency access the audit events recorded through it – what was opened or
    recorded by that worker, for that child, while the access lasted – in one query for the
    whole list (``access.pages_opened``)."""
    for access in accesses:
        access.pages_opened = []
    events = audit_queries.emergency_access_events(accesses)
    by_pair: dict[tuple[int | None, int | None], list[BreakGlassAccess]] = {}
    for access in accesses:
        by_pair.setdefault((access.user_id, access.child_id), []).append(access)
    for event in events:
        for access in by_pair.get((event.actor_id, event.child_id), []):
            if access.started_at <= event.occurred_at <= (access.ended_at or access.expires_at):
                access.pages_opened.append(
                    {"at": event.occurred_at, "action": event.get_action_display(), "what": _what_was_opened(event)}
                )
                break


def break_glass_review(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.user.role != Role.SERVICE_MANAGER:
        raise PermissionDenied
    pending = list(
        BreakGlassAccess.objects.visible_to(request.user)
        .filter(reviewed_at__isnull=True)
        .select_related("user", "child")
        .order_by("started_at")
    )
    reviewed = list(
        BreakGlassAccess.objects.visible_to(request.user)
        .filter(reviewed_at__isnull=False)
        .select_related("user", "child", "reviewed_by")
        .order_by("-reviewed_at")[:20]
    )
    _attach_pages_opened(pending + reviewed)
    for access in pending:
        # Each card's own form: the language radios need ids of their own on one page.
        access.review_form = ReviewForm(auto_id=f"review-{access.pk}-%s")
    record_list(
        actor=request.user,
        page="break_glass_review",
        children=[access.child_id for access in pending + reviewed],
        route=Route.UI,
    )
    return render(
        request,
        "people/break_glass_review.html",
        {"pending": pending, "reviewed": reviewed, "form": ReviewForm(), "refused": _refused_attempts(request)},
    )


#: How many of the latest refused attempts the review page lists.
REFUSED_SHOWN = 50


def _refused_attempts(request: AuthenticatedHttpRequest) -> list[dict[str, Any]]:
    """The latest requests by this manager's own staff that the scope answered 404 (ADR 013):
    who, when, what kind of record and the address they asked for. The record is not named –
    the reader may not be in its scope either."""
    events = audit_queries.refused_attempts(request.user, limit=REFUSED_SHOWN)
    rows = []
    for event in events:
        detail = event.detail if isinstance(event.detail, dict) else {}
        if not detail.get("found"):
            what = _("No such record")
        else:
            try:
                what = capfirst(apps.get_model(detail.get("object_type", ""))._meta.verbose_name)
            except (LookupError, ValueError):
                what = detail.get("object_type", "")
        rows.append({"at": event.occurred_at, "who": event.actor_label, "what": what, "path": detail.get("path", "")})
    return rows


@require_POST
def break_glass_mark_reviewed(request: AuthenticatedHttpRequest, access_pk: int) -> HttpResponse:
    access = get_visible_or_404(request, BreakGlassAccess.objects.visible_to(request.user), pk=access_pk)
    if request.user.role != Role.SERVICE_MANAGER:
        raise PermissionDenied
    form = ReviewForm(request.POST)
    if form.is_valid():
        services.review_break_glass(
            by=request.user,
            access=access,
            note=form.cleaned_data["note"],
            text_language=form.cleaned_data["text_language"],
        )
        messages.success(request, _("The emergency access was marked as reviewed."))
    else:
        messages.error(
            request,
            _("The review note could not be saved: %(error)s")
            % {"error": " ".join(str(e) for e in form.errors.get("note", []))},
        )
    return redirect("people:break_glass_review")


# --- Duplicates and merges (service managers; never automatic) -------------------------------


def child_duplicates(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    child = get_visible_child(request, pk)
    if not services.can_merge(request.user, child):
        raise PermissionDenied
    candidates = duplicates_for(request.user, child)
    record_list(
        actor=request.user,
        page="duplicates",
        children=[child.pk, *(c.child.pk for c in candidates)],
        route=audit_route(request.user, child),
        child_id=child.pk,
    )
    return render(request, "people/duplicates.html", {"child": child, "candidates": candidates})


def child_merge(request: AuthenticatedHttpRequest, pk: int, other_pk: int) -> HttpResponse:
    """Compare two records side by side and, when a manager confirms, merge one into the other."""
    child = get_visible_child(request, pk)
    other = get_visible_child(request, other_pk)
    if child.pk == other.pk or not services.can_merge(request.user, child, other):
        raise PermissionDenied
    form = MergeForm(request.POST or None, child=child, other=other)
    if request.method == "POST" and form.is_valid():
        keep, merge = (child, other) if form.cleaned_data["keep"] == "this" else (other, child)
        try:
            services.merge_children(by=request.user, keep=keep, merge=merge, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The records were merged. Nothing was deleted and the merge can be undone."))
            return redirect("people:detail", pk=keep.pk)
    for kid in (child, other):
        record(
            actor=request.user,
            action=Action.VIEW,
            obj=kid,
            child_id=kid.pk,
            detail={"page": "merge"},
            route=audit_route(request.user, kid),
        )
    reasons = next((c.reasons for c in duplicates_for(request.user, child, limit=50) if c.child.pk == other.pk), [])
    return render(request, "people/merge.html", {"child": child, "other": other, "form": form, "reasons": reasons})


@require_POST
def merge_undo(request: AuthenticatedHttpRequest, merge_pk: int) -> HttpResponse:
    merge_record = get_visible_or_404(
        request, MergeRecord.objects.visible_to(request.user).select_related("keep", "merged"), pk=merge_pk
    )
    form = UndoMergeForm(request.POST)
    if form.is_valid():
        try:
            services.unmerge_children(by=request.user, record=merge_record, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The merge was undone: both records are separate again."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("people:detail", pk=merge_record.keep_id)
