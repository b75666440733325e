"""Outcome pages. Thin: scoring is in ``outcomes.scoring``, writes in ``outcomes.services``.

The instruments page is reference data (no personal data) for service managers, who decide which
measures their service uses and must see each parameter with its source."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Organisation, OrganisationType, Role
from audit.models import Action, Route
from audit.services import record, record_list
from consent.access import consents_for
from consent.models import Item
from core import disclosure
from core.forms import add_service_errors
from core.http import AuthenticatedHttpRequest
from core.net import client_address
from core.text_language import interface_language
from episodes.models import Episode, EpisodeEvent, EpisodeStatus, EventKind
from outcomes import charts, feedback, parameters, schedule, services
from outcomes.forms import (
    DecisionForm,
    EntryForm,
    FeedbackForm,
    NamedFeedbackForm,
    NotDoneForm,
    ParameterChangeForm,
    SchedulePointForm,
)
from outcomes.models import (
    ChangeStatus,
    GoalRating,
    Instrument,
    InstrumentChange,
    Measurement,
    MeasurementPoint,
    NamedFeedback,
    PointStatus,
    Respondent,
    children_sharing_scores,
)
from outcomes.pdf import render_outcomes_summary_pdf
from outcomes.summary import Summary, latest_episode, results_for, summarise
from people.access import audit_route, can_change, get_visible_or_404, record_page_opened, require_change
from people.models import CareTeamMembership, CareTeamRole, Child
from plans.models import Plan

if TYPE_CHECKING:
    from accounts.models import User


def _plain(instrument: Instrument) -> dict[str, str]:
    """Parameters as published (3.92, not 3.920): the stored decimals without trailing zeros."""
    values = {"sd": instrument.rc_sd, "r": instrument.rc_reliability, "fixed": instrument.rc_threshold}
    return {k: f"{v.normalize():f}" for k, v in values.items() if v is not None}


def _require_reviewer(request: AuthenticatedHttpRequest) -> None:
    # The instruments' pages are service managers' work: for anyone else they do not exist (404,
    # as the account pages are for non-administrators), so every object URL answers alike to a
    # stranger (core/tests/test_url_walk.py). A manager refused an action on them gets 403.
    if not parameters.can_review_parameters(request.user):
        raise Http404


def _instrument(code: str) -> Instrument:
    """A measure by its code (reference data, not personal: no scope to pass through)."""
    instrument = Instrument.objects.filter(code=code).first()
    if instrument is None:
        raise Http404
    return instrument


def instrument_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_reviewer(request)
    # Measures not in use are listed too (after those in use): they can be brought back into use
    # through a reviewed change like any other parameter.
    instruments = Instrument.objects.order_by("-active", "order", "code").annotate(wording_items=Count("wording"))
    rows = [{"instrument": i, "rule": i.change_rule(), **_plain(i)} for i in instruments]
    pending = list(
        InstrumentChange.objects.filter(status=ChangeStatus.PENDING)
        .select_related("instrument", "proposed_by")
        .order_by("proposed_at", "pk")
    )
    return render(request, "outcomes/instrument_list.html", {"rows": rows, "pending": pending})


def instrument_propose(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Propose a change to one instrument's parameters, for another service manager to review."""
    _require_reviewer(request)
    instrument = _instrument(code)
    form = ParameterChangeForm(request.POST if request.method == "POST" else None, instrument=instrument)
    if request.method == "POST" and form.is_valid():
        try:
            change = parameters.propose_change(
                by=request.user, instrument=instrument, values=form.values(),
                reason=form.cleaned_data["reason"], citation=form.cleaned_data["citation"],
            )  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The change was proposed. Another service manager must approve it."))
            return redirect("outcomes:instrument_change", change_pk=change.pk)
    return render(request, "outcomes/instrument_propose.html", {"instrument": instrument, "form": form})


def instrument_change(request: AuthenticatedHttpRequest, change_pk: int) -> HttpResponse:
    """One proposal: current and proposed values side by side; approve or reject (another
    service manager), or withdraw (its proposer)."""
    _require_reviewer(request)
    change = get_object_or_404(
        InstrumentChange.objects.select_related("instrument", "proposed_by", "decided_by"), pk=change_pk
    )
    instrument = change.instrument
    own = change.proposed_by_id == request.user.pk
    form = DecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        decision = request.POST.get("decision", "")
        note = form.cleaned_data["note"]
        actions: dict[str, Callable[..., InstrumentChange]] = {
            "approve": parameters.approve_change, "reject": parameters.reject_change,
            "withdraw": parameters.withdraw_change,
        }  # fmt: skip
        if decision not in actions:
            form.add_error(None, _("Choose approve, reject or withdraw"))
        else:
            try:
                actions[decision](by=request.user, change=change, note=note)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                done = {
                    "approve": _("The change was approved and applied."),
                    "reject": _("The proposal was rejected."),
                    "withdraw": _("The proposal was withdrawn."),
                }
                messages.success(request, done[decision])
                return redirect("outcomes:instrument_change", change_pk=change.pk)
        change.refresh_from_db()
    pending = change.status == ChangeStatus.PENDING
    stale = pending and parameters.is_stale(change, instrument)
    return render(
        request, "outcomes/instrument_change.html",
        {"change": change, "instrument": instrument, "rows": parameters.side_by_side(change, instrument),
         "own": own, "pending": pending, "stale": stale, "form": form},
    )  # fmt: skip


