"""Writing the crisis and safety plan. Permission, stale-edit refusal and the audit live here;
views only parse and render."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from accounts.models import SERVICE_ROLES
from audit.models import Action
from audit.services import record
from core.errors import StaleEditError
from people.access import access_routes
from people.models import BreakGlassAccess, Child
from safety.models import PLAN_FIELDS, SafetyPlan, SafetyPlanValues

if TYPE_CHECKING:
    from accounts.models import User

_WRITE_ROUTES = frozenset({"care_team", "service_manager"})


def can_edit(user: User, child: Child) -> bool:
    """The care team and the service's managers write the plan; emergency access only reads it."""
    return user.role in SERVICE_ROLES and bool(_WRITE_ROUTES & set(access_routes(user, child)))


def break_glass_access(user: User, child: Child) -> BreakGlassAccess | None:
    """The active emergency access through which ``user`` reads ``child``'s record, if that is
    their only route (to say so on the page, with when it ends)."""
    if access_routes(user, child) != ["break_glass"]:
        return None
    return (
        BreakGlassAccess.objects.visible_to(user).active().filter(user=user, child=child).order_by("-expires_at").first()
    )


@transaction.atomic
def save_plan(*, by: User, child: Child, expected_version: int, values: SafetyPlanValues) -> SafetyPlan:
    """Create the plan (``expected_version`` 0) or save changes made from ``expected_version``.
    If someone saved meanwhile – including creating the plan while this person wrote theirs –
    raise ``StaleEditError`` with what is stored now, and change nothing."""
    if not can_edit(by, child):
        raise PermissionDenied
    # Lock the child so two first saves cannot both create a plan.
    Child.objects.select_for_update().filter(pk=child.pk).first()
    plan = SafetyPlan.objects.select_for_update().filter(child=child).first()
    current_version = plan.version if plan is not None else 0
    if current_version != expected_version:
        raise StaleEditError(plan)
    cleaned = {field: value for field, value in values.items() if field in PLAN_FIELDS}
    if plan is None:
        plan = SafetyPlan(child=child, updated_by=by, **cleaned)
        plan.full_clean()
        plan.save()
        record(actor=by, action=Action.CREATE, obj=plan, child_id=child.pk)
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
    record(actor=by, action=Action.UPDATE, obj=plan, child_id=child.pk, detail={"fields": changed})
    return plan
