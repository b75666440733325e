"""The consent app's part of the home page (rendered by the dashboard app, core/panels.py)."""

from __future__ import annotations

from accounts.models import Role
from consent.services import safeguarding_waiting
from core.http import AuthenticatedHttpRequest
from core.panels import PanelContext


def safeguarding_shares_waiting(request: AuthenticatedHttpRequest) -> PanelContext | None:
    """A share without consent waits for another manager's approval."""
    user = request.user
    if user.role != Role.SERVICE_MANAGER:
        return None
    count = safeguarding_waiting(user).count()
    return PanelContext("consent/panels/safeguarding_waiting.html", {"count": count}) if count else None
