"""Choice and co-produced plan pages. Thin: every record comes through ``visible_to`` (a
stranger gets 404) and every write through ``plans.services`` (a reader who may not write gets 403)."""

from __future__ import annotations

import copy
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Max, Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from audit.models import Action, Route
from audit.services import record, record_list
from consent.access import consents_for
from consent.models import Item
from core.errors import StaleEditError
from core.forms import add_service_errors, rebind_after_stale_save, service_values
from core.http import AuthenticatedHttpRequest
from myspace.plan_review import for_plan_review as space_review_notes
from outcomes.plan_review import for_plan_review
from people.access import audit_route, can_change, emergency_access, get_visible_or_404, require_change
from people.models import CareTeamMembership, Child
from plans import services
from plans.forms import (
    ActionForm,
    ChoiceForm,
    GoalForm,
    OfferForm,
    PlanForm,
    ReviewForm,
    SupportOptionForm,
    suggest_review_date,
)
from plans.history import plan_changes
from plans.models import Goal, OptionKind, OptionOffer, Plan, PlanAction, SupportOption

#: Rows per page on the manager's overdue list.
OVERDUE_PAGE_SIZE = 100


def _child(request: AuthenticatedHttpRequest, child_pk: int) -> Child:
    """The record, if this user may see it; otherwise 404 (never confirm a record exists)."""
    return get_visible_or_404(request, Child.objects.visible_to(request.user).select_related("service"), pk=child_pk)


def _plan(request: AuthenticatedHttpRequest, child: Child) -> Plan | None:
    return Plan.objects.visible_to(request.user).filter(child=child).select_related("updated_by").first()


def _audit_view(request: AuthenticatedHttpRequest, child: Child, obj: Any, page: str) -> None:
    """Opening a page of the young person's plan is recorded (the form pages too: they show
    what is stored). A shared plan's record says on what basis, for "Who has seen my story"."""
    detail: dict[str, Any] = {"page": page}
    if page == "shared_plan":
        by_consent = any(Item.PLAN in c.items for c in consents_for(request.user, child))
        detail["route"] = "consent" if by_consent else "safeguarding"
    record(
        actor=request.user,
        action=Action.VIEW,
        obj=obj or child,
        child_id=child.pk,
        route=audit_route(request.user, child),
        detail=detail,
    )


def _offerable(child: Child) -> Any:
    return SupportOption.objects.for_service(child.service_id).active().in_catalogue_order()


# --- The plan page ------------------------------------------------------------------------


def plan(request: AuthenticatedHttpRequest, child_pk: int) -> HttpResponse:
    whole = Child.objects.visible_to(request.user).filter(pk=child_pk).exists()
    if whole:
        return _plan_page(request, _child(request, child_pk))
    # A partner the young person's consent shares the plan with reads it (and nothing else).
    shared = Plan.objects.visible_to(request.user, include_shared=True).select_related("child", "updated_by")
    current = get_visible_or_404(request, shared, child_id=child_pk)
    return _plan_page(request, current.child, shared_plan=current)


def _plan_page(request: AuthenticatedHttpRequest, child: Child, shared_plan: Plan | None = None) -> HttpResponse:
    current = shared_plan or _plan(request, child)
    can_write = shared_plan is None and can_change(request.user, child)
    # The options offered belong to the whole record; a shared plan shows the plan itself.
    offers = (
        []
        if shared_plan
        else list(
            OptionOffer.objects.visible_to(request.user).filter(child=child).select_related("option", "offered_by")
        )
    )
    offer_form = None
    if can_write:
        offer_form = OfferForm(options=_offerable(child), prefix="offer")
        for offer in offers:
            offer.choice_form = ChoiceForm(
                instance=offer, prefix=f"choice-{offer.pk}", initial={"version": offer.version}
            )
    goals = list(current.goals.all()) if current else []
    actions = list(current.actions.select_related("goal")) if current else []
    reviews = list(current.reviews.select_related("recorded_by")) if current else []
    _audit_view(request, child, current, "shared_plan" if shared_plan else "plan")
    statutory = None if shared_plan or current is None else _statutory(child, current)
    return render(
        request,
        "plans/plan.html",
        {
            "child": child,
            "plan": current,
            "shared": shared_plan is not None,
            "can_write": can_write,
            "break_glass": emergency_access(request.user, child),
            "offers": offers,
            "offer_form": offer_form,
            "goals": goals,
            "actions": actions,
            "reviews": reviews,
            "statutory": statutory,
            "review_after_statutory": statutory is not None
            and current is not None
            and statutory.plan_review_after(current.next_review_on),
        },
    )


