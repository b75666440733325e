"""A plan shared by consent: a partner the young person chose reads it, read-only, audited, for
as long as the consent lasts and only for a working purpose; nothing else of the record opens."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.tests.builders import approve_safeguarding, give_consent
from audit.models import AuditEvent
from consent.services import withdraw_consent
from plans import services
from plans.models import Goal, Plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(child, alice):
    made = services.save_plan(
        by=alice,
        child=child,
        expected_version=0,
        values={"language": "cy", "next_review_on": timezone.localdate() + datetime.timedelta(days=30)},
    )
    Goal.objects.create(plan=made, text="Dw i eisiau teimlo'n saff yn yr ysgol")
    return made


def test_a_partner_reads_a_plan_their_consent_shares(client_for, partner, alice, child, plan):
    give_consent(child, recorded_by=alice, organisation=partner.organisation, items=["plan"])
    client = client_for(partner)
    page = client.get(reverse("plans:plan", args=[child.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Dw i eisiau teimlo&#x27;n saff yn yr ysgol" in body
    assert reverse("plans:plan_edit", args=[child.pk]) not in body  # read-only
    assert reverse("plans:history", args=[child.pk]) not in body
    event = AuditEvent.objects.get(actor=partner, action="view", child_id=child.pk)
    assert event.detail["page"] == "shared_plan"
    assert reverse("plans:plan", args=[child.pk]) in client.get(reverse("assessments:shared_with_me")).content.decode()
    # Nothing else opens: the record, the plan's history, changing it.
    for name in ("plans:history", "plans:plan_edit", "plans:goal_add"):
        assert client.get(reverse(name, args=[child.pk])).status_code == 404, name
    assert client.get(reverse("people:detail", args=[child.pk])).status_code == 404


def test_withdrawal_closes_the_plan_at_once(client_for, partner, alice, child, plan):
    consent = give_consent(child, recorded_by=alice, organisation=partner.organisation, items=["plan"])
    client = client_for(partner)
    assert client.get(reverse("plans:plan", args=[child.pk])).status_code == 200
    withdraw_consent(by=alice, consent=consent, note="The young person changed their mind")
    assert client.get(reverse("plans:plan", args=[child.pk])).status_code == 404
    assert not Plan.objects.visible_to(partner, include_shared=True).exists()


@pytest.mark.parametrize(
    ("items", "purposes"),
    [
        (["assessment"], ["joint_assessment"]),  # the assessment, not the plan
        (["plan"], ["court"]),  # a court copy is not a standing share
        (["plan"], ["research"]),
    ],
)
def test_other_consents_do_not_open_the_plan(client_for, partner, alice, child, plan, items, purposes):
    give_consent(child, recorded_by=alice, organisation=partner.organisation, items=items, purposes=purposes)
    assert client_for(partner).get(reverse("plans:plan", args=[child.pk])).status_code == 404


def test_another_organisation_does_not_read_it(client_for, partner, alice, child, plan, la_cardiff):
    give_consent(child, recorded_by=alice, organisation=la_cardiff, items=["plan"])
    assert client_for(partner).get(reverse("plans:plan", args=[child.pk])).status_code == 404


def test_an_approved_safeguarding_share_of_the_plan_opens_it(client_for, partner, alice, manager, bob, child, plan):
    approve_safeguarding(
        child, organisation=partner.organisation, requested_by=alice, decided_by=manager, items=["plan"]
    )
    assert client_for(partner).get(reverse("plans:plan", args=[child.pk])).status_code == 200


def test_the_young_person_sees_that_the_partner_read_their_plan(client_for, partner, alice, child, plan):
    give_consent(child, recorded_by=alice, organisation=partner.organisation, items=["plan"])
    client_for(partner).get(reverse("plans:plan", args=[child.pk]))
    seen = client_for(alice).get(reverse("assessments:seen", args=[child.pk])).content.decode()
    assert "read your plan" in seen and partner.get_full_name() in seen


def test_a_plan_read_through_a_safeguarding_share_says_so(client_for, partner, alice, manager, child, plan):
    approve_safeguarding(
        child, organisation=partner.organisation, requested_by=alice, decided_by=manager, items=["plan"]
    )
    client_for(partner).get(reverse("plans:plan", args=[child.pk]))
    seen = client_for(alice).get(reverse("assessments:seen", args=[child.pk])).content.decode()
    assert "read your plan" in seen and "a manager agreed it had to be shared" in seen
