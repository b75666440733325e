"""The self-assessment's pages. Thin: who may do what is ``access``, the rules are ``services``.
A round outside the reader's services is a 404 (its existence not confirmed); a reader who may
see a round but not change it (a practitioner, a commissioner) gets 403 on the changing pages.
Every page is audited: lists as LIST, a round opened as VIEW, changes in the services."""

from __future__ import annotations

import copy
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organisation
from audit.models import Action as AuditAction
from audit.models import Route
from audit.services import record
from core.errors import StaleEditError
from core.forms import add_service_errors, rebind_after_stale_save, service_values
from core.http import AuthenticatedHttpRequest
from selfassess import services
from selfassess.access import can_manage, rounds_visible_to, services_visible_to
from selfassess.charts import domain_svgs
from selfassess.forms import ActionForm, ProgressForm, RatingsForm, StartRoundForm, VersionForm
from selfassess.maturity import domain_means, maturity_over_time
from selfassess.models import Action, Framework, Level, Rating, Round, RoundStatus

STALE = gettext_lazy(
    "Someone else changed this self-assessment while you were working on it. Nothing has been "
    "overwritten: your answers are below and have not been saved. Check what is saved now, then save again."
)


STALE_PROGRESS = gettext_lazy(
    "Someone else changed this action plan while you were working on it. Nothing has been "
    "overwritten: your progress note is below and has not been saved. Check the action's status now, then save again."
)


def _services(request: AuthenticatedHttpRequest) -> list[Organisation]:
    services_ = list(services_visible_to(request.user).order_by("name_en"))
    if not services_:
        raise PermissionDenied
    return services_


def _round(request: AuthenticatedHttpRequest, round_pk: int) -> Round:
    return get_object_or_404(rounds_visible_to(request.user).select_related("service", "framework"), pk=round_pk)


def _managed_draft(request: AuthenticatedHttpRequest, round_pk: int) -> Round:
    round_ = _round(request, round_pk)
    if not can_manage(request.user, round_.service):
        raise PermissionDenied
    return round_


def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    services_ = _services(request)
    rounds = list(
        Round.objects.filter(service__in=services_)
        .select_related("service", "completed_by")
        .order_by("service__name_en", "-assessed_on", "-pk")
    )
    managed = [service for service in services_ if can_manage(request.user, service)]
    record(
        actor=request.user,
        action=AuditAction.LIST,
        detail={"self_assessments": True, "shown": len(rounds)},
        route=Route.UI,
    )
    return render(
        request,
        "selfassess/index.html",
        {
            "services": services_,
            "rounds": rounds,
            "can_start": bool(managed),
            "framework": Framework.objects.filter(is_current=True).first(),
        },
    )


