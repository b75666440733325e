"""Writing the crisis and safety plan. Permission, stale-edit refusal and the audit live here;
views only parse and render."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from audit.models import Action
from audit.services import record
from core.errors import StaleEditError
from people.access import audit_route, can_change
from people.models import Child
from safety.models import PLAN_FIELDS, SafetyPlan, SafetyPlanValues

if TYPE_CHECKING:
    from accounts.models import User


@transaction.atomic
def save_plan(*, by: User, child: Child, expected_version: int, values: SafetyPlanValues) -> SafetyPlan:
    """Create the plan (``expected_version`` 0) or save changes made from ``expected_version``.
    If someone saved meanwhile – including creating the plan while this person wrote theirs –
    raise ``StaleEditError`` with what is stored now, and change nothing."""
    # The care team and the service's managers write the plan; emergency access reads it.
    if not can_change(by, child):
        raise PermissionDenied
    # Lock the child so two first saves cannot both create a plan.
    Child.objects.select_for_update().filter(pk=child.pk).first()
    plan = SafetyPlan.objects.select_for_update().filter(child=child).first()
    current_version = plan.version if plan is not None else 0
    if current_version != expected_version:
        raise StaleEditError(plan)
    cleaned = {field: value for field, value in values.items() if field in (*PLAN_FIELDS, "text_language")}
    if plan is None:
        plan = SafetyPlan(child=child, updated_by=by, **cleaned)
        plan.full_clean()
        plan.save()
        record(actor=by, action=Action.CREATE, obj=plan, child_id=child.pk, route=audit_route(by, child))
        return plan
    changed = [field for field, value in cleaned.items() if getattr(plan, field) != value]
    if not changed:
        return plan
    for field in changed:
        setattr(plan, field, cleaned[field])
    plan.updated_by = by
    plan.updated_at = timezone.now()
    plan.version += 1
    plan.full_clean()
    plan.save()
    record(
        actor=by,
        action=Action.UPDATE,
        obj=plan,
        child_id=child.pk,
        detail={"fields": changed},
        route=audit_route(by, child),
    )
    return plan
