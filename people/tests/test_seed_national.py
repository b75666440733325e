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
    assert Referral.objects.filter(child__isnull=False).count() == 600  # one each
    # Besides them, referrals of other young people handed on warmly (about 9 %), never linked.
    handed_on = Referral.objects.filter(child__isnull=True)
    assert 20 <= handed_on.count() <= 90
    assert handed_on.filter(status="redirected").count() == handed_on.count()
    by_status = dict(Referral.objects.filter(child__isnull=False).values_list("status").annotate(n=Count("pk")))
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
    # The others are warm handovers, each of a referral handed on, to a directory entry.
    redirected = Decision.objects.exclude(outcome__in=["accepted", "consultation"])
    assert redirected.count() == redirected.filter(outcome="redirected", referral__status="redirected").count()
    assert not redirected.filter(directory_service__isnull=True).exists()
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


def _new_kinds() -> dict[str, list[tuple]]:
    """The rows ``people.national_reporting``'s later groups and ``seed_service_rows`` add, by
    content (not ids: rows written again get new ones)."""
    from outcomes.models import AnonymousFeedback, GoalRating, NamedFeedback
    from people.models import NestTraining, RelatedPerson
    from referrals.models import Decision
    from selfassess.models import Action, Rating, Round
    from workforce.models import StaffProfile, StaffTraining

    def rows(qs, *fields):
        return sorted(qs.values_list(*fields), key=repr)

    return {
        "goal ratings": rows(GoalRating.objects, "child_id", "goal_id", "point_id", "value", "rated_by", "rated_on"),
        "named feedback": rows(
            NamedFeedback.objects, "child_id", "quarter", "respondent", "listened", "would_recommend"
        ),
        "anonymous feedback": rows(AnonymousFeedback.objects, "id", "service_id", "quarter", "respondent", "good_time"),
        "related people": rows(RelatedPerson.objects, "child_id", "name", "role", "has_parental_responsibility"),
        "carer training": rows(
            NestTraining.objects,
            "related_person__child_id",
            "related_person__role",
            "topic",
            "practice_level",
            "given_on",
        ),
        "handed on": rows(
            Decision.objects.filter(outcome="redirected"),
            "referral__reference",
            "referral__given_name",
            "referral__date_of_birth",
            "decided_at",
        ),
        "offer at referral": rows(Referral.objects.filter(active_offer_made=True), "reference"),
        "offer dates": rows(Child.objects.filter(active_offer_date__isnull=False), "pk", "active_offer_date"),
        "staff profiles": rows(StaffProfile.objects, "user_id", "practice_level", "welsh_level"),
        "staff training": rows(StaffTraining.objects, "user_id", "topic", "completed_on", "hours"),
        "rounds": rows(Round.objects, "service_id", "assessed_on", "status"),
        "ratings": rows(Rating.objects, "round__service_id", "round__assessed_on", "statement_id", "level__value"),
        "actions": rows(Action.objects, "round__service_id", "round__assessed_on", "status", "due_on"),
    }


def _forget_new_kinds() -> None:
    """Make the data set look as one seeded before those groups existed."""
    from outcomes.models import AnonymousFeedback, GoalRating, NamedFeedback
    from people.models import NestTraining, RelatedPerson
    from referrals.models import Decision, DirectoryService
    from selfassess.models import Round
    from workforce.models import StaffProfile, StaffTraining

    GoalRating.objects.all().delete()
    NamedFeedback.objects.all().delete()
    AnonymousFeedback.objects.all().delete()
    NestTraining.objects.all().delete()
    RelatedPerson.objects.all().delete()
    Decision.objects.filter(outcome="redirected").delete()
    Referral.objects.filter(status="redirected").delete()
    DirectoryService.objects.all().delete()
    Referral.objects.update(active_offer_made=False)
    Child.objects.update(active_offer_date=None)
    StaffTraining.objects.all().delete()
    StaffProfile.objects.all().delete()
    Round.objects.all().delete()  # ratings and actions go with their round


