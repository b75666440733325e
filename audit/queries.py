"""Reading the audit trail: the one module pages read ``AuditEvent`` through (issue 12 A3).

The trail names every child anyone has opened, so reading it is itself reading personal data.
Each reader here is scoped: it takes the reader and an object they already reached through
``visible_to`` (a child, their emergency accesses) or their own service, and returns only the
events about that. The review pages, the manager's emergency-access review and "who has seen my
story" call these; the scoping lint (``core/tests/test_scoping_lint.py``) fails if any module
outside ``audit/`` imports ``AuditEvent`` to read it another way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db.models import Q

from accounts.models import Role
from audit.models import Action, AuditEvent, AuditEventQuerySet, Route

if TYPE_CHECKING:
    from accounts.models import User
    from people.models import BreakGlassAccess, Child


def child_trail(user: User, child: Child) -> AuditEventQuerySet:
    """Every event about ``child``, newest first, for their service's manager (the audit page).
    ``child`` comes from ``Child.objects.visible_to(user)``; anyone else gets nothing."""
    if user.role != Role.SERVICE_MANAGER or user.organisation_id != child.service_id:
        return AuditEvent.objects.none()
    return AuditEvent.objects.for_child(child.pk)


def story_events(child: Child, touches_story: Q) -> AuditEventQuerySet:
    """The events about ``child`` matching ``touches_story`` (``assessments.seen`` says which
    touch the assessment), newest first, with their actors. LIST events are never among them:
    a name on a list is not a read of the story. ``child`` comes from ``visible_to``."""
    return (
        AuditEvent.objects.filter(child_id=child.pk)
        .exclude(action=Action.LIST)
        .filter(touches_story)
        .select_related("actor")
        .order_by("-id")
    )


def emergency_access_events(accesses: Sequence[BreakGlassAccess]) -> list[AuditEvent]:
    """What was opened or recorded through emergency access by the workers and children of
    ``accesses`` (from ``BreakGlassAccess.objects.visible_to``) in the span of time they cover,
    oldest first, in one query; the caller matches each event to its access."""
    if not accesses:
        return []
    ends = [access.ended_at or access.expires_at for access in accesses]
    return list(
        AuditEvent.objects.filter(
            route=Route.BREAK_GLASS,
            actor_id__in={access.user_id for access in accesses},
            child_id__in={access.child_id for access in accesses},
            occurred_at__gte=min(access.started_at for access in accesses),
            occurred_at__lte=max(ends),
        )
        .exclude(action=Action.BREAK_GLASS)
        .order_by("id")
    )


def refused_attempts(user: User, *, limit: int) -> list[AuditEvent]:
    """The latest requests by the staff of ``user``'s own service that the scope answered 404
    (ADR 013), for its service manager; nothing for anyone else."""
    if user.role != Role.SERVICE_MANAGER or not user.organisation_id:
        return []
    return list(
        AuditEvent.objects.filter(action=Action.REFUSED, actor__organisation_id=user.organisation_id)
        .exclude(actor__isnull=True)
        .order_by("-id")[:limit]
    )
