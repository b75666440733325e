"""The running emergency access, for the banner on every page (ADR 014): when it ends, and the
pages an on-call worker needs – the safety plan, the contacts, recording the out-of-hours
contact. Looked up only for the roles that can start emergency access, and only when a page
renders the banner (error pages render without context processors: they stay off the database)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts.models import Role
from accounts.signed_in import fully_signed_in


def _running(request: HttpRequest) -> list[Any]:
    from people.models import BreakGlassAccess

    if not request.user.is_authenticated:
        return []
    return list(
        BreakGlassAccess.objects.visible_to(request.user)
        .filter(user=request.user)
        .active()
        .select_related("child")
        .order_by("expires_at")
    )


def emergency_access(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.role not in (Role.DUTY_WORKER, Role.SERVICE_MANAGER):
        return {}
    if not fully_signed_in(request):
        return {}
    running = SimpleLazyObject(lambda: _running(request))
    return {
        "emergency_accesses": running,
        # Children whose record this user reaches only on the first tier: their pages link back
        # to the safety plan, not to the whole record (which is a 404 for them).
        "emergency_first_tier_ids": SimpleLazyObject(
            lambda: {a.child_id for a in running if a.whole_record_at is None}
        ),
    }
