"""The space's part of the staff home page (rendered by the dashboard app, core/panels.py)."""

from __future__ import annotations

from core.http import AuthenticatedHttpRequest
from core.panels import PanelContext
from myspace.consents import notices_waiting


def notices_from_their_space(request: AuthenticatedHttpRequest) -> PanelContext | None:
    """A young person the user works with withdrew a consent or asked something in their space:
    flagged at once, until someone in the care team marks it done."""
    waiting = notices_waiting(request.user)
    return PanelContext("myspace/panels/notices.html", {"waiting": waiting}) if waiting else None
