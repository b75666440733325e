"""The space's part of the staff home page (rendered by the dashboard app, core/panels.py):
alerts waiting to be picked up (flagged first), check-ins waiting to be read, and notices
(a consent withdrawn, a question) from a young person's space. Counts only, in
a fixed number of queries whatever the number of young people; the names are on the list page
``space_access:waiting`` (one LIST event, as every list that names children)."""

from __future__ import annotations

from django.utils import timezone

from accounts.models import Role
from core.http import AuthenticatedHttpRequest
from core.panels import PanelContext
from myspace import voice
from myspace.consents import notices_waiting

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


def checkins_to_read(request: AuthenticatedHttpRequest) -> PanelContext | None:
    """The check-ins waiting to be read on the records of the person's care teams."""
    user = request.user
    if user.role not in STAFF_ROLES:
        return None
    waiting = voice.checkins_to_read(user)
    count = waiting.count()
    if not count:
        return None
    overdue = waiting.filter(read_by_date__lt=timezone.localdate()).count()
    return PanelContext("myspace/voice/panel_checkins.html", {"count": count, "overdue": overdue})


def notices_from_their_space(request: AuthenticatedHttpRequest) -> PanelContext | None:
    """A young person the user works with withdrew a consent or asked something in their space:
    flagged at once, until someone in the care team marks it done."""
    waiting = notices_waiting(request.user)
    return PanelContext("myspace/panels/notices.html", {"waiting": waiting}) if waiting else None


def space_reviews_due(request: AuthenticatedHttpRequest) -> PanelContext | None:
    """Space accounts due for review (at 26, or long after support ended): the service's managers
    decide, the lead practitioner is told. A count; the names are on ``space_access:reviews``."""
    from myspace.reviews import reviews_for

    user = request.user
    if user.role not in (Role.PRACTITIONER, Role.SERVICE_MANAGER):
        return None
    count = reviews_for(user).count()
    return PanelContext("myspace/panels/reviews.html", {"count": count}) if count else None
