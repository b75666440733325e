"""The episodes app's part of the home page (rendered by the dashboard app, core/panels.py)."""

from __future__ import annotations

from accounts.models import Role
from core.http import AuthenticatedHttpRequest
from core.panels import PanelContext
from episodes.models import Transition


def care_team_changes(request: AuthenticatedHttpRequest) -> PanelContext | None:
    """A change of practitioner a practitioner completed waits for a manager to change the team."""
    user = request.user
    if user.role != Role.SERVICE_MANAGER:
        return None
    changes = list(
        Transition.objects.visible_to(user)
        .filter(care_team_change_pending=True, child__service_id=user.organisation_id)
        .select_related("child", "from_practitioner", "to_practitioner")
        .order_by("completed_on", "pk")[:20]
    )
    return PanelContext("episodes/panels/care_team_changes.html", {"changes": changes}) if changes else None
