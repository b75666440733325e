"""The audit route cannot be wrong (issue 12 A2): ``record`` has no default route, and a read
reached only through emergency access is filed as such, so the manager's review lists it."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent, Route
from audit.services import record, record_many
from people.models import BreakGlassAccess
from referrals.tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db


def test_record_demands_a_route(alice):
    with pytest.raises(TypeError):
        record(actor=alice, action="view")  # type: ignore[call-arg]
    with pytest.raises(KeyError):
        record_many(actor=alice, events=[{"action": "view"}])


def test_a_duty_workers_emergency_read_of_a_referral_is_filed_as_break_glass_and_reviewed(
    client_for, duty, manager, child, south
):
    referral = ReferralFactory(service=south, child=child)
    # The referral is beyond the first tier (safety plan and contacts, ADR 014): the worker has
    # asked for the whole record, with its own reason.
    BreakGlassAccess.objects.create(
        user=duty,
        child=child,
        reason="Carer phoned at 2 a.m.",
        expires_at=timezone.now() + datetime.timedelta(hours=2),
        whole_record_at=timezone.now(),
        whole_record_reason="The referral says who else works with her and how to reach them",
    )
    assert client_for(duty).get(reverse("referrals:detail", args=[referral.pk])).status_code == 200
    event = AuditEvent.objects.get(actor=duty, action="view", object_type="referrals.referral")
    assert event.route == Route.BREAK_GLASS

    review = client_for(manager).get(reverse("people:break_glass_review"))
    assert review.status_code == 200
    opened = [page for access in review.context["pending"] for page in access.pages_opened]
    assert [page["what"] for page in opened] == ["Referral"]


def test_the_care_teams_read_of_the_same_referral_stays_an_ordinary_view(client_for, alice, child, south):
    referral = ReferralFactory(service=south, child=child)
    assert client_for(alice).get(reverse("referrals:detail", args=[referral.pk])).status_code == 200
    assert AuditEvent.objects.get(actor=alice, object_type="referrals.referral").route == Route.UI


def _constant_routes_for_a_child(source: str) -> list[str]:
    """``record(..., child_id=..., route=Route.UI)``: an event about a child filed under a fixed
    route, whatever way the reader came – the mistake that hid emergency reads of referrals."""
    import ast

    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or getattr(node.func, "id", getattr(node.func, "attr", "")) not in (
            "record",
            "record_list",
        ):
            continue
        keywords = {k.arg: k.value for k in node.keywords}
        route = keywords.get("route")
        child = keywords.get("child_id")
        if route is None or child is None or (isinstance(child, ast.Constant) and child.value is None):
            continue
        fixed_ui = (isinstance(route, ast.Attribute) and route.attr == "UI") or (
            isinstance(route, ast.Constant) and route.value == "ui"
        )
        if fixed_ui:
            found.append(f"line {node.lineno}")
    return found


def test_the_route_lint_catches_a_fixed_route():
    assert _constant_routes_for_a_child("record(actor=u, action=a, child_id=c.pk, route=Route.UI)") == ["line 1"]
    assert _constant_routes_for_a_child("record(actor=u, action=a, child_id=c.pk, route='ui')") == ["line 1"]
    assert _constant_routes_for_a_child("record(actor=u, action=a, child_id=c.pk, route=audit_route(u, c))") == []
    assert _constant_routes_for_a_child("record(actor=u, action=a, route=Route.UI)") == []  # about no child


def test_no_event_about_a_child_is_filed_under_a_fixed_web_route():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    skip = {"tests", "migrations", ".venv", "node_modules", "var", "e2e", "smoke", "bench"}
    problems = {}
    for path in root.rglob("*.py"):
        if skip & set(path.relative_to(root).parts):
            continue
        found = _constant_routes_for_a_child(path.read_text())
        if found:
            problems[str(path.relative_to(root))] = found
    assert problems == {}, f"Use people.access.audit_route(user, child) for events about a child: {problems}"
