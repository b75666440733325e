"""Outcome pages. Thin: scoring is in ``outcomes.scoring``, writes in ``outcomes.services``.

The instruments page is reference data (no personal data) for service managers, who decide which
measures their service uses and must see each parameter with its source."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from audit.models import Action, Route
from audit.services import record, record_list
from consent.access import consents_for
from consent.models import Item
from core.forms import add_service_errors
from core.http import AuthenticatedHttpRequest
from episodes.models import Episode, EpisodeStatus
from outcomes import schedule, services
from outcomes.forms import EntryForm, NotDoneForm, SchedulePointForm
from outcomes.models import Instrument, MeasurementPoint, children_sharing_scores
from outcomes.summary import for_child, latest_episode
from people.access import audit_route, can_change, get_visible_or_404, record_page_opened, require_change
from people.models import CareTeamMembership, CareTeamRole, Child
from plans.models import Plan


def _plain(instrument: Instrument) -> dict[str, str]:
    """Parameters as published (3.92, not 3.920): the stored decimals without trailing zeros."""
    values = {"sd": instrument.rc_sd, "r": instrument.rc_reliability, "fixed": instrument.rc_threshold}
    return {k: f"{v.normalize():f}" for k, v in values.items() if v is not None}


def instrument_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.user.role != Role.SERVICE_MANAGER:
        raise PermissionDenied
    instruments = Instrument.objects.filter(active=True).annotate(wording_items=Count("wording"))
    rows = [{"instrument": i, "rule": i.change_rule(), **_plain(i)} for i in instruments]
    return render(request, "outcomes/instrument_list.html", {"rows": rows})


# --- A young person's measurement points (personal data: only through visible_to) -------------


def _child(request: AuthenticatedHttpRequest, child_pk: int) -> Child:
    return get_visible_or_404(request, Child.objects.visible_to(request.user), pk=child_pk)


def _point(request: AuthenticatedHttpRequest, point_pk: int) -> MeasurementPoint:
    points = MeasurementPoint.objects.visible_to(request.user).select_related("child", "episode")
    return get_visible_or_404(request, points, pk=point_pk)


def child_points(request: AuthenticatedHttpRequest, child_pk: int) -> HttpResponse:
    child = _child(request, child_pk)
    episode = Episode.objects.visible_to(request.user).filter(child=child).exclude(status=EpisodeStatus.CLOSED).first()
    points = list(
        MeasurementPoint.objects.visible_to(request.user)
        .filter(child=child)
        .select_related("episode")
        .order_by("-due_on", "-pk")
    )
    writer = can_change(request.user, child)
    form = SchedulePointForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not writer or episode is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.schedule_point(
                    by=request.user, episode=episode, kind=form.cleaned_data["kind"], due_on=form.cleaned_data["due_on"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The measurement point was added."))
                return redirect("outcomes:child_points", child_pk=child.pk)
    record_page_opened(request, child, None, "outcome_points")
    return render(
        request, "outcomes/child_points.html",
        {"child": child, "episode": episode, "points": points, "form": form, "writer": writer, "today": timezone.localdate(),
         "recordable": {p.pk for p in points if schedule.is_recordable(p)}},
    )  # fmt: skip


def point_record(request: AuthenticatedHttpRequest, point_pk: int) -> HttpResponse:
    point = _point(request, point_pk)
    child = point.child
    require_change(request, child)
    if not schedule.is_recordable(point):  # recorded already, or support ended (not an end point)
        return redirect("outcomes:child_points", child_pk=child.pk)
    instruments = services.instruments_due(child, timezone.localdate(), point.kind)
    goals = services.goals_to_rate(child)
    form = EntryForm(request.POST if request.method == "POST" else None, instruments=instruments, goals=goals)
    if request.method == "POST":
        # Every field is kept as typed; the service validates all of it before writing anything.
        form.is_valid()
        try:
            services.record_point(
                by=request.user, point=point, key=form.data.get("key", ""), taken_on=form.cleaned_data.get("taken_on"),
                source=form.data.get("source", ""), answers=form.answers(), goal_ratings=form.goal_ratings(),
                rated_by=form.data.get("rated_by", ""),
            )  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The measures were recorded."))
            return redirect("outcomes:child_points", child_pk=child.pk)
    record_page_opened(request, child, point, "outcome_entry")
    return render(
        request,
        "outcomes/point_record.html",
        {"child": child, "point": point, "form": form, "groups": form.bound_groups()},
    )


def point_not_done(request: AuthenticatedHttpRequest, point_pk: int) -> HttpResponse:
    point = _point(request, point_pk)
    child = point.child
    require_change(request, child)
    if not schedule.is_recordable(point):  # recorded already, or support ended (not an end point)
        return redirect("outcomes:child_points", child_pk=child.pk)
    form = NotDoneForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.mark_not_done(
                by=request.user, point=point, reason=form.cleaned_data["reason"], on=form.cleaned_data["on"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The measures were recorded as not done."))
            return redirect("outcomes:child_points", child_pk=child.pk)
    record_page_opened(request, child, point, "outcome_not_done")
    return render(request, "outcomes/point_not_done.html", {"child": child, "point": point, "form": form})


def child_outcomes(request: AuthenticatedHttpRequest, child_pk: int) -> HttpResponse:
    """The young person's outcomes in the latest episode: a data table per measure and per goal.
    A partner a consent shares the scores with reads the same tables and nothing else: no link
    to the points or entry pages (those stay with the whole record), no goal wording unless the
    plan is shared with them too."""
    whole = Child.objects.visible_to(request.user).filter(pk=child_pk).exists()
    if whole:
        child = _child(request, child_pk)
    else:
        # Not the whole record: only the scores a consent or safeguarding share covers (else 404).
        child = get_visible_or_404(request, children_sharing_scores(request.user), pk=child_pk)
    if request.method not in ("GET", "HEAD"):
        # A page to read: nothing is written here. Refused after the scope, so a stranger's
        # POST is the same 404 as their GET (ADR 003).
        return HttpResponseNotAllowed(["GET", "HEAD"])
    episode = latest_episode(request.user, child, shared=not whole)
    summary = for_child(request.user, child, episode, shared=not whole)
    if whole:
        record_page_opened(request, child, None, "outcomes")
    else:
        _record_shared_read(request, child)
    goal_words = whole or Plan.objects.visible_to(request.user, include_shared=True).filter(child=child).exists()
    return render(
        request,
        "outcomes/child_outcomes.html",
        {"child": child, "episode": episode, "summary": summary, "shared": not whole, "goal_words": goal_words},
    )


def _record_shared_read(request: AuthenticatedHttpRequest, child: Child) -> None:
    """A partner's read of shared scores, filed with the basis it took (as the shared plan's
    read is): "consent" when an in-force consent covers the scores, else "safeguarding"."""
    if request.method != "GET":
        return
    by_consent = any(Item.OUTCOMES in c.items for c in consents_for(request.user, child))
    record(
        actor=request.user,
        action=Action.VIEW,
        obj=child,
        child_id=child.pk,
        route=audit_route(request.user, child),
        detail={"page": "shared_outcomes", "route": "consent" if by_consent else "safeguarding"},
    )


# --- The manager's overdue measures ------------------------------------------------------------

#: Rows per page of the overdue list (a fixed number of queries per page, whatever the total).
OVERDUE_PAGE_SIZE = 100


def overdue_measures(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Overdue outcome measures across the manager's service: young person, practitioner, kind
    of point and due date, each linked to the entry page."""
    user = request.user
    if user.role != Role.SERVICE_MANAGER or not user.organisation_id:
        raise PermissionDenied
    points = (
        schedule.service_overdue(user, today=timezone.localdate())
        .select_related("child")
        .prefetch_related(
            Prefetch(
                "child__care_team",
                queryset=CareTeamMembership.objects.visible_to(user)
                .filter(ended_at__isnull=True, role__in=(CareTeamRole.LEAD, CareTeamRole.PRACTITIONER))
                .select_related("user")
                .order_by("role", "pk"),  # the lead first
                to_attr="practitioners",
            )
        )
    )
    page = Paginator(points, OVERDUE_PAGE_SIZE).get_page(request.GET.get("page"))
    record_list(
        actor=user, page="overdue_outcome_measures", children=[p.child_id for p in page.object_list], route=Route.UI
    )
    return render(request, "outcomes/overdue_measures.html", {"page": page})
