"""The home page's panels (dashboard/panels.py): each app's panel is found, each role gets only
the panels meant for it, and the page shows them in the declared order."""

from __future__ import annotations

import pytest
from django.template.loader import get_template
from django.urls import reverse

from dashboard.panels import HOME_PANELS, home_panels

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
