"""The space's part of the staff home page (rendered by the dashboard app, core/panels.py):
alerts waiting to be picked up (flagged first: they have their own pick-up and escalation), and
the one care-team inbox – everything from young people's spaces waiting to be read, with how
many are overdue (a notice, such as a consent withdrawn, flagged as a warning). Counts only, in
a fixed number of queries whatever the number of young people or items; the names are on the
list page ``space_access:waiting`` (one LIST event, as every list that names children)."""

from __future__ import annotations

from accounts.models import Role
from core.http import AuthenticatedHttpRequest
from core.panels import PanelContext
from myspace import inbox, voice

STAFF_ROLES = (Role.PRACTITIONER, Role.DUTY_WORKER, Role.SERVICE_MANAGER)


def alerts_waiting(request: AuthenticatedHttpRequest) -> PanelContext | None:
    """Alerts for the lead, the duty workers, the worker on call and (escalated) the managers."""
    user = request.user
    if user.role not in STAFF_ROLES:
        return None
    alerts = voice.alerts_for(user)
    count = alerts.count()
    if not count:
        return None
    late = alerts.filter(escalated_at__isnull=False).count()
    return PanelContext("myspace/voice/panel_alerts.html", {"count": count, "late": late})


def from_their_spaces(request: AuthenticatedHttpRequest) -> PanelContext | None:
    """What waits to be read (or done) on the records of the person's care teams: check-ins,
    "before my review" notes, requests and notices, with the overdue ones counted."""
    user = request.user
    if user.role not in STAFF_ROLES:
        return None
    counts = inbox.counts_for(user)
    return PanelContext("myspace/inbox/panel.html", {"counts": counts}) if counts.unread else None


def space_reviews_due(request: AuthenticatedHttpRequest) -> PanelContext | None:
    """Space accounts due for review (at 26, or long after support ended): the service's managers
    decide, the lead practitioner is told. A count; the names are on ``space_access:reviews``."""
    from myspace.reviews import reviews_for

    user = request.user
    if user.role not in (Role.PRACTITIONER, Role.SERVICE_MANAGER):
        return None
    count = reviews_for(user).count()
    return PanelContext("myspace/panels/reviews.html", {"count": count}) if count else None
