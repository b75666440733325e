"""What the home page shows, as plain functions (the panels only render them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from people.models import CareTeamMembership, Child

if TYPE_CHECKING:
    from accounts.models import User
    from people.models import ChildQuerySet


def own_caseload(user: User) -> ChildQuerySet:
    """The young people whose care team ``user`` is in now, within their scope.

    ``pk IN`` their active memberships rather than a join: a join repeats a child for every
    membership and needs ``DISTINCT`` over every column (a sort of the whole row set); the
    ``IN`` is a semi-join that starts from the person's few memberships (an index) and reaches
    each child by its primary key."""
    mine = CareTeamMembership.objects.filter(user=user, ended_at__isnull=True).values("child_id")
    return Child.objects.visible_to(user).current().filter(pk__in=mine).select_related("responsible_local_authority")