def start(request: AuthenticatedHttpRequest) -> HttpResponse:
    service = request.user.organisation
    if service is None or not can_manage(request.user, service):
        raise PermissionDenied
    offered = list(services.carry_over_candidates(service))
    form = StartRoundForm(request.POST or None, initial={"assessed_on": timezone.localdate()}, offered=offered)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = services.start_round(
                by=request.user,
                service=service,
                assessed_on=form.cleaned_data["assessed_on"],
                carry_over=form.cleaned_data.get("carry_over") or [],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("selfassess:edit", round_pk=round_.pk)
    draft = Round.objects.filter(service=service, status=RoundStatus.DRAFT).first()
    return render(
        request,
        "selfassess/start.html",
        {"form": form, "draft": draft, "previous": services.latest_completed(service) if offered else None},
    )


def _ratings(round_: Round) -> list[Rating]:
    return list(
        Rating.objects.filter(round=round_)
        .select_related("statement__domain", "level")
        .order_by("statement__domain__order", "statement__order")
    )


def detail(request: AuthenticatedHttpRequest, round_pk: int) -> HttpResponse:
    round_ = _round(request, round_pk)
    ratings = _ratings(round_)
    groups: list[tuple[Any, list[Rating], float | None]] = []
    means = domain_means([round_.pk])
    for rating in ratings:
        domain = rating.statement.domain
        if not groups or groups[-1][0].pk != domain.pk:
            groups.append((domain, [], means.get((round_.pk, domain.code))))
        groups[-1][1].append(rating)
    actions = list(round_.actions.select_related("owner", "domain", "carried_from__round").prefetch_related("progress"))
    record(actor=request.user, action=AuditAction.VIEW, obj=round_, detail={"self_assessment": True}, route=Route.UI)
    return render(
        request,
        "selfassess/detail.html",
        {
            "round": round_,
            "groups": groups,
            "actions": actions,
            "levels": list(Level.objects.filter(framework_id=round_.framework_id)),
            "can_change": can_manage(request.user, round_.service) and not round_.is_completed,
            # Progress on the action plan goes on after completion (the ratings do not change).
            "can_progress": can_manage(request.user, round_.service),
            "unrated": sum(1 for r in ratings if r.level_id is None),
        },
    )


def edit(request: AuthenticatedHttpRequest, round_pk: int) -> HttpResponse:
    round_ = _managed_draft(request, round_pk)
    if round_.is_completed:
        messages.info(request, _("This self-assessment is completed and can no longer be changed."))
        return redirect("selfassess:detail", round_pk=round_.pk)
    ratings = _ratings(round_)
    levels = list(Level.objects.filter(framework_id=round_.framework_id))
    kwargs: dict[str, Any] = {"ratings": ratings, "levels": levels}
    form = RatingsForm(request.POST or None, initial={"version": round_.version}, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_ratings(
                by=request.user, round_=round_, expected_version=form.cleaned_data["version"], values=form.values()
            )
        except StaleEditError as exc:
            round_ = exc.current
            form = rebind_after_stale_save(RatingsForm, request.POST, exc.current, str(STALE), **kwargs)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The self-assessment was saved."))
            return redirect("selfassess:detail", round_pk=round_.pk)
    record(actor=request.user, action=AuditAction.VIEW, obj=round_, detail={"self_assessment": "edit"}, route=Route.UI)
    return render(request, "selfassess/edit.html", {"round": round_, "form": form, "levels": levels})


def action_edit(request: AuthenticatedHttpRequest, round_pk: int, action_pk: int | None = None) -> HttpResponse:
    round_ = _managed_draft(request, round_pk)
    action = get_object_or_404(Action.objects.filter(round=round_), pk=action_pk) if action_pk else None
    if round_.is_completed:
        messages.info(request, _("This self-assessment is completed and can no longer be changed."))
        return redirect("selfassess:detail", round_pk=round_.pk)
    form = ActionForm(
        request.POST or None,
        instance=copy.copy(action) if action else None,
        round_=round_,
        initial={"version": round_.version},
    )
    if request.method == "POST" and form.is_valid():
        values = service_values(form, services.ActionValues)
        try:
            if action is None:
                services.add_action(
                    by=request.user, round_=round_, expected_version=form.cleaned_data["version"], values=values
                )
            else:
                services.update_action(
                    by=request.user, action=action, expected_version=form.cleaned_data["version"], values=values
                )
        except StaleEditError as exc:
            # Not ``rebind_after_stale_save``: the version is the round's, the instance the action.
            data = request.POST.copy()
            data["version"] = str(exc.current.version)
            form = ActionForm(data, instance=copy.copy(action) if action else None, round_=exc.current)
            form.is_valid()
            form.add_error(None, str(STALE))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The action plan was saved."))
            return redirect("selfassess:detail", round_pk=round_.pk)
    return render(request, "selfassess/action_form.html", {"round": round_, "form": form, "action": action})


def action_progress(request: AuthenticatedHttpRequest, round_pk: int, action_pk: int) -> HttpResponse:
    """Progress on one action – status and a dated note –, in a draft or a completed round."""
    round_ = _managed_draft(request, round_pk)
    action = get_object_or_404(Action.objects.filter(round=round_).select_related("owner"), pk=action_pk)
    initial = {"version": round_.version, "status": action.status, "noted_on": timezone.localdate()}
    form = ProgressForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_progress(
                by=request.user,
                action=action,
                expected_version=form.cleaned_data["version"],
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                noted_on=form.cleaned_data["noted_on"],
            )
        except StaleEditError as exc:
            round_ = exc.current
            action.refresh_from_db()
            form = rebind_after_stale_save(ProgressForm, request.POST, exc.current, str(STALE_PROGRESS))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The progress on the action was saved."))
            return redirect("selfassess:detail", round_pk=round_.pk)
    notes = list(action.progress.select_related("recorded_by").order_by("-noted_on", "-pk"))
    return render(
        request, "selfassess/action_progress.html", {"round": round_, "form": form, "action": action, "notes": notes}
    )


def complete(request: AuthenticatedHttpRequest, round_pk: int) -> HttpResponse:
    round_ = _managed_draft(request, round_pk)
    if round_.is_completed:
        return redirect("selfassess:detail", round_pk=round_.pk)
    form = VersionForm(request.POST or None, initial={"version": round_.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.complete_round(by=request.user, round_=round_, expected_version=form.cleaned_data["version"])
        except StaleEditError as exc:
            round_ = exc.current
            form = rebind_after_stale_save(VersionForm, request.POST, exc.current, str(STALE))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The self-assessment was completed."))
            return redirect("selfassess:detail", round_pk=round_.pk)
    unrated = Rating.objects.filter(round=round_, level__isnull=True).count()
    return render(request, "selfassess/complete.html", {"round": round_, "form": form, "unrated": unrated})


def maturity(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Per domain, the mean level over the completed rounds of one service (the reader's own, or
    for a commissioner the one chosen among those they cover)."""
    services_ = _services(request)
    chosen = services_[0]
    wanted = request.GET.get("service", "")
    if wanted:
        chosen = next((s for s in services_ if str(s.pk) == wanted), None)  # type: ignore[assignment]
        if chosen is None:
            raise Http404
    result = maturity_over_time(chosen)
    svgs = domain_svgs(result)
    rows = [(series, svgs.get(series.code)) for series in result.domains]
    record(
        actor=request.user,
        action=AuditAction.VIEW,
        obj=chosen,
        detail={"self_assessment_maturity": True, "rounds": len(result.rounds)},
        route=Route.UI,
    )
    return render(
        request,
        "selfassess/maturity.html",
        {"service": chosen, "services": services_, "maturity": result, "rows": rows},
    )
