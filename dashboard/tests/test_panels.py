"""The home page's panels (dashboard/panels.py): each app's panel is found, each role gets only
the panels meant for it, and the page shows them in the declared order."""

from __future__ import annotations

import datetime

import pytest
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone

from consent.models import SafeguardingShare
from dashboard.panels import HOME_PANELS, home_panels
from referrals.tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db


def test_every_declared_panel_is_a_function_of_its_app():
    panels = home_panels()
    assert len(panels) == len(HOME_PANELS)
    for path, panel in zip(HOME_PANELS, panels, strict=True):
        assert callable(panel)
        assert f"{panel.__module__}.{panel.__name__}" == path
        assert panel.__module__.endswith(".panels")


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("commissioner", ["dashboard/panels/commissioner.html"]),
        ("administrator", ["dashboard/panels/administrator.html"]),
        ("partner", ["referrals/panels/make_a_referral.html", "dashboard/panels/caseload.html"]),
        ("alice", ["dashboard/panels/service_links.html", "dashboard/panels/caseload.html"]),
    ],
)
def test_each_role_gets_its_panels_in_order(client_for, who, expected, request):
    page = client_for(request.getfixturevalue(who)).get(reverse("core:home"))
    assert page.status_code == 200
    assert [panel.template for panel in page.context["panels"]] == expected
    for template in expected:
        get_template(template)  # exists (a typo would only fail when the panel has something)


def test_a_manager_with_nothing_waiting_sees_no_warning_panels(client_for, manager):
    page = client_for(manager).get(reverse("core:home"))
    assert [panel.template for panel in page.context["panels"]] == [
        "dashboard/panels/service_links.html",
        "dashboard/panels/caseload.html",
    ]
    assert "govuk-warning-text" not in page.content.decode()


def test_a_managers_waiting_work_shows_each_apps_panel_with_its_figure_and_link(
    client_for, manager, alice, child, partner, south
):
    SafeguardingShare.objects.create(
        child=child,
        recipient_organisation=partner.organisation,
        sections=["risks"],
        reason="Risk of significant harm from an adult",
        expires_on=timezone.localdate() + datetime.timedelta(days=5),
        requested_by=alice,
    )
    ReferralFactory(service=south, child=child, status="received")
    page = client_for(manager).get(reverse("core:home"))
    templates = [panel.template for panel in page.context["panels"]]
    assert templates.index("consent/panels/safeguarding_waiting.html") < templates.index(
        "referrals/panels/awaiting_decision.html"
    )
    body = page.content.decode()
    assert "1 request to share without consent (safeguarding) is waiting for a manager" in body
    assert reverse("consent:safeguarding_review") in body
    assert "1 referral is waiting for a decision." in body
    assert reverse("referrals:list") + "?status=received" in body
