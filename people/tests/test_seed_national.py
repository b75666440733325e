"""manage.py seed_national at a tiny size: the counts and proportions, the audit trail intact."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F

from accounts.models import Organisation, OrganisationType, Role, User
from assessments.models import Assessment, SectionVersion
from audit.chain import verify
from audit.models import AuditEvent
from consent.models import ConsentDecision
from contacts.models import Contact
from episodes.models import Episode
from people.models import CareTeamMembership, Child
from plans.models import Goal, Plan
from referrals.models import Referral

pytestmark = pytest.mark.django_db


def test_refuses_anything_but_postgresql(monkeypatch):
    monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(CommandError, match="PostgreSQL only"):
        call_command("seed_national", "--children", "10", stdout=io.StringIO())
    assert not Child.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="generate_series; CI runs this on PostgreSQL")
def test_a_tiny_national_data_set_has_the_proportions():
    out = io.StringIO()
    call_command(
        "seed_national",
        "--children",
        "600",
        "--contacts-per-child",
        "10",
        "--practitioners",
        "44",
        "--seed",
        "5",
        "--no-progress",
        "--no-vacuum",
        stdout=out,
    )
    assert "National data set ready in" in out.getvalue()
    services = Organisation.objects.filter(type=OrganisationType.SERVICE, code__startswith="NAT-")
    assert services.count() == 22
    assert User.objects.filter(role=Role.PRACTITIONER, username__startswith="nat-").count() == 44
    assert User.objects.filter(role=Role.SERVICE_MANAGER, username__startswith="nat-").count() == 22

    assert Child.objects.count() == 600
    assert Referral.objects.count() == 600  # one each
    by_status = dict(Referral.objects.values_list("status").annotate(n=Count("pk")))
    assert 8 <= by_status["accepted"] <= 45  # the waiting list: about 4 %
    assert by_status["received"] <= 20  # about 1 %
    assert by_status["allocated"] == Episode.objects.count()
    open_episodes = Episode.objects.filter(status="open").count()
    assert 0.62 * 600 <= open_episodes <= 0.82 * 600  # about 72 % have an open case
    assert Plan.objects.count() == open_episodes
    assert 1.0 <= Goal.objects.count() / Plan.objects.count() <= 4.0
    leads = CareTeamMembership.objects.filter(role="lead")
    assert leads.count() == Episode.objects.count()
    assert leads.filter(ended_at__isnull=True).count() == open_episodes
    # Nobody waiting has a practitioner yet.
    assert not CareTeamMembership.objects.filter(child__referrals__status="accepted").exists()
    assert 0.45 * 600 <= Assessment.objects.count() <= 0.7 * 600
    assert SectionVersion.objects.count() >= Assessment.objects.count()
    assert 0.3 * 600 <= ConsentDecision.objects.count() <= 0.6 * 600

    contacts = Contact.objects.count()
    assert 0.7 * 10 * leads.count() <= contacts <= 1.4 * 10 * leads.count()
    # Each contact is by a member of the young person's care team, in the young person's service.
    assert not Contact.objects.exclude(practitioner__organisation=F("child__service")).exists()
    assert not Contact.objects.exclude(child__care_team__user=F("practitioner")).exists()
    attended = Contact.objects.filter(attendance="attended").count()
    assert 0.6 <= attended / contacts <= 0.9
    assert Contact.objects.filter(attendance="booked").exists()
    assert (
        Contact.objects.filter(kind="consultation").exclude(consultation_with="").count()
        == Contact.objects.filter(kind="consultation").count()
    )

    # Bulk audit events (one per model and batch) are chained like any other: the trail verifies.
    seeded = AuditEvent.objects.filter(detail__has_key="seed_national")
    assert sum(e.detail["count"] for e in seeded.filter(detail__seed_national="contacts.contact")) == contacts
    assert sum(e.detail["count"] for e in seeded.filter(detail__seed_national="people.child")) == 600
    result = verify()
    assert result.ok, result.message
    assert result.unsealed == 0

    # Same seed again: nothing is created twice.
    call_command(
        "seed_national",
        "--children",
        "600",
        "--practitioners",
        "44",
        "--seed",
        "5",
        "--no-progress",
        "--no-vacuum",
        stdout=io.StringIO(),
    )
    assert Child.objects.count() == 600
    assert Contact.objects.count() == contacts