def offer(request: AuthenticatedHttpRequest, child_pk: int) -> HttpResponse:
    """Offer one or several options. The plan page holds the same form; this page shows it
    alone, and again with what went wrong."""
    child = _child(request, child_pk)
    require_change(request, child)
    form = OfferForm(request.POST if request.method == "POST" else None, options=_offerable(child), prefix="offer")
    if request.method != "POST":
        _audit_view(request, child, None, "plan_offer")
    if request.method == "POST" and form.is_valid():
        try:
            created = services.offer_options(
                by=request.user,
                child=child,
                options=form.cleaned_data["options"],
                offered_on=form.cleaned_data["offered_on"],
                how_explained=form.cleaned_data["how_explained"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if created:
                messages.success(
                    request,
                    _("The options offered were recorded. Record the young person's choice when they have made it."),
                )
            else:
                messages.info(request, _("These options were already recorded as offered on that day."))
            return redirect(reverse("plans:plan", kwargs={"child_pk": child.pk}) + "#options")
    return render(request, "plans/offer_form.html", {"child": child, "form": form})


def choice(request: AuthenticatedHttpRequest, child_pk: int, offer_pk: int) -> HttpResponse:
    """Record the young person's response to one offer and why, in their words."""
    child = _child(request, child_pk)
    current = get_visible_or_404(
        request,
        OptionOffer.objects.visible_to(request.user).select_related("option", "offered_by"),
        pk=offer_pk,
        child=child,
    )
    require_change(request, child)
    prefix = f"choice-{current.pk}"
    stale = None
    if request.method == "POST":
        form = ChoiceForm(request.POST, instance=copy.copy(current), prefix=prefix)
        if form.is_valid():
            try:
                services.record_choice(
                    by=request.user,
                    offer=current,
                    expected_version=form.cleaned_data.get("version") or 0,
                    values=service_values(form, services.ChoiceValues),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except StaleEditError as exc:
                stale = exc.current
                form = rebind_after_stale_save(
                    ChoiceForm,
                    request.POST,
                    stale,
                    _(
                        "Someone else recorded a response to this offer while you were writing. Nothing has been "
                        "overwritten: your answer is below and has not been saved. Compare it with the saved "
                        "response, then save again."
                    ),
                    prefix=prefix,
                )
            else:
                messages.success(request, _("The young person's response was recorded."))
                return redirect("plans:plan", child_pk=child.pk)
    else:
        form = ChoiceForm(instance=current, prefix=prefix, initial={"version": current.version})
        _audit_view(request, child, current, "plan_choice")
    return render(request, "plans/choice_form.html", {"child": child, "offer": current, "form": form, "stale": stale})


def plan_edit(request: AuthenticatedHttpRequest, child_pk: int) -> HttpResponse:
    child = _child(request, child_pk)
    require_change(request, child)
    current = _plan(request, child)
    stale: Plan | None = None
    if request.method == "POST":
        form = PlanForm(request.POST, instance=copy.copy(current) if current else None)
        if form.is_valid():
            try:
                services.save_plan(
                    by=request.user,
                    child=child,
                    expected_version=form.cleaned_data.get("version") or 0,
                    values=service_values(form, services.PlanValues),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except StaleEditError as exc:
                # Someone saved meanwhile: keep everything typed, show what is stored now, and
                # base the next save on it.
                stale = exc.current
                form = rebind_after_stale_save(
                    PlanForm,
                    request.POST,
                    stale,
                    _(
                        "Someone else saved this plan while you were editing. Nothing has been overwritten: "
                        "your changes are below and have not been saved. Compare them with the saved plan, "
                        "then save again."
                    ),
                )
            else:
                messages.success(request, _("The plan was saved."))
                return redirect("plans:plan", child_pk=child.pk)
    else:
        initial: dict[str, Any] = {"version": current.version if current else 0}
        if current is None:
            initial["language"] = "cy" if child.preferred_language == "cy" else "en"
        form = PlanForm(instance=current, initial=initial)
        _audit_view(request, child, current, "plan_edit")
    statutory = _statutory(child, current)
    suggest_review_date(form.fields["next_review_on"], statutory)
    return render(
        request,
        "plans/plan_form.html",
        {
            "child": child,
            "plan": current,
            "form": form,
            "stale": stale,
            "statutory": statutory,
            "review_after_statutory": statutory is not None
            and current is not None
            and statutory.plan_review_after(current.next_review_on),
        },
    )


def _statutory(child: Child, plan: Plan | None) -> services.StatutoryReview | None:
    return services.statutory_review(
        child,
        next_lac_review_on=plan.next_lac_review_on if plan else None,
        looked_after_since=plan.looked_after_since if plan else None,
    )


def _plan_or_redirect(request: AuthenticatedHttpRequest, child: Child) -> Plan | HttpResponse:
    current = _plan(request, child)
    if current is None:
        messages.info(request, _("Write the plan first: goals, actions and reviews belong to it."))
        return redirect("plans:plan_edit", child_pk=child.pk)
    return current


def goal_edit(request: AuthenticatedHttpRequest, child_pk: int, goal_pk: int | None = None) -> HttpResponse:
    child = _child(request, child_pk)
    goal = (
        get_visible_or_404(
            request, Goal.objects.visible_to(request.user), pk=goal_pk, plan__child=child, child_path="plan__child"
        )
        if goal_pk
        else None
    )
    require_change(request, child)
    current = _plan_or_redirect(request, child)
    if isinstance(current, HttpResponse):
        return current
    stale = None
    if request.method == "POST":
        form = GoalForm(request.POST, instance=copy.copy(goal) if goal else None)
        if form.is_valid():
            try:
                if goal is None:
                    services.add_goal(by=request.user, plan=current, values=service_values(form, services.GoalValues))
                else:
                    services.update_goal(
                        by=request.user,
                        goal=goal,
                        expected_version=form.cleaned_data.get("version") or 0,
                        values=service_values(form, services.GoalValues),
                    )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except StaleEditError as exc:
                stale = exc.current
                form = rebind_after_stale_save(
                    GoalForm,
                    request.POST,
                    stale,
                    _(
                        "Someone else saved this goal while you were editing. Nothing has been overwritten: "
                        "your changes are below and have not been saved. Compare them with the saved goal, "
                        "then save again."
                    ),
                )
            else:
                messages.success(request, _("The goal was saved."))
                return redirect("plans:plan", child_pk=child.pk)
    else:
        form = GoalForm(instance=goal, initial={"version": goal.version if goal else 1})
        _audit_view(request, child, goal or current, "plan_goal")
    return render(request, "plans/goal_form.html", {"child": child, "goal": goal, "form": form, "stale": stale})


def action_edit(request: AuthenticatedHttpRequest, child_pk: int, action_pk: int | None = None) -> HttpResponse:
    child = _child(request, child_pk)
    action = (
        get_visible_or_404(
            request,
            PlanAction.objects.visible_to(request.user).select_related("goal"),
            pk=action_pk,
            plan__child=child,
            child_path="plan__child",
        )
        if action_pk
        else None
    )
    require_change(request, child)
    current = _plan_or_redirect(request, child)
    if isinstance(current, HttpResponse):
        return current
    stale = None
    if request.method == "POST":
        form = ActionForm(request.POST, instance=copy.copy(action) if action else None, plan=current)
        if form.is_valid():
            try:
                if action is None:
                    services.add_action(
                        by=request.user, plan=current, values=service_values(form, services.ActionValues)
                    )
                else:
                    services.update_action(
                        by=request.user,
                        action=action,
                        expected_version=form.cleaned_data.get("version") or 0,
                        values=service_values(form, services.ActionValues),
                    )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except StaleEditError as exc:
                stale = exc.current
                form = rebind_after_stale_save(
                    ActionForm,
                    request.POST,
                    stale,
                    plan=current,
                    message=_(
                        "Someone else saved this action while you were editing. Nothing has been overwritten: "
                        "your changes are below and have not been saved. Compare them with the saved action, "
                        "then save again."
                    ),
                )
            else:
                messages.success(request, _("The action was saved."))
                return redirect("plans:plan", child_pk=child.pk)
    else:
        form = ActionForm(instance=action, plan=current, initial={"version": action.version if action else 1})
        _audit_view(request, child, action or current, "plan_action")
    return render(request, "plans/action_form.html", {"child": child, "action": action, "form": form, "stale": stale})


def review_add(request: AuthenticatedHttpRequest, child_pk: int) -> HttpResponse:
    child = _child(request, child_pk)
    require_change(request, child)
    current = _plan_or_redirect(request, child)
    if isinstance(current, HttpResponse):
        return current
    form = ReviewForm(request.POST if request.method == "POST" else None)
    if request.method != "POST":
        _audit_view(request, child, current, "plan_review")
    if request.method == "POST" and form.is_valid():
        try:
            services.add_review(by=request.user, plan=current, values=service_values(form, services.ReviewValues))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The review was recorded and the next review date was updated."))
            return redirect("plans:plan", child_pk=child.pk)
    # The next review is suggested before the statutory looked-after child review.
    suggest_review_date(form.fields["next_review_on"], _statutory(child, current))
    # Beside the goals, the change since support started (the outcomes' fragment).
    outcomes = for_plan_review(request.user, child, list(current.goals.all()))
    context = {"child": child, "plan": current, "form": form, "outcomes": outcomes}
    # What the young person wants to say at this review, from their own space (myspace's fragment).
    context["space_review_notes"] = list(space_review_notes(request.user, child))
    return render(request, "plans/review_form.html", context)


def history(request: AuthenticatedHttpRequest, child_pk: int) -> HttpResponse:
    """Every saved state of the plan, its goals, actions and reviews, and the offers and choices:
    who changed what, when, from what to what – for everyone who can read the plan."""
    child = _child(request, child_pk)
    current = _plan(request, child)
    changes = plan_changes(child=child, plan=current)
    _audit_view(request, child, current, "plan_history")
    return render(request, "plans/history.html", {"child": child, "plan": current, "changes": changes})


# --- The catalogue ------------------------------------------------------------------------


def catalogue(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not services.can_see_catalogue(request.user):
        raise PermissionDenied
    options = list(SupportOption.objects.for_service(request.user.organisation_id).in_catalogue_order())
    groups = []
    for kind in OptionKind:
        members = [o for o in options if o.kind == kind and o.is_active]
        if members:
            groups.append((kind.label, members))
    inactive = [o for o in options if not o.is_active]
    can_manage = services.can_manage_catalogue(request.user)
    standard_missing = can_manage and services.standard_options_missing(options)
    return render(
        request,
        "plans/catalogue.html",
        {
            "groups": groups,
            "inactive": inactive,
            "can_manage": can_manage,
            "standard_missing": standard_missing,
            "empty": not options,
        },
    )


def _option(request: AuthenticatedHttpRequest, option_pk: int) -> SupportOption:
    """An option of the user's own service's catalogue, or 404."""
    return get_object_or_404(SupportOption.objects.for_service(request.user.organisation_id), pk=option_pk)


def option_edit(request: AuthenticatedHttpRequest, option_pk: int | None = None) -> HttpResponse:
    option = _option(request, option_pk) if option_pk else None
    if not services.can_manage_catalogue(request.user):
        raise PermissionDenied
    stale = None
    if request.method == "POST":
        form = SupportOptionForm(request.POST, instance=copy.copy(option) if option else None)
        if form.is_valid():
            try:
                services.save_option(
                    by=request.user,
                    option=option,
                    expected_version=form.cleaned_data.get("version") or 0,
                    values=service_values(form, services.OptionValues),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except StaleEditError as exc:
                stale = exc.current
                form = rebind_after_stale_save(
                    SupportOptionForm,
                    request.POST,
                    stale,
                    _(
                        "Someone else saved this option while you were editing. Nothing has been overwritten: "
                        "your changes are below and have not been saved. Compare them with the saved option, "
                        "then save again."
                    ),
                )
            else:
                messages.success(request, _("The catalogue was updated."))
                return redirect("plans:catalogue")
    else:
        form = SupportOptionForm(instance=option, initial={"version": option.version if option else 1})
    return render(request, "plans/option_form.html", {"option": option, "form": form, "stale": stale})


@require_POST
def option_active(request: AuthenticatedHttpRequest, option_pk: int) -> HttpResponse:
    """Stop offering an option, or offer it again (options are never deleted)."""
    option = _option(request, option_pk)
    active = request.POST.get("active") == "1"
    services.set_option_active(by=request.user, option=option, active=active)
    if active:
        messages.success(request, _("%(name)s is offered again.") % {"name": option.name})
    else:
        messages.success(
            request, _("%(name)s is no longer offered. Offers already made keep it.") % {"name": option.name}
        )
    return redirect("plans:catalogue")


@require_POST
def catalogue_standard(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not services.can_manage_catalogue(request.user) or request.user.organisation_id is None:
        raise PermissionDenied
    added = services.install_standard_options(service_id=request.user.organisation_id, by=request.user)
    if added:
        messages.success(
            request, _("The standard options were added. Check them and change anything your service does differently.")
        )
    else:
        messages.info(request, _("The catalogue already has all the standard options."))
    return redirect("plans:catalogue")


# --- The manager's overdue reviews -------------------------------------------------------


def overdue_reviews(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Plans whose review date has passed, oldest first: one page of rows in a fixed number of
    queries however many there are."""
    if request.user.role != Role.SERVICE_MANAGER or not request.user.organisation_id:
        raise PermissionDenied
    plans = (
        Plan.objects.visible_to(request.user)
        .filter(child__service_id=request.user.organisation_id, child__merged_into__isnull=True)
        .review_overdue()
        .select_related("child")
        .annotate(last_review=Max("reviews__held_on"))
        .prefetch_related(
            Prefetch(
                "child__care_team",
                queryset=CareTeamMembership.objects.visible_to(request.user)
                .filter(ended_at__isnull=True)
                .select_related("user")
                .order_by("role", "pk"),
                to_attr="current_team",
            )
        )
        .order_by("next_review_on", "pk")
    )
    page = Paginator(plans, OVERDUE_PAGE_SIZE).get_page(request.GET.get("page"))
    record_list(
        actor=request.user,
        page="overdue_plan_reviews",
        children=[plan.child_id for plan in page.object_list],
        route=Route.UI,
    )
    return render(request, "plans/overdue_reviews.html", {"page": page})
