"""The carer's space: what the young person agreed to share with them. Thin: the record is
reached through the one scope (the "carer" route); what is shown is ``myspace.carers``'s, and
what is written goes through the outcomes services (``rate_goal``, ``record_named_feedback``),
which ask the carer's route again."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from core.forms import add_service_errors
from core.http import AuthenticatedHttpRequest
from core.text_language import interface_language
from myspace import carers
from myspace.forms_yppages import GoalRatingForm
from myspace.models import SpaceAccount
from outcomes import feedback as outcome_feedback
from outcomes import services as outcome_services
from outcomes.forms import FeedbackForm
from outcomes.models import RatedBy, Respondent
from people.access import record_page_opened


def _nothing_shared(request: AuthenticatedHttpRequest, status: int = 200) -> HttpResponse:
    # The placement ended or the consent was withdrawn: nothing is shared now. The page says so
    # without a word about the young person.
    return render(request, "myspace/carers/nothing_shared.html", status=status)


def _reached(request: AuthenticatedHttpRequest) -> SpaceAccount | None:
    """The carer's account reaching the record now, or None; anyone but a carer gets 404 (a
    young person's space has pages of its own)."""
    if request.user.role != Role.CARER:
        raise Http404
    account = carers.carer_account(request.user)
    return account if account is not None and account.related_person is not None else None


def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    account = _reached(request)
    if account is None or account.related_person is None:
        return _nothing_shared(request)
    child, person = account.child, account.related_person
    record_page_opened(request, child, page="myspace:home")
    context = {
        "person": person,
        "child": child,
        "actions": carers.carer_actions(child, person),
        "sessions": carers.carer_sessions(child, person),
        "help_now_url": carers.help_now_url(),
        "rates_goals": carers.may_rate_goals(request.user, child),
        "anonymous_feedback_url": _anonymous_feedback_url(account),
    }
    return render(request, "myspace/carers/home.html", context)


def goals(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Their goals, each rated 0–10 by the carer (Goal Based Outcomes, rated by a carer): only
    while the consent shares the plan. The rule is ``rate_goal``'s (one copy)."""
    account = _reached(request)
    if account is None:
        return _nothing_shared(request, status=404)  # nothing saved: the access has ended
    user, child = request.user, account.child
    if not carers.may_rate_goals(user, child):
        raise Http404  # the consent does not share the plan: the home does not offer this page
    forms = {}
    if request.method == "POST":
        goal = carers.carer_goal_of(user, child, request.POST.get("goal", ""))
        if goal is None:
            raise Http404
        form = GoalRatingForm(request.POST, prefix=str(goal.uuid))
        if form.is_valid():
            try:
                outcome_services.rate_goal(
                    by=user,
                    goal=goal,
                    value=form.cleaned_data["value"],
                    rated_by=RatedBy.CARER,
                    on=timezone.localdate(),
                    key=form.cleaned_data["key"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Thank you. Your score is saved."))
                return HttpResponseRedirect(reverse("myspace:carer_goals"))
        forms[goal.pk] = form
    record_page_opened(request, child, page="myspace:carer_goals")
    rows = [
        (
            item,
            forms.get(item.goal.pk)
            or GoalRatingForm(prefix=str(item.goal.uuid), initial={"key": secrets.token_urlsafe(24)}),
        )
        for item in carers.goals_for_carer(user, child)
    ]
    # ``form``: the one sent with errors, so the page title starts "Error:" (base.html).
    context = {"child": child, "rows": rows, "form": next(iter(forms.values()), None)}
    return render(request, "myspace/carers/goals.html", context, status=400 if forms else 200)


def feedback(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The feedback questionnaire, as a named carer's answer (``record_named_feedback``): their
    name goes with it to the care team. Without their name it is the public anonymous page,
    linked from here and from their home, which stores nothing about them (ADR 018)."""
    account = _reached(request)
    if account is None:
        return _nothing_shared(request, status=404)
    child = account.child
    post = request.POST if request.method == "POST" else None
    # The anonymous form's one-time key (a fresh uuid4) is this form's key too.
    form = FeedbackForm(post, respondent=Respondent.CARER, named=False)
    if post is not None and form.is_valid():
        try:
            outcome_feedback.record_named_feedback(
                by=request.user,
                child=child,
                respondent=Respondent.CARER,
                given_on=timezone.localdate(),
                answers=form.answers(),
                text_language=interface_language(),
                key=form.cleaned_data["key"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Thank you. The people who work with them will read what you said."))
            return HttpResponseRedirect(reverse("myspace:home"))
    record_page_opened(request, child, page="myspace:carer_feedback")
    context = {"child": child, "form": form, "anonymous_feedback_url": _anonymous_feedback_url(account)}
    return render(request, "myspace/carers/feedback.html", context, status=400 if form.is_bound else 200)


def _anonymous_feedback_url(account: SpaceAccount) -> str:
    """The service's public anonymous page, in the carer's wording: the same page anyone with
    the leaflet opens, so an anonymous answer from the space is stored as every other is."""
    return reverse("public_feedback_form", kwargs={"code": account.child.service.code, "who": "carer"})
