"""The accounts app's part of the home page (rendered by the dashboard app, core/panels.py)."""

from __future__ import annotations

from accounts.models import Role
from accounts.services import waiting_for
from core.http import AuthenticatedHttpRequest
from core.panels import PanelContext


def access_requests_waiting(request: AuthenticatedHttpRequest) -> PanelContext | None:
    """A change that gives an account a route to records waits for a manager (ADR 009)."""
    user = request.user
    if user.role != Role.SERVICE_MANAGER:
        return None
    count = waiting_for(user).count()
    return PanelContext("accounts/panels/access_requests_waiting.html", {"count": count}) if count else None