def instrument_history(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Every earlier state of an instrument: when, who, what changed and why."""
    _require_reviewer(request)
    instrument = _instrument(code)
    return render(
        request, "outcomes/instrument_history.html",
        {"instrument": instrument, "entries": parameters.instrument_history(instrument)},
    )  # fmt: skip


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
    # Less any measure the young person already completed at this point in their own space.
    instruments = services.instruments_to_enter(point, timezone.localdate())
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
        {
            "child": child,
            "point": point,
            "form": form,
            "groups": form.bound_groups(),
            "already": services.recorded_at(point),
        },
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


@dataclass
class _Latest:
    episode: Episode | None = None
    summary: Summary | None = None
    measurements: list[Measurement] = field(default_factory=list)
    ratings: list[GoalRating] = field(default_factory=list)


def _latest_summary(user: User, child: Child, *, shared: bool = False) -> _Latest:
    """The young person's latest episode, its results and summary (the outcomes page, its charts
    and its PDF; ``shared``: as a partner the scores are shared with sees them). Four queries."""
    episode = latest_episode(user, child, shared=shared)
    if episode is None:
        return _Latest()
    measurements, ratings = results_for(user, child, episode, shared=shared)
    summary = summarise(measurements, ratings, Instrument.objects.filter(code="gbo").first())
    return _Latest(episode, summary, measurements, ratings)


def child_outcomes(request: AuthenticatedHttpRequest, child_pk: int) -> HttpResponse:
    """The young person's outcomes in the latest episode: a data table per measure and per goal,
    and a chart per scored measure with the table of its numbers beside it. A partner a consent
    shares the scores with reads the same tables and charts and nothing else: no link to the
    points or entry pages (those stay with the whole record), no goal wording unless the plan is
    shared with them too."""
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
    latest = _latest_summary(request.user, child, shared=not whole)
    episode, summary = latest.episode, latest.summary
    goal_words = whole or Plan.objects.visible_to(request.user, include_shared=True).filter(child=child).exists()
    chart_list = (
        charts.build_charts(latest.measurements, latest.ratings, summary, goal_words=goal_words)
        if summary is not None
        else []
    )
    charts.attach_svgs(chart_list)
    given = list(NamedFeedback.objects.visible_to(request.user).filter(child=child).select_related("recorded_by"))
    if whole:
        record_page_opened(request, child, None, "outcomes")
    else:
        _record_shared_read(request, child)
    return render(
        request,
        "outcomes/child_outcomes.html",
        {
            "child": child,
            "episode": episode,
            "summary": summary,
            "charts": chart_list,
            "shared": not whole,
            "goal_words": goal_words,
            "can_print": whole and can_change(request.user, child),
            # Feedback on the support is not an outcome score: never shared (the whole record's scope).
            "feedback": given,
            "statements": feedback.STATEMENTS,
            "writer": whole and can_change(request.user, child),
        },
    )


def child_outcomes_pdf(request: AuthenticatedHttpRequest, child_pk: int) -> HttpResponse:
    """The one-page summary for a review meeting (PDF), in the reader's language.

    A copy that leaves the screen: like the assessment's PDF copy, only those who may change the
    record make one (the care team, the service's managers – not emergency access: 403), and it
    is audited as an export with its fingerprint, never its content."""
    child = _child(request, child_pk)
    require_change(request, child)
    latest = _latest_summary(request.user, child)
    episode, summary = latest.episode, latest.summary
    not_done: list[MeasurementPoint] = []
    ended_on = None
    if episode is not None:
        not_done = list(
            MeasurementPoint.objects.visible_to(request.user)
            .filter(episode=episode, status=PointStatus.NOT_DONE)
            .order_by("taken_on", "pk")
        )
        if episode.status == EpisodeStatus.CLOSED:
            closed = (
                EpisodeEvent.objects.visible_to(request.user)
                .filter(episode=episode, kind=EventKind.CLOSED)
                .order_by("-on", "-pk")
                .first()
            )
            ended_on = closed.on if closed else None
    language = translation.get_language() or settings.LANGUAGE_CODE
    made_at = timezone.now()
    rendered = render_outcomes_summary_pdf(
        child=child, episode=episode, ended_on=ended_on, summary=summary, not_done=not_done,
        made_by=request.user, made_at=made_at, language=language,
    )  # fmt: skip
    record(
        actor=request.user,
        action=Action.EXPORT,
        obj=child,
        child_id=child.pk,
        route=audit_route(request.user, child),
        detail={
            "export": "outcomes_summary_pdf",
            "episode": episode.pk if episode else None,
            "language": language,
            "pages": rendered.pages,
            "rows_left_off": rendered.left_off,
            "sha256": hashlib.sha256(rendered.content).hexdigest(),
        },
    )
    response = HttpResponse(rendered.content, content_type="application/pdf")
    filename = f"outcomes-summary-{child.pk}-{timezone.localdate(made_at):%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # A young person's scores must not linger in shared caches or the browser's cache.
    response["Cache-Control"] = "no-store, private"
    return response


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
