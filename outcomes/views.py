"""Outcome pages. Thin: scoring is in ``outcomes.scoring``, writes in ``outcomes.services``.

The instruments page is reference data (no personal data) for service managers, who decide which
measures their service uses and must see each parameter with its source."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, OrganisationType, Role
from audit.models import Action, Route
from audit.services import record, record_list
from core import disclosure
from core.forms import add_service_errors
from core.http import AuthenticatedHttpRequest
from core.net import client_address
from core.text_language import interface_language
from episodes.models import Episode, EpisodeStatus
from outcomes import feedback, schedule, services
from outcomes.forms import EntryForm, FeedbackForm, NamedFeedbackForm, NotDoneForm, SchedulePointForm
from outcomes.models import GoalRating, Instrument, Measurement, MeasurementPoint, NamedFeedback, Respondent
from outcomes.summary import summarise
from people.access import can_change, get_visible_or_404, record_page_opened, require_change
from people.models import CareTeamMembership, CareTeamRole, Child


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
    """The young person's outcomes in the latest episode: a data table per measure and per goal."""
    child = _child(request, child_pk)
    episode = Episode.objects.visible_to(request.user).filter(child=child).order_by("-opened_on", "-pk").first()
    summary = None
    if episode is not None:
        measurements = list(
            Measurement.objects.visible_to(request.user)
            .filter(child=child, point__episode=episode)
            .select_related("instrument")
        )
        ratings = list(
            GoalRating.objects.visible_to(request.user)
            .filter(child=child)
            .filter(Q(point__episode=episode) | Q(point__isnull=True, rated_on__gte=episode.opened_on))
            .select_related("goal")
            .order_by("rated_on", "pk")
        )
        summary = summarise(measurements, ratings, Instrument.objects.filter(code="gbo").first())
    given = list(NamedFeedback.objects.visible_to(request.user).filter(child=child).select_related("recorded_by"))
    record_page_opened(request, child, None, "outcomes")
    return render(
        request, "outcomes/child_outcomes.html",
        {"child": child, "episode": episode, "summary": summary, "feedback": given,
         "statements": feedback.STATEMENTS, "writer": can_change(request.user, child)},
    )  # fmt: skip


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


# --- Feedback on the support (rules in outcomes.feedback; ADR 018) ----------------------------

#: The respondent in a feedback page's address (/young-person/, /carer/, /professional/).
RESPONDENT_SLUGS = {"young-person": Respondent.YOUNG_PERSON, "carer": Respondent.CARER, "professional": Respondent.PROFESSIONAL}  # fmt: skip


def _respondent(slug: str) -> str:
    if slug not in RESPONDENT_SLUGS:
        raise Http404
    return RESPONDENT_SLUGS[slug]


def _public_service(code: str) -> Organisation:
    # Organisations are not personal data: the service the public page names, as the public
    # referral form routes to one (active services only).
    service = Organisation.objects.filter(code=code, type=OrganisationType.SERVICE, is_active=True).first()
    if service is None:
        raise Http404
    return service


def child_feedback(request: AuthenticatedHttpRequest, child_pk: int, who: str = "") -> HttpResponse:
    """Record feedback about the young person's support: first who gave it (the wording follows),
    then the questionnaire."""
    child = _child(request, child_pk)
    require_change(request, child)
    if not who:
        record_page_opened(request, child, None, "feedback_who")
        return render(
            request, "outcomes/feedback_who.html",
            {"child": child, "links": [(slug, Respondent(value).label) for slug, value in RESPONDENT_SLUGS.items()]},
        )  # fmt: skip
    respondent = _respondent(who)
    form = NamedFeedbackForm(request.POST if request.method == "POST" else None, respondent=respondent, named=True)
    if request.method == "POST" and form.is_valid():
        try:
            feedback.record_named_feedback(
                by=request.user, child=child, respondent=respondent, given_on=form.cleaned_data["given_on"],
                answers=form.answers(), text_language=form.cleaned_data["text_language"],
            )  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The feedback was recorded."))
            return redirect("outcomes:child_outcomes", child_pk=child.pk)
    record_page_opened(request, child, None, "feedback_form")
    return render(
        request, "outcomes/feedback_named.html",
        {"child": child, "form": form, "respondent": Respondent(respondent).label},
    )  # fmt: skip


@login_not_required
def public_feedback(request: HttpRequest, code: str, who: str = "") -> HttpResponse:
    """Anonymous feedback, no sign-in. Nothing about the request is stored with the answer
    (outcomes.feedback.submit_anonymous_feedback); limited per address like the public referral."""
    service = _public_service(code)
    if not who:
        return render(
            request, "outcomes/feedback_public_who.html",
            {"service": service, "links": [(slug, Respondent(value).label) for slug, value in RESPONDENT_SLUGS.items()]},
        )  # fmt: skip
    respondent = _respondent(who)
    form = FeedbackForm(request.POST if request.method == "POST" else None, respondent=respondent, named=False)
    if request.method == "POST" and form.is_valid():
        try:
            stored = feedback.submit_anonymous_feedback(
                service=service, respondent=respondent, answers=form.answers(), form_key=form.cleaned_data["key"],
                client_address=client_address(request), text_language=interface_language(),
            )  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if not stored:
                return render(request, "outcomes/feedback_too_many.html", {"service": service}, status=429)
            # Post/redirect/get, with nothing in the session: the thank-you page is the same for everyone.
            return redirect("public_feedback_sent", code=service.code)
    return render(request, "outcomes/feedback_public.html", {"service": service, "form": form})


@login_not_required
def public_feedback_sent(request: HttpRequest, code: str) -> HttpResponse:
    return render(request, "outcomes/feedback_public_sent.html", {"service": _public_service(code)})


def feedback_summary(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The service manager's feedback summary per quarter (counts through core.disclosure)."""
    user = request.user
    if user.role != Role.SERVICE_MANAGER or user.organisation is None:
        raise PermissionDenied
    service = user.organisation
    quarters = feedback.service_summary(user, service)
    # An aggregate page: the event names the page and the service, never an answer.
    record(actor=user, action=Action.VIEW, route=Route.UI, detail={"page": "feedback_summary", "service": service.pk})
    return render(
        request, "outcomes/feedback_summary.html",
        {"service": service, "quarters": quarters, "columns": feedback.COLUMNS, "threshold": disclosure.threshold(),
         "note": disclosure.note()},
    )  # fmt: skip
