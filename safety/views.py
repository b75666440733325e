"""The crisis and safety plan pages. Anyone who may see the record reads the plan – including a
duty or on-call worker through emergency access, audited as such; the care team and managers
write it (``people.access.can_change`` decides)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from audit.models import Action, Route
from audit.services import record
from contacts.models import Contact, Kind
from contacts.services import can_record
from core.errors import StaleEditError
from core.forms import rebind_after_stale_save, service_values
from core.http import AuthenticatedHttpRequest
from people.access import can_change, emergency_access, get_visible_or_404, record_page_opened, require_change
from people.models import Child
from safety import services
from safety.forms import SafetyPlanForm
from safety.models import SafetyPlan, SafetyPlanValues

#: Out-of-hours contacts shown on the plan (newest first); the full list is on the contacts page.
OUT_OF_HOURS_SHOWN = 20


def safety_plan(request: AuthenticatedHttpRequest, child_pk: int) -> HttpResponse:
    # The first tier of emergency access reaches this page (ADR 014): its scope says so.
    child = get_visible_or_404(request, Child.objects.visible_to(request.user, include_emergency=True), pk=child_pk)
    plan = (
        SafetyPlan.objects.visible_to(request.user, include_emergency=True)
        .filter(child=child)
        .select_related("updated_by")
        .first()
    )
    access = emergency_access(request.user, child)
    out_of_hours = list(
        Contact.objects.visible_to(request.user, include_emergency=True)
        .filter(child=child, kind=Kind.OUT_OF_HOURS)
        .select_related("practitioner")
        .order_by("-starts_at", "-pk")[:OUT_OF_HOURS_SHOWN]
    )
    record(
        actor=request.user,
        action=Action.VIEW,
        obj=plan or child,
        child_id=child.pk,
        route=Route.BREAK_GLASS if access is not None else Route.UI,
        detail={"page": "safety_plan"},
    )
    return render(
        request,
        "safety/plan.html",
        {
            "child": child,
            "plan": plan,
            "break_glass": access,
            "can_edit": can_change(request.user, child),
            "out_of_hours": out_of_hours,
            "can_record_out_of_hours": can_record(request.user, child, Kind.OUT_OF_HOURS),
            "out_of_hours_kind": Kind.OUT_OF_HOURS.value,
            "versions": list(plan.history.select_related("history_user")[:10]) if plan else [],
        },
    )


def safety_plan_edit(request: AuthenticatedHttpRequest, child_pk: int) -> HttpResponse:
    child = get_visible_or_404(request, Child.objects.visible_to(request.user), pk=child_pk)
    require_change(request, child)
    plan = SafetyPlan.objects.visible_to(request.user).filter(child=child).first()
    stale: SafetyPlan | None = None
    if request.method == "POST":
        form = SafetyPlanForm(request.POST, instance=plan)
        if form.is_valid():
            try:
                services.save_plan(
                    by=request.user,
                    child=child,
                    expected_version=form.cleaned_data.get("version") or 0,
                    values=service_values(form, SafetyPlanValues),
                )
            except StaleEditError as exc:
                # Someone saved meanwhile: keep everything typed, show what is stored now, and
                # base the next save on it.
                stale = exc.current
                form = rebind_after_stale_save(
                    SafetyPlanForm,
                    request.POST,
                    stale,
                    _(
                        "Someone else saved this safety plan while you were editing. Nothing has been "
                        "overwritten: your changes are below and have not been saved. Compare them with "
                        "the saved plan, then save again."
                    ),
                )
            else:
                messages.success(request, _("The safety plan was saved."))
                return redirect("safety:plan", child_pk=child.pk)
    else:
        form = SafetyPlanForm(instance=plan, initial={"version": plan.version if plan else 0})
    record_page_opened(request, child, plan, "safety_plan_edit")
    return render(
        request,
        "safety/plan_form.html",
        {"child": child, "plan": plan, "form": form, "stale": stale},
    )
