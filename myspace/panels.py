"""The space's part of the staff home page (rendered by the dashboard app, core/panels.py):
alerts waiting to be picked up, and check-ins waiting to be read. A fixed number of queries
whatever the number of young people; what names a young person is audited (LIST)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Min
from django.utils import timezone

from accounts.models import Role
from audit.models import Route
from audit.services import record_list
from core.http import AuthenticatedHttpRequest
from core.panels import PanelContext
from myspace import voice
from people.models import CareTeamMembership, Child

ROWS = 20


def alerts_waiting(request: AuthenticatedHttpRequest) -> PanelContext | None:
    """Flagged first: alerts for the lead, the duty workers, the worker on call and (escalated)
    the managers."""
    user = request.user
    if user.role not in (Role.PRACTITIONER, Role.DUTY_WORKER, Role.SERVICE_MANAGER):
        return None
    alerts = list(
        voice.alerts_for(user, Child.objects.visible_to(user, include_shared=True)).select_related("child")[:ROWS]
    )
    if not alerts:
        return None
    record_list(actor=user, page="home:space_alerts", children=[a.child_id for a in alerts], route=Route.UI)
    return PanelContext("myspace/voice/panel_alerts.html", {"alerts": alerts})


@dataclass(frozen=True)
class UnreadRow:
    child: Child
    count: int
    due: datetime.date
    overdue: bool


def checkins_to_read(request: AuthenticatedHttpRequest) -> PanelContext | None:
    """The check-ins waiting to be read on the records of the person's care teams."""
    user = request.user
    if user.role not in (Role.PRACTITIONER, Role.DUTY_WORKER, Role.SERVICE_MANAGER):
        return None
    mine = CareTeamMembership.objects.filter(user=user, ended_at__isnull=True).values("child_id")
    children = Child.objects.visible_to(user).filter(pk__in=mine)
    counts = list(
        voice.unread_checkins(children)
        .values("child_id")
        .annotate(count=Count("pk"), due=Min("read_by_date"))
        .order_by("due", "child_id")[:ROWS]
    )
    if not counts:
        return None
    by_pk = Child.objects.in_bulk([row["child_id"] for row in counts])
    today = timezone.localdate()
    rows = [
        UnreadRow(by_pk[row["child_id"]], row["count"], row["due"], row["due"] < today)
        for row in counts
        if row["child_id"] in by_pk
    ]
    record_list(actor=user, page="home:space_checkins", children=[r.child.pk for r in rows], route=Route.UI)
    return PanelContext("myspace/voice/panel_checkins.html", {"rows": rows})
