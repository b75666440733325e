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


@pytest.mark.skipif(connection.vendor != "postgresql", reason="generate_series; CI runs this on PostgreSQL")
def test_the_national_data_set_has_what_the_quarterly_return_counts():
    from django.utils import timezone

    from episodes.models import EpisodeEvent
    from events.models import RecordingPeriod, SignificantEvent
    from outcomes.models import Measurement, MeasurementPoint
    from people.models import Placement
    from referrals.models import Decision, InitialConsultation
    from reporting.filters import Filters
    from reporting.periods import quarter_of
    from reporting.queries import referral_decisions, significant_events_during_support, young_people_supported

    args = ["--children", "50", "--contacts-per-child", "4", "--practitioners", "22", "--seed", "7"]
    call_command("seed_national", *args, "--no-progress", "--no-vacuum", stdout=io.StringIO())
    accepted = Referral.objects.filter(accepted_at__isnull=False)
    # Every accepted referral has its "accepted" decision, some an earlier "consultation only".
    assert Decision.objects.filter(outcome="accepted").count() == accepted.count() > 0
    assert Decision.objects.exclude(outcome__in=["accepted", "consultation"]).count() == 0
    assert 0.7 * accepted.count() <= InitialConsultation.objects.count() <= accepted.count()
    allocated = Referral.objects.filter(status="allocated")
    assert 0.8 * allocated.count() <= allocated.filter(first_session_at__gte=F("allocated_at")).count()
    assert not allocated.filter(first_session_at__gt=F("allocated_at") + timezone.timedelta(days=15)).exists()
    # An episode's closing date is its "closed" event: one per closed episode, on the lead's end.
    closed = Episode.objects.filter(status="closed")
    assert EpisodeEvent.objects.filter(kind="closed").count() == closed.count()
    assert EpisodeEvent.objects.filter(kind="opened").count() == Episode.objects.count()
    # One to three placements each, the last one open; events about two a young person.
    assert 50 <= Placement.objects.count() <= 150
    assert Placement.objects.filter(end_date__isnull=True).count() == 50
    events = SignificantEvent.objects.count()
    assert 30 <= events <= 200
    assert 10 <= RecordingPeriod.objects.count() <= 40
    # Measures due at the start of every episode; the done ones have their three results.
    assert MeasurementPoint.objects.filter(kind="start").count() == Episode.objects.count()
    assert MeasurementPoint.objects.filter(kind="end").count() == closed.count()
    done = MeasurementPoint.objects.filter(status="done").count()
    assert done > 0
    assert Measurement.objects.count() == 3 * done
    assert not Measurement.objects.filter(point__status="due").exists()

    # The indicators find something to count this quarter.
    period = quarter_of(timezone.localdate())
    assert young_people_supported(period, Filters())["supported"] > 0
    assert sum(referral_decisions(period, Filters()).values()) >= 0
    counts = significant_events_during_support(period, Filters())
    assert counts["young_person_days"] > 0

    # Again with the same seed: nothing twice.
    call_command("seed_national", *args, "--no-progress", "--no-vacuum", stdout=io.StringIO())
    assert SignificantEvent.objects.count() == events
    assert Measurement.objects.count() == 3 * done
