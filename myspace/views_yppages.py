"""The young person's own pages: my plan, my goals, my nest, my sessions, help now. Thin: the
record comes through the one scope (``space.own_child``), what is shown and written is decided in
``myspace.yppages`` and ``outcomes.services``; every page opened and every write is audited with
the route self."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.forms import add_service_errors
from core.http import AuthenticatedHttpRequest
from myspace import carers, drafts, helpnow, inbox, space, yppages
from myspace.forms_yppages import GoalRatingForm, RequestForm
from myspace.models import RequestKind
from outcomes import services as outcome_services
from outcomes.models import RatedBy
from people.access import record_page_opened
from people.models import Child


def _own(request: AuthenticatedHttpRequest, page: str) -> Child:
    child = space.own_child(request.user)
    if child is None:
        raise Http404  # a carer's pages come with their consent-based route
    record_page_opened(request, child, page=page)
    return child


def plan(request: AuthenticatedHttpRequest) -> HttpResponse:
    child = _own(request, "myspace:plan")
    return render(
        request, "myspace/yppages/plan.html", {"view": yppages.plan_for(child), "today": timezone.localdate()}
    )


def goals(request: AuthenticatedHttpRequest) -> HttpResponse:
    child = _own(request, "myspace:goals")
    forms = {}
    if request.method == "POST":
        goal = yppages.goal_of(child, request.POST.get("goal", ""))
        if goal is None:
            raise Http404
        form = GoalRatingForm(request.POST, prefix=str(goal.uuid))
        if form.is_valid():
            try:
                outcome_services.rate_goal(
                    by=request.user,
                    goal=goal,
                    value=form.cleaned_data["value"],
                    rated_by=RatedBy.YOUNG_PERSON,
                    on=timezone.localdate(),
                    key=form.cleaned_data["key"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Thank you. Your score is saved."))
                return HttpResponseRedirect(reverse("myspace:goals"))
        forms[goal.pk] = form
    items = yppages.goals_for(child)
    rows = [
        (
            item,
            forms.get(item.goal.pk)
            or GoalRatingForm(prefix=str(item.goal.uuid), initial={"key": secrets.token_urlsafe(24)}),
        )
        for item in items
    ]
    # ``form``: the one sent with errors, so the page title starts "Error:" (base.html).
    context = {"rows": rows, "form": next(iter(forms.values()), None)}
    return render(request, "myspace/yppages/goals.html", context, status=400 if forms else 200)


def _request_form(request: AuthenticatedHttpRequest, child: Child, kind: str, contact_pk: int | None) -> RequestForm:
    """Bind and, if valid, send a request; the caller redirects when the form comes back unbound."""
    form = RequestForm(request.POST)
    if form.is_valid():
        contact = yppages.session_of(child, contact_pk) if contact_pk is not None else None
        try:
            yppages.make_request(
                by=request.user,
                child=child,
                kind=kind,
                text=form.cleaned_data["text"],
                key=form.cleaned_data["key"],
                contact=contact,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return RequestForm()  # unbound: sent
    return form


def _unsent_form(request: AuthenticatedHttpRequest) -> tuple[RequestForm, bool]:
    """A new request form (with its one-time key), or the one the idle sign-out caught, as it
    was typed (its key too: sent now, it still makes one request)."""
    data, from_draft = drafts.posted_or_draft(request)
    if not from_draft:
        return RequestForm(initial={"key": secrets.token_urlsafe(24)}), False
    form = RequestForm(data)
    form.errors.clear()  # a draft is shown as it was, not judged until it is sent
    return form, True


def nest(request: AuthenticatedHttpRequest) -> HttpResponse:
    child = _own(request, "myspace:nest")
    form, from_draft = _unsent_form(request)
    if request.method == "POST":
        form = _request_form(request, child, RequestKind.ADD_PERSON, None)
        if not form.is_bound:
            messages.success(request, _("Thank you. We have sent your request to the people who work with you."))
            return HttpResponseRedirect(reverse("myspace:nest"))
    context = {
        "people": yppages.nest_for(child),
        "form": form,
        "from_draft": from_draft,
        "sent": inbox.requests_sent(child, RequestKind.ADD_PERSON),
    }
    return render(request, "myspace/yppages/nest.html", context, status=400 if request.method == "POST" else 200)


def sessions(request: AuthenticatedHttpRequest) -> HttpResponse:
    child = _own(request, "myspace:sessions")
    context = {
        "sessions": yppages.sessions_for(child),
        "sent": inbox.requests_sent(child, RequestKind.SESSION_CHANGE),
    }
    return render(request, "myspace/yppages/sessions.html", context)


def session_change(request: AuthenticatedHttpRequest, contact_pk: int) -> HttpResponse:
    child = _own(request, "myspace:session_change")
    session = yppages.session_of(child, contact_pk)
    if session is None:
        raise Http404  # not theirs, or not booked any more
    form, from_draft = _unsent_form(request)
    if request.method == "POST":
        form = _request_form(request, child, RequestKind.SESSION_CHANGE, contact_pk)
        if not form.is_bound:
            messages.success(request, _("Thank you. We have sent your request to the people who work with you."))
            return HttpResponseRedirect(reverse("myspace:sessions"))
    context = {"session": session, "form": form, "from_draft": from_draft}
    status = 400 if request.method == "POST" else 200
    return render(request, "myspace/yppages/session_change.html", context, status=status)


@login_not_required
def help_now(request: HttpRequest) -> HttpResponse:
    """Help now: no record is read (the lines are not personal data), so it opens for anyone –
    a carer, or a young person just signed out by the idle timeout. Opened by a young person
    it is still audited as a page of their space."""
    child = None
    if request.user.is_authenticated:
        child = space.own_child(request.user)
        if child is None and (account := carers.carer_account(request.user)) is not None:
            child = account.child  # the young person they care for, reached by the carer's route
    if child is not None:
        record_page_opened(request, child, page="myspace:help")
    # The national lines come from the page's one inclusion tag; beside them, the service
    # directory's out-of-hours entries for this young person (none when signed out).
    out_of_hours = helpnow.out_of_hours_entries(child) if child is not None else []
    return render(request, "myspace/yppages/help.html", {"out_of_hours": out_of_hours})
