"""Every breakdown of an indicator from one query (``Indicator.count_many``, issue 15's benchmark:
bench/report.py): the same partitions as one ``count`` a breakdown, worked out by hand here."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contacts.models import Contact
from episodes.models import Episode, EpisodeEvent
from events.models import SignificantEvent
from people.tests.factories import ChildFactory
from referrals.models import Decision
from referrals.tests.factories import ReferralFactory
from reporting import periods
from reporting.filters import Filters
from reporting.queries import INDICATORS
from reporting.report import internal_report

pytestmark = pytest.mark.django_db
D = datetime.date
Q1 = periods.quarter(2026, 1)  # April to June 2026


def at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def _episode(child, opened, closed, by) -> None:
    episode = Episode.objects.create(child=child, opened_on=opened, opened_from="referral", opened_by=by,
                                     status="closed" if closed else "open")  # fmt: skip
    if closed:
        EpisodeEvent.objects.create(episode=episode, kind="closed", on=closed, recorded_by=by)


@pytest.fixture
def data(south, north, alice, manager):
    # Ages on 30 June 2026: 8 (5-10), 14 (11-15), 14, 17 (16-17).
    amy = ChildFactory(service=south, gender="female", date_of_birth=D(2018, 1, 1))
    ben = ChildFactory(service=south, gender="male", date_of_birth=D(2012, 1, 1))
    cai = ChildFactory(service=north, gender="male", date_of_birth=D(2012, 3, 1))
    dee = ChildFactory(service=south, gender="female", date_of_birth=D(2009, 1, 1))
    # Amy: an episode closed in the quarter and a new one opened after it – counted once.
    _episode(amy, D(2025, 9, 1), D(2026, 4, 30), alice)
    _episode(amy, D(2026, 5, 15), None, alice)
    _episode(ben, D(2026, 6, 1), None, alice)
    _episode(cai, D(2025, 1, 1), None, alice)
    _episode(dee, D(2025, 1, 1), D(2026, 3, 1), alice)  # closed before the quarter: not supported
    for i, (service, child, route, day) in enumerate(
        [
            (south, amy, "staff", D(2026, 4, 2)),
            (south, None, "public", D(2026, 5, 2)),  # not linked to a record: gender ""
            (north, cai, "staff", D(2026, 6, 30)),
            (south, ben, "staff", D(2026, 7, 1)),  # after the quarter
        ]
    ):
        referral = ReferralFactory(service=service, child=child, route=route, received_at=at(day))
        Decision.objects.create(referral=referral, outcome=("accepted", "consultation")[i % 2], reason="r",
                                decided_by=manager, decided_at=at(day + datetime.timedelta(days=1)))  # fmt: skip
    for i, (child, who, day) in enumerate([(amy, "teacher", D(2026, 5, 20)), (cai, "teacher", D(2026, 6, 2)),
                                           (cai, "health", D(2026, 6, 3)), (ben, "teacher", D(2026, 3, 3))]):  # fmt: skip
        Contact.objects.create(child=child, kind="consultation", attendance="attended", starts_at=at(day),
                               consultation_with=who, practitioner=alice, recorded_by=alice, idempotency_key=f"k{i}",
                               duration_minutes=30, language="en", location="phone")  # fmt: skip
    SignificantEvent.objects.create(child=cai, kind="missing", occurred_on=D(2026, 5, 1), source="police",
                                    recorded_by=alice, form_key="e1")  # fmt: skip
    return {"amy": amy, "ben": ben, "cai": cai}


def test_one_query_gives_every_breakdown_as_one_count_each(data):
    with_many = [i for i in INDICATORS.values() if i.count_many is not None]
    assert {i.code for i in with_many} >= {"referrals_received", "referral_decisions", "young_people_supported",
                                           "professional_consultations", "active_offer_referrals",
                                           "active_offer_young_people", "language_of_young_people",
                                           "contact_language"}  # fmt: skip
    for indicator in with_many:
        one_each = {d: indicator.count(Q1, Filters(), d) for d in indicator.dimensions}
        assert indicator.count_many is not None
        with CaptureQueriesContext(connection) as run:
            together = indicator.count_many(Q1, Filters(), indicator.dimensions)
        # The outcome indicators' own category is worked out by its own query (and the
        # instruments' rules, reference data, for wellbeing); the young people's breakdowns all
        # come from one more, whatever their number.
        own_query = {"improved_wellbeing": 2, "trusted_adult": 1, "knows_help": 1, "outcome_tool_use": 1}.get(
            indicator.code, 0
        )
        assert len(run) == 1 + own_query, indicator.code
        assert together == one_each, indicator.code


def test_the_breakdowns_worked_out_by_hand(data, south):
    supported = INDICATORS["young_people_supported"].breakdowns(Q1, Filters(), ["gender", "age_band", "service"])
    # Amy (twice, counted once), Ben, Cai; Dee's episode closed before the quarter.
    assert supported["gender"] == {"female": 1, "male": 2}
    assert supported["age_band"] == {"5-10": 1, "11-15": 2}
    assert sum(supported["service"].values()) == 3
    assert supported["service"][str(south.pk)] == 2
    received = INDICATORS["referrals_received"].breakdowns(Q1, Filters(), ["route", "gender"])
    assert received == {"route": {"staff": 2, "public": 1}, "gender": {"female": 1, "": 1, "male": 1}}
    decisions = INDICATORS["referral_decisions"].breakdowns(Q1, Filters(service_id=south.pk), ["outcome", "gender"])
    # South's decisions in the quarter: Amy's (accepted, 3 April) and the unlinked one (consultation).
    assert decisions == {"outcome": {"accepted": 1, "consultation": 1}, "gender": {"female": 1, "": 1}}
    held = INDICATORS["professional_consultations"].breakdowns(Q1, Filters(), ["consultation_with", "gender"])
    assert held == {"consultation_with": {"teacher": 2, "health": 1}, "gender": {"female": 1, "male": 2}}


def test_significant_events_figures_in_two_queries(data):
    indicator = INDICATORS["significant_events"]
    assert indicator.figures is not None
    with CaptureQueriesContext(connection) as run:
        figures = indicator.figures(Q1, Filters())
    assert len(run) == 2
    # Days of support in the quarter: Amy 1–30 April (30) and 15 May–30 June (47), Ben 1–30 June
    # (30), Cai the whole quarter (91): 198 days over 3 young people; Cai's one event.
    assert figures["events"] == 1
    years = figures["young_person_years"]
    assert (years.value, years.people) == (round(198 / 365.25, 1), 3)
    assert figures["per_young_person_year"].value == pytest.approx(1 / (198 / 365.25))


def test_the_internal_report_uses_one_query_per_indicator_for_its_breakdowns(data):
    with CaptureQueriesContext(connection) as run:
        internal_report(Q1, Filters(), ["referrals_received"])
    assert len(run) == 1


def test_a_report_counts_the_significant_events_once_for_the_breakdown_and_the_headline(data):
    with CaptureQueriesContext(connection) as run:
        report = internal_report(Q1, Filters(), ["significant_events"])
    assert len(run) == 2  # events by kind (once), days of support with the young people
    section = report.sections[0]
    assert section.breakdowns == {"kind": {"missing": 1}}
    assert section.figures["events"] == 1
    # Outside a report nothing is kept: the same function asks the database again.
    counts = INDICATORS["significant_events"].count
    with CaptureQueriesContext(connection) as again:
        counts(Q1, Filters(), "kind")
        counts(Q1, Filters(), "kind")
    assert len(again) == 2
