"""The benchmark's hand-written SQL (bench/report_sql/<code>.sql) gives Nyth's numbers on small
hand-made data with the cases the national data set lacks (warm handovers, training, rounds of
the self-assessment, a re-opened episode, gaps in recording, referrals of another region...).

bench/report.py makes the same comparison at national scale, but there some tables are empty, so
an agreement there proves little for those indicators. Here each query runs on PostgreSQL (the
SQL is PostgreSQL's) against ``internal_report`` for one region, compared exactly as the
benchmark compares them (its own functions), and every query must find something to count."""

from __future__ import annotations

import datetime
import importlib.util
import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import Organisation, Role
from accounts.tests.factories import UserFactory
from episodes.models import Episode, EpisodeEvent
from events.models import RecordingPeriod, SignificantEvent
from people.models import NestTraining
from people.tests.factories import ChildFactory, PlacementFactory, RelatedPersonFactory
from referrals.models import Decision, InitialConsultation
from referrals.tests.factories import DirectoryServiceFactory, ReferralFactory
from reporting import periods
from reporting.filters import Filters
from reporting.report import internal_report
from workforce.models import StaffProfile, StaffTraining

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the hand-written SQL is PostgreSQL's"),
]
D = datetime.date
Q1 = periods.quarter(2026, 1)  # 1 April to 30 June 2026
BENCH = Path(__file__).resolve().parents[2] / "bench"
CODES = [
    "warm_handovers",
    "timeliness",
    "allocation_list",
    "placement_stability",
    "significant_events_before_support",
    "carer_training",
    "staff_training",
    "nest_maturity",
    "significant_events",  # not written here, but its support days are placement_stability's
]