@pytest.mark.skipif(connection.vendor != "postgresql", reason="generate_series; CI runs this on PostgreSQL")
def test_the_national_data_set_has_the_other_indicators_rows_and_an_old_one_is_topped_up_with_the_same():
    from django.utils import timezone

    from outcomes.models import AnonymousFeedback, GoalRating, MeasurementPoint, NamedFeedback
    from people.models import NestTraining, RelatedPerson
    from referrals.models import Decision, DirectoryService
    from reporting.filters import Filters
    from reporting.periods import quarter_of
    from reporting.queries import INDICATORS
    from selfassess.models import Rating, Round, Statement
    from workforce.models import StaffProfile, StaffTraining

    args = ["--children", "300", "--contacts-per-child", "4", "--practitioners", "44", "--seed", "11"]
    call_command("seed_national", *args, "--no-progress", "--no-vacuum", stdout=io.StringIO())

    # Goal-based outcomes: the goals of about seven in ten open episodes, rated at points done.
    rated = GoalRating.objects.values("point__episode").distinct().count()
    open_with_done = (
        MeasurementPoint.objects.filter(status="done", episode__status="open").values("episode").distinct().count()
    )
    assert 0.5 * open_with_done <= rated <= 0.9 * open_with_done
    assert not GoalRating.objects.exclude(point__status="done").exists()
    assert not GoalRating.objects.exclude(goal__plan__child=F("child")).exists()
    assert not GoalRating.objects.filter(value__gt=10).exists()
    # Feedback, named (about a young person) and anonymous (a service and a quarter only).
    later_points = MeasurementPoint.objects.filter(status="done", kind__in=["review", "end"]).count()
    assert 0.15 * later_points <= NamedFeedback.objects.count() <= 0.45 * later_points
    assert 0.05 * later_points <= AnonymousFeedback.objects.count() <= 0.3 * later_points
    assert not NamedFeedback.objects.exclude(service=F("child__service")).exists()
    # A carer for every young person supported, a teacher for about half; a good part trained.
    supported = Episode.objects.count()
    assert RelatedPerson.objects.exclude(role="teacher").count() == supported
    assert 0.3 * supported <= RelatedPerson.objects.filter(role="teacher").count() <= 0.7 * supported
    trained = NestTraining.objects.values("related_person").distinct().count()
    assert 0.2 * RelatedPerson.objects.count() <= trained <= 0.6 * RelatedPerson.objects.count()
    assert not NestTraining.objects.filter(practice_level="").exists()
    assert not NestTraining.objects.filter(topic="other", topic_detail="").exists()
    # Warm handovers to an entry of the directory covering the young person's authority or Wales.
    handovers = Decision.objects.filter(outcome="redirected")
    assert handovers.count() == Referral.objects.filter(status="redirected").count() > 0
    for decision in handovers.select_related("referral", "directory_service"):
        areas = set(decision.directory_service.areas.values_list("pk", flat=True))
        assert not areas or decision.referral.responsible_local_authority_id in areas
    assert DirectoryService.objects.count() == 22 + 7 + 3
    # The Active Offer: made at most referrals, never where the record says it was not made.
    linked = Referral.objects.filter(child__isnull=False)
    assert 0.5 * linked.count() <= linked.filter(active_offer_made=True).count() <= 0.9 * linked.count()
    assert not linked.filter(active_offer_made=True, child__active_offer="not_made").exists()
    assert not Child.objects.filter(active_offer="not_made", active_offer_date__isnull=False).exists()
    assert Child.objects.exclude(active_offer="not_made").filter(active_offer_date__isnull=True).count() == 0
    # Staff: a record each, 3–10 trainings; every service assessed itself, every statement rated.
    staff = User.objects.filter(username__startswith="nat-")
    assert StaffProfile.objects.count() == staff.count()
    assert 3 * staff.count() <= StaffTraining.objects.count() <= 10 * staff.count()
    rounds = Round.objects.count()
    assert 22 * 5 <= rounds <= 22 * 7
    assert Round.objects.filter(status="completed").values("service").distinct().count() == 22
    assert Rating.objects.count() == rounds * Statement.objects.filter(domain__framework__is_current=True).count()

    # Every indicator of the quarterly return has something to count in the last full quarter
    # (feedback is kept by calendar quarter: the current one may have none yet).
    period = quarter_of(timezone.localdate() - timezone.timedelta(days=92))
    empty = []
    for code, indicator in INDICATORS.items():
        first = indicator.dimensions[0]
        counts = indicator.count(period, Filters(), first)
        if not sum(v for k, v in counts.items() if k != "young_person_days"):
            empty.append(code)
    assert empty == []

    # An old data set (seeded before these groups existed) gains the same rows when run again.
    before = _new_kinds()
    _forget_new_kinds()
    call_command("seed_national", *args, "--no-progress", "--no-vacuum", stdout=io.StringIO())
    after = _new_kinds()
    for kind in before:
        if kind == "handed on":  # the referrals' ids are new, so the hashed directory choice may differ
            assert [r[:3] for r in after[kind]] == [r[:3] for r in before[kind]]
        else:
            assert after[kind] == before[kind], kind
    # And once more: nothing twice.
    call_command("seed_national", *args, "--no-progress", "--no-vacuum", stdout=io.StringIO())
    assert _new_kinds() == after
