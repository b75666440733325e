"""The people app's part of the home page (rendered by the dashboard app, core/panels.py)."""

from __future__ import annotations

from accounts.models import Role
from core.http import AuthenticatedHttpRequest
from core.panels import PanelContext
from people.models import BreakGlassAccess


def emergency_access_to_review(request: AuthenticatedHttpRequest) -> PanelContext | None:
    """A manager reviews every emergency access the day after (ADR 014)."""
    user = request.user
    if user.role != Role.SERVICE_MANAGER:
        return None
    count = BreakGlassAccess.objects.visible_to(user).filter(reviewed_at__isnull=True).count()
    return PanelContext("people/panels/to_review.html", {"count": count}) if count else None
