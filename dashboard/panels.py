"""The home page's panels, in the order the page shows them: each app's own ``panels.py``
contributes what it knows (a typed ``core.panels.Panel``); this module owns the order and the
panels that belong to no one context – the caseload, the service's links, the role summaries."""

from __future__ import annotations

from django.utils import timezone
from django.utils.module_loading import import_string

from accounts.models import Role
from audit.models import Route
from audit.services import record_list
from core.http import AuthenticatedHttpRequest
from core.panels import Panel, PanelContext
from dashboard.services import own_caseload
from outcomes.schedule import service_overdue
from plans.models import Plan
from reporting.access import Audience, audience_of

#: The caseload's first rows on the page; more are a link to the full list.
CASELOAD_ROWS = 50
CASELOAD_ROLES = (Role.PRACTITIONER, Role.SERVICE_MANAGER, Role.DUTY_WORKER, Role.PARTNER)


def service_links(request: AuthenticatedHttpRequest) -> PanelContext | None:
    """Links into the service for its staff; a manager sees how many plan reviews and outcome
    measures are overdue."""
    user = request.user
    if user.role not in (Role.SERVICE_MANAGER, Role.PRACTITIONER, Role.DUTY_WORKER):
        return None
    reviews_overdue = measures_overdue = 0
    if user.role == Role.SERVICE_MANAGER:
        reviews_overdue = (
            Plan.objects.visible_to(user)
            .filter(child__service_id=user.organisation_id, child__merged_into__isnull=True)
            .review_overdue()
            .count()
        )
        measures_overdue = service_overdue(user, today=timezone.localdate()).count()
    return PanelContext(
        "dashboard/panels/service_links.html",
        {"role": user.role, "reviews_overdue": reviews_overdue, "measures_overdue": measures_overdue},
    )


def role_summary(request: AuthenticatedHttpRequest) -> PanelContext | None:
    """Commissioners and administrators reach no child's record: say what is here for them."""
    if request.user.role == Role.COMMISSIONER:
        # Their area's reports, when their organisation covers one (reporting.access).
        covered = audience_of(request.user) is Audience.COMMISSIONER
        return PanelContext("dashboard/panels/commissioner.html", {"has_reports": covered})
    if request.user.role == Role.ADMINISTRATOR:
        return PanelContext("dashboard/panels/administrator.html")
    return None


def caseload(request: AuthenticatedHttpRequest) -> PanelContext | None:
    """The young people whose care team the person is in; what the page shows is audited (LIST)."""
    user = request.user
    if user.role not in CASELOAD_ROLES:
        return None
    children = own_caseload(user)
    rows = list(children[:CASELOAD_ROWS])
    count = children.count()
    record_list(actor=user, page="home", children=[kid.pk for kid in rows], route=Route.UI)
    return PanelContext(
        "dashboard/panels/caseload.html", {"caseload": rows, "count": count, "more": count > CASELOAD_ROWS}
    )


#: Dotted paths, so each app keeps its panel in its own ``panels.py`` and the order is read here.
HOME_PANELS: tuple[str, ...] = (
    "myspace.panels.alerts_waiting",
    "people.panels.emergency_access_to_review",
    "consent.panels.safeguarding_shares_waiting",
    "myspace.panels.from_their_spaces",
    "myspace.panels.space_reviews_due",
    "episodes.panels.care_team_changes",
    "accounts.panels.access_requests_waiting",
    "referrals.panels.overdue_consultations",
    "referrals.panels.awaiting_decision",
    "dashboard.panels.service_links",
    "referrals.panels.make_a_referral",
    "dashboard.panels.role_summary",
    "dashboard.panels.caseload",
)


def home_panels() -> list[Panel]:
    return [import_string(path) for path in HOME_PANELS]


def panels_for(request: AuthenticatedHttpRequest) -> list[PanelContext]:
    """The panels this person sees, in page order (a panel with nothing for them answers None)."""
    return [context for panel in home_panels() if (context := panel(request)) is not None]
