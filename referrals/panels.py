"""The referrals app's part of the home page (rendered by the dashboard app, core/panels.py)."""

from __future__ import annotations

from accounts.models import Role
from core.http import AuthenticatedHttpRequest
from core.panels import PanelContext
from referrals.models import Referral, Status
from referrals.services import consultations_overdue


def overdue_consultations(request: AuthenticatedHttpRequest) -> PanelContext | None:
    """Initial consultations past their working-day target (referrals/priority.py)."""
    user = request.user
    if user.role != Role.SERVICE_MANAGER or not user.organisation:
        return None
    count = consultations_overdue(Referral.objects.visible_to(user), user.organisation)
    return PanelContext("referrals/panels/consultations_overdue.html", {"count": count}) if count else None


def awaiting_decision(request: AuthenticatedHttpRequest) -> PanelContext | None:
    """Referrals received by the manager's service and not yet decided."""
    user = request.user
    if user.role != Role.SERVICE_MANAGER:
        return None
    count = Referral.objects.visible_to(user).filter(status=Status.RECEIVED, service_id=user.organisation_id).count()
    return PanelContext("referrals/panels/awaiting_decision.html", {"count": count}) if count else None


def make_a_referral(request: AuthenticatedHttpRequest) -> PanelContext | None:
    """What a partner professional most often comes to do."""
    return PanelContext("referrals/panels/make_a_referral.html") if request.user.role == Role.PARTNER else None
