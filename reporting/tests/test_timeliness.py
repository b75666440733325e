"""Timeliness and the allocation list on small hand-made data (the expected days worked out here,
in the service's time zone), on whichever database the suite runs on (SQLite or PostgreSQL –
the median is computed differently on each)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from referrals.models import Decision, InitialConsultation
from referrals.tests.factories import ReferralFactory
from reporting import periods
from reporting.filters import Filters
from reporting.queries import INDICATORS
from reporting.queries.timeliness import (
    allocation_figures,
    allocation_list,
    decisions_by_days,
    stage_days,
    timeliness_figures,
)
from reporting.report import internal_report, suppressed_report

pytestmark = pytest.mark.django_db
D = datetime.date
Q1 = periods.quarter(2026, 1)  # 1 April to 30 June 2026


def at(day: datetime.date, hour: int = 12, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def referral(service, received, decisions=(), *, consultation=None, first_session=None, allocated=None, by=None):
    """A referral with its decisions [(outcome, when)]; accepted_at is its first acceptance."""
    r = ReferralFactory(service=service, received_at=received)
    accepted = None
    for outcome, when in decisions:
        Decision.objects.create(referral=r, outcome=outcome, reason="Reason", decided_by=by, decided_at=when)
        if outcome == "accepted" and accepted is None:
            accepted = when
    r.accepted_at, r.first_session_at, r.allocated_at = accepted, first_session, allocated
    r.save()
    if consultation:
        InitialConsultation.objects.create(
            referral=r, held_on=consultation, held_by=by, participants="Carer", best_placed_to_help="School",
            can_start_now="Consultation",
        )  # fmt: skip
    return r


@pytest.fixture
def data(south, manager):
    def make(*args, **kwargs):
        return referral(south, *args, by=manager, **kwargs)

    # Referral → decision (first decision in the quarter): 3, 10, 30, 13 and 1 days.
    make(at(D(2026, 4, 1)), [("accepted", at(D(2026, 4, 4)))], consultation=D(2026, 4, 14),
         first_session=at(D(2026, 6, 1)), allocated=at(D(2026, 5, 1)))  # fmt: skip
    make(at(D(2026, 4, 10)), [("accepted", at(D(2026, 4, 20)))], consultation=D(2026, 4, 20))
    # Decided twice: the first decision counts; accepted again, so still waiting since 31 May.
    make(at(D(2026, 5, 1)), [("accepted", at(D(2026, 5, 31))), ("accepted", at(D(2026, 6, 10)))])
    # Received last quarter, decided in this one; first session 20 June (92 days); allocated after the end.
    make(at(D(2026, 3, 20)), [("accepted", at(D(2026, 4, 2)))], first_session=at(D(2026, 6, 20)),
         allocated=at(D(2026, 7, 10)))  # fmt: skip
    # 23:30 and 00:30 in Wales (BST) are the same day in UTC: one day here, not none.
    make(at(D(2026, 4, 30), 23, 30), [("consultation", at(D(2026, 5, 1), 0, 30))])
    # Decided after the quarter: not counted; its consultation (5 July) neither.
    make(at(D(2026, 6, 25)), [("accepted", at(D(2026, 7, 2)))], consultation=D(2026, 7, 5))
    # First decided last quarter (not counted for decisions); consultation 10 days after that
    # decision; then redirected on 5 April, so no longer on the allocation list.
    make(at(D(2026, 3, 1)), [("accepted", at(D(2026, 3, 30))), ("redirected", at(D(2026, 4, 5)))],
         consultation=D(2026, 4, 9))  # fmt: skip
    # Allocated last quarter: not on the list in this one.
    make(at(D(2026, 1, 1)), [("accepted", at(D(2026, 1, 2)))], allocated=at(D(2026, 3, 31)))


def test_days_to_decision_consultation_and_first_session(data):
    figures = timeliness_figures(Q1, Filters())
    # Decision: 3, 10, 30, 13, 1 → mean 57 / 5, median 10.
    assert figures["n_decision"] == 5
    assert figures["mean_decision"].value == pytest.approx(11.4)
    assert figures["median_decision"].value == pytest.approx(10)
    assert figures["median_decision"].people == 5
    # Consultation: 14 Apr − 4 Apr = 10, 20 Apr − 20 Apr = 0, 9 Apr − 30 Mar = 10 → mean 20/3, median 10.
    assert figures["n_consultation"] == 3
    assert figures["mean_consultation"].value == pytest.approx(20 / 3)
    assert figures["median_consultation"].value == pytest.approx(10)
    # First session: 1 Apr → 1 Jun = 61, 20 Mar → 20 Jun = 92: mean and median 76.5 (even: interpolated).
    assert figures["n_first_session"] == 2
    assert figures["mean_first_session"].value == pytest.approx(76.5)
    assert figures["median_first_session"].value == pytest.approx(76.5)
    assert stage_days("decision", Q1, Filters()).people == 5


def test_decisions_broken_down_by_band_of_days(data, north):
    assert decisions_by_days(Q1, Filters()) == {"0-7": 2, "8-28": 2, "29-91": 1}
    assert decisions_by_days(Q1, Filters(), "legal_status") == {"looked_after": 5}
    assert decisions_by_days(Q1, Filters(service_id=north.pk)) == {}
    assert timeliness_figures(Q1, Filters(service_id=north.pk))["median_decision"].value is None


def test_time_on_the_allocation_list_allocated_and_still_waiting(data):
    figures = allocation_figures(Q1, Filters())
    # Allocated in the quarter: 4 April → 1 May = 27 days.
    assert figures["n_allocated"] == 1
    assert figures["mean_allocated"].value == pytest.approx(27)
    # Waiting on 30 June: since 20 April (71 days), 2 April (89: allocated only in July), 31 May (30).
    assert figures["n_waiting"] == 3
    assert figures["mean_waiting"].value == pytest.approx(190 / 3)
    assert figures["median_waiting"].value == pytest.approx(71)
    assert allocation_list(Q1, Filters()) == {"8-28": 1, "29-91": 3}
    assert allocation_list(Q1, Filters(), "state") == {"allocated": 1, "waiting": 3}


def test_the_queries_do_not_grow_with_the_data(south, manager, data):
    def cost() -> list[int]:
        found = []
        for run in (
            lambda: timeliness_figures(Q1, Filters()),
            lambda: allocation_figures(Q1, Filters()),
            lambda: decisions_by_days(Q1, Filters()),
            lambda: allocation_list(Q1, Filters(), "age_band"),
        ):
            with CaptureQueriesContext(connection) as ran:
                run()
            found.append(len(ran))
        return found

    small = cost()
    for day in range(1, 8):
        referral(south, at(D(2026, 4, day)), [("accepted", at(D(2026, 4, day + 3)))], consultation=D(2026, 5, day),
                 first_session=at(D(2026, 6, day)), allocated=at(D(2026, 5, 20)), by=manager)  # fmt: skip
    assert cost() == small
    assert timeliness_figures(Q1, Filters())["n_decision"] == 12


def test_both_reports_carry_the_timeliness_indicators(data):
    codes = ["timeliness", "allocation_list"]
    assert set(codes) <= set(INDICATORS)
    report = {s.indicator.code: s for s in suppressed_report(Q1, Filters(), codes).sections}
    # Five decisions: the total is shown, the bands (2, 2, 1) are all small and suppressed.
    assert str(report["timeliness"].release.total) == "5"
    assert all(cell.suppressed for cell in report["timeliness"].release.breakdowns["band"].values())
    assert report["timeliness"].figures["median_decision"].value == 10.0
    assert report["timeliness"].figures["median_first_session"].value is None  # over 2 referrals
    assert report["allocation_list"].release.total.suppressed  # 4 referrals
    internal = {s.indicator.code: s for s in internal_report(Q1, Filters(), codes).sections}
    assert internal["allocation_list"].breakdowns["state"] == {"allocated": 1, "waiting": 3}
    assert internal["timeliness"].figures["n_consultation"] == 3
