"""What a young person's space shows of their record. The record is reached through the one
scope (the "self" route); the parts shown are decided here, not by the staff pages' rules."""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.models import Role
from people.models import CareTeamMembership, CareTeamRole, Child

if TYPE_CHECKING:
    from accounts.models import User


def own_child(user: User) -> Child | None:
    """The young person's own record, or None (a carer, a revoked account, a record not reached)."""
    if user.role != Role.YOUNG_PERSON:
        return None
    return Child.objects.visible_to(user, include_shared=True).filter(space_accounts__user=user).first()


def workers(child: Child) -> list[CareTeamMembership]:
    """The practitioners working with ``child`` (a record already reached through the scope),
    lead first: the people a young person knows, not the managers and duty workers behind them."""
    return list(
        CareTeamMembership.objects.filter(
            child=child, ended_at__isnull=True, role__in=[CareTeamRole.LEAD, CareTeamRole.PRACTITIONER]
        )
        .select_related("user")
        .order_by("role", "user__first_name", "pk")
    )