def _bench_report():
    """bench/report.py's comparison functions (a script, not a package: loaded by path; its
    environment defaults are not left behind)."""
    saved = dict(os.environ)
    try:
        spec = importlib.util.spec_from_file_location("bench_report", BENCH / "report.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return module


def at(day: datetime.date, hour: int = 12, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def episode(child, opened, by, *, closed=None, reopened=None):
    """An episode; closed on ``closed``; re-opened on ``reopened`` (open again, its last
    "closed" event kept)."""
    status = "open" if reopened or not closed else "closed"
    e = Episode.objects.create(child=child, opened_on=opened, opened_from="referral", opened_by=by, status=status)
    EpisodeEvent.objects.create(episode=e, kind="opened", on=opened, recorded_by=by)
    if closed:
        EpisodeEvent.objects.create(episode=e, kind="closed", on=closed, recorded_by=by)
    if reopened:
        EpisodeEvent.objects.create(episode=e, kind="reopened", on=reopened, recorded_by=by)
    return e


def event(child, kind, day, by, *, removed=False):
    SignificantEvent.objects.create(child=child, kind=kind, occurred_on=day, source="records", recorded_by=by,
                                    form_key=f"{child.pk}-{kind}-{day}",
                                    removed_at=timezone.now() if removed else None)  # fmt: skip


def recorded(child, start, end, by):
    RecordingPeriod.objects.create(child=child, starts_on=start, ends_on=end, source="Chronology", recorded_by=by)


def referral(service, received, decisions, by, *, child=None, consultation=None, first_session=None,
             allocated=None, **fields):  # fmt: skip
    r = ReferralFactory(service=service, received_at=received, child=child, **fields)
    accepted = None
    for outcome, when, *where in decisions:
        Decision.objects.create(referral=r, outcome=outcome, reason="Reason", decided_by=by, decided_at=when,
                                directory_service=where[0] if where else None)  # fmt: skip
        if outcome == "accepted" and accepted is None:
            accepted = when
    r.accepted_at, r.first_session_at, r.allocated_at = accepted, first_session, allocated
    r.save()
    if consultation:
        InitialConsultation.objects.create(referral=r, held_on=consultation, held_by=by, participants="Carer",
                                           best_placed_to_help="School", can_start_now="Consultation")  # fmt: skip
    return r


@pytest.fixture
def region(south, north):
    """South in Cardiff and the Vale; North in North Wales (every query must leave it out)."""
    south.region = Organisation.objects.get(code="RPB-CV")
    south.save()
    north.region = Organisation.objects.get(code="RPB-NW")
    north.save()
    return south.region


@pytest.fixture
def data(region, south, north, manager, alice):
    charlie = UserFactory(organisation=north, role=Role.SERVICE_MANAGER)
    # --- Referrals: decisions, warm handovers, consultations, sessions, the allocation list.
    minds, other = DirectoryServiceFactory(), DirectoryServiceFactory(name_en="Other")
    kid = ChildFactory(service=south, gender="female", ethnicity="white_british", date_of_birth=D(2009, 6, 30))
    referral(south, at(D(2026, 4, 1)), [("accepted", at(D(2026, 4, 4)))], manager, child=kid,
             consultation=D(2026, 4, 14), first_session=at(D(2026, 6, 1)), allocated=at(D(2026, 5, 1)))  # fmt: skip
    referral(south, at(D(2026, 4, 10)), [("accepted", at(D(2026, 4, 20)))], manager, consultation=D(2026, 4, 20),
             date_of_birth=D(2021, 7, 1), preferred_language="cy")  # fmt: skip
    referral(south, at(D(2026, 5, 1)), [("accepted", at(D(2026, 5, 31))), ("accepted", at(D(2026, 6, 10)))], manager)
    referral(south, at(D(2026, 3, 20)), [("accepted", at(D(2026, 4, 2)))], manager, first_session=at(D(2026, 6, 20)),
             allocated=at(D(2026, 7, 10)))  # fmt: skip
    # 23:30 and 00:30 in Wales (BST) are different days there, the same day in UTC.
    referral(south, at(D(2026, 4, 30), 23, 30), [("consultation", at(D(2026, 5, 1), 0, 30))], manager)
    referral(south, at(D(2026, 6, 25)), [("accepted", at(D(2026, 7, 2)))], manager, consultation=D(2026, 7, 5))
    # Accepted, a consultation before the decision (negative days), then handed on warmly.
    referral(south, at(D(2026, 3, 1)), [("accepted", at(D(2026, 3, 30))), ("redirected", at(D(2026, 4, 5)), minds)],
             manager, consultation=D(2026, 3, 25))  # fmt: skip
    referral(south, at(D(2026, 1, 1)), [("accepted", at(D(2026, 1, 2)))], manager, allocated=at(D(2026, 3, 31)))
    # Handed on twice (both count); one with nowhere chosen; decided 1 July 00:30 in Wales: outside.
    referral(south, at(D(2026, 4, 2)), [("redirected", at(D(2026, 4, 3)), minds), ("redirected", at(D(2026, 6, 3)), other)],
             manager, child=kid)  # fmt: skip
    referral(south, at(D(2026, 6, 2)), [("redirected", at(D(2026, 6, 4)))], manager, date_of_birth=D(2000, 1, 1))
    referral(south, at(D(2026, 6, 2)), [("redirected", at(D(2026, 7, 1), 0, 30), minds)], manager)
    # Another region's referrals count nowhere.
    referral(north, at(D(2026, 4, 2)), [("redirected", at(D(2026, 4, 3)), minds)], charlie, allocated=at(D(2026, 5, 1)),
             consultation=D(2026, 4, 20), first_session=at(D(2026, 5, 2)))  # fmt: skip
    referral(north, at(D(2026, 4, 2)), [("accepted", at(D(2026, 4, 3)))], charlie)

    # --- Episodes, placements, events and recording periods.
    a, b, c, d, e, f = (ChildFactory(service=south, gender=g) for g in ("female", "male", "female", "male", "", "male"))
    episode(a, D(2026, 5, 1), alice)
    PlacementFactory(child=a, start_date=D(2020, 1, 1))  # the first recorded: not a move
    PlacementFactory(child=a, start_date=D(2025, 4, 1))  # 395 days before support
    PlacementFactory(child=a, start_date=D(2025, 9, 1))  # before support
    PlacementFactory(child=a, start_date=D(2026, 5, 1), type="residential")  # during
    PlacementFactory(child=a, start_date=D(2026, 6, 15))  # during
    PlacementFactory(child=a, start_date=D(2026, 6, 15), type="kinship")  # the same day: also a move
    recorded(a, D(2025, 1, 1), D(2025, 12, 31), alice)
    recorded(a, D(2026, 1, 1), None, alice)  # adjacent, open-ended: covers the year before 1 May
    event(a, "self_harm", D(2025, 6, 1), alice)
    event(a, "missing", D(2025, 4, 30), alice)  # 366 days before: outside
    event(a, "police", D(2026, 5, 2), alice)  # during support
    event(a, "missing", D(2026, 1, 5), alice, removed=True)
    episode(b, D(2025, 1, 1), alice, closed=D(2026, 4, 30))
    PlacementFactory(child=b, start_date=D(2019, 1, 1))
    PlacementFactory(child=b, start_date=D(2026, 4, 10))  # during
    PlacementFactory(child=b, start_date=D(2026, 5, 10))  # after support closed
    episode(c, D(2026, 6, 1), alice)
    PlacementFactory(child=c, start_date=D(2026, 3, 1))
    recorded(c, D(2025, 9, 1), None, alice)  # incomplete
    event(c, "police", D(2026, 3, 1), alice)
    PlacementFactory(child=d, start_date=D(2020, 1, 1))  # never supported
    PlacementFactory(child=d, start_date=D(2026, 5, 5))
    episode(e, D(2026, 4, 15), alice)
    recorded(e, D(2025, 4, 15), D(2025, 10, 1), alice)
    recorded(e, D(2025, 8, 1), D(2026, 4, 14), alice)  # overlapping: together complete
    event(e, "exclusion", D(2025, 4, 15), alice)
    # F: closed last year, re-opened in March: open throughout the quarter (its last "closed"
    # event is before the quarter), a move in May while open.
    episode(f, D(2024, 1, 1), alice, closed=D(2025, 6, 30), reopened=D(2026, 3, 1))
    PlacementFactory(child=f, start_date=D(2018, 1, 1))
    PlacementFactory(child=f, start_date=D(2026, 5, 20), type="residential")
    # Another region's young person: nothing of theirs counts.
    g = ChildFactory(service=north)
    episode(g, D(2026, 5, 1), charlie)
    PlacementFactory(child=g, start_date=D(2020, 1, 1))
    PlacementFactory(child=g, start_date=D(2026, 5, 5))
    recorded(g, D(2020, 1, 1), None, charlie)
    event(g, "police", D(2026, 1, 1), charlie)

    # --- Training: carers' and staff's.
    carer, other_carer, far = (RelatedPersonFactory(child=x) for x in (a, c, g))
    for person, topic, level, day in (
        (carer, "trauma_attachment", "aware", D(2026, 4, 10)),
        (carer, "responding", "skilled", D(2026, 5, 10)),
        (other_carer, "responding", "", D(2026, 6, 10)),
        (other_carer, "responding", "skilled", D(2026, 3, 31)),
        (far, "safety_plan", "aware", D(2026, 5, 1)),
    ):
        NestTraining.objects.create(related_person=person, topic=topic, practice_level=level, given_on=day,
                                    recorded_by=alice)  # fmt: skip
    skilled, aware, unknown = (UserFactory(organisation=south) for _ in range(3))
    StaffProfile.objects.create(user=skilled, practice_level="skilled")
    StaffProfile.objects.create(user=aware, practice_level="aware")
    StaffProfile.objects.create(user=unknown, practice_level="")
    no_profile, far_staff = UserFactory(organisation=south), UserFactory(organisation=north)
    for user, topic, day, hours in (
        (skilled, "attachment", D(2026, 4, 1), "3.0"),
        (skilled, "impact_of_trauma", D(2026, 6, 30), "6.5"),
        (aware, "attachment", D(2026, 5, 5), "2.0"),
        (unknown, "brain_development", D(2026, 5, 6), "1.5"),
        (no_profile, "attachment", D(2026, 5, 7), "0.5"),
        (aware, "attachment", D(2026, 7, 1), "2.0"),  # next quarter
        (far_staff, "attachment", D(2026, 5, 5), "4.0"),  # another region
    ):
        StaffTraining.objects.create(user=user, topic=topic, completed_on=day, provider="Provider",
                                     hours=Decimal(hours), recorded_by=manager)  # fmt: skip


@pytest.fixture
def rounds(region, south, north, manager):
    from selfassess import services
    from selfassess.tests.conftest import completed_round

    later = {"nurturing": 2, "empowering": 3, "safe": 4, "trusted": 2, "long-term-transitions": 2,
             "welsh-language": 3, "outcomes": 1}  # fmt: skip
    north_manager = UserFactory(organisation=north, role=Role.SERVICE_MANAGER)
    completed_round(south, manager, D(2026, 3, 1), 1)
    completed_round(south, manager, D(2026, 5, 1), later)
    completed_round(south, manager, D(2026, 7, 1), 4)  # after the quarter
    services.start_round(by=manager, service=south, assessed_on=D(2026, 6, 1))  # a draft
    completed_round(north, north_manager, D(2026, 5, 1), 4)  # another region


def test_the_hand_written_sql_gives_nyths_numbers(data, rounds, region):
    # One test over every query (the data is built once: a few seconds, not one build each).
    bench = _bench_report()
    params = {"start": Q1.start, "end": Q1.end, "region": region.pk}
    problems, empty = {}, []
    for code in CODES:
        nyth = bench.nyth_numbers(internal_report(Q1, Filters(region_id=region.pk), [code]).sections[0])
        with connection.cursor() as cursor:
            cursor.execute((BENCH / "report_sql" / f"{code}.sql").read_text(), params)
            sql = bench.sql_numbers(cursor.fetchall())
        if found := bench.differences(nyth, sql):
            problems[code] = found
        # Something counted in a breakdown and in the headline: not an agreement over nothing
        # (warm handovers have no headline figures).
        if not any(v for (dimension, _), v in sql.items() if dimension != "figure") or (
            code != "warm_handovers" and not any(v for (dimension, _), v in sql.items() if dimension == "figure")
        ):
            empty.append(code)
    assert problems == {}
    assert empty == []
