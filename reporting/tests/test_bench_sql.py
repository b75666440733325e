"""The hand-written SQL of ``bench/report_sql/`` agrees with Nyth's computation on small data.

``bench/report.py`` compares them at national scale, where some tables may be empty or their
data too regular to tell a wrong rule from a right one. Here both run on data made to hit the
rules' edges – several episodes a young person, one closed before the quarter, results after
it, ties on a date, a change of exactly the threshold, lower-is-better measures, GBO on the mean
and per goal, blank answers, not-done points, contacts near midnight, a second region – and
their numbers must be the same, compared as ``bench/report.py`` does. The SQL is PostgreSQL's.
"""

from __future__ import annotations

import datetime
import importlib.util
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import Organisation, OrganisationType
from contacts.models import Contact
from episodes.models import Episode, EpisodeEvent
from outcomes.models import AnonymousFeedback, GoalRating, Instrument, Measurement, MeasurementPoint, NamedFeedback
from outcomes.scoring import SWEMWBS_METRIC
from people.tests.factories import ChildFactory
from plans.models import Goal, Plan
from referrals.tests.factories import ReferralFactory
from reporting import periods
from reporting.filters import Filters
from reporting.report import internal_report

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("bench_report", ROOT / "bench" / "report.py")
assert _spec is not None and _spec.loader is not None
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the hand-written SQL is PostgreSQL's"),
]
D = datetime.date
Q1 = periods.quarter(2026, 1)  # April to June 2026
CODES = [
    "improved_wellbeing",
    "trusted_adult",
    "knows_help",
    "outcome_tool_use",
    "feedback",
    "active_offer_referrals",
    "active_offer_young_people",
    "language_of_young_people",
    "contact_language",
]


def disagreements(code: str, period: periods.Period, region_id: int) -> tuple[list[str], dict[Any, Any]]:
    section = internal_report(period, Filters(region_id=region_id), [code]).sections[0]
    params = {"start": period.start, "end": period.end, "region": region_id}
    with connection.cursor() as cursor:
        cursor.execute((ROOT / "bench" / "report_sql" / f"{code}.sql").read_text(), params)
        rows = cursor.fetchall()
    nyth = bench.nyth_numbers(section)
    return bench.differences(nyth, bench.sql_numbers(rows)), nyth


def at(day: datetime.date, hour: int = 12, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def day_between(pick: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=pick.randint(0, (last - first).days))


def make_data(south: Organisation, north: Organisation, alice: Any, children: int) -> None:
    """``children`` young people with random records, four in five in ``south`` (seeded, so a
    failure is repeatable)."""
    pick = random.Random(20261207)
    Instrument.objects.filter(code="wemwbs").update(rc_method="fixed", rc_threshold=Decimal("4.000"))
    Instrument.objects.filter(code="sdq").update(rc_method="fixed", rc_threshold=Decimal("3.000"))  # lower better
    instruments = {i.code: i for i in Instrument.objects.all()}
    metric = list(SWEMWBS_METRIC.values())

    def score(code: str) -> Decimal | None:
        if code == "swemwbs":
            return pick.choice(metric)
        if code == "wemwbs":
            return Decimal(pick.choice([40, 44, 36, 48, 41, 52]))
        if code == "sdq":
            return pick.choice([Decimal(10), Decimal(13), Decimal(7), Decimal("13.01"), Decimal(16), None])
        return Decimal(pick.randint(0, 40))  # cors: no reliable change rule

    def episode(child: Any, opened: datetime.date, closed: datetime.date | None) -> Episode:
        e = Episode.objects.create(child=child, opened_on=opened, opened_from="referral", opened_by=alice,
                                   status="closed" if closed else "open")  # fmt: skip
        EpisodeEvent.objects.create(episode=e, kind="opened", on=opened, recorded_by=alice)
        if closed:
            EpisodeEvent.objects.create(episode=e, kind="closed", on=closed, recorded_by=alice)
        return e

    def measure(e: Episode, goals: list[Goal]) -> None:
        kinds = ["start"] + ["review"] * pick.randint(0, 3) + (["end"] if pick.random() < 0.2 else [])
        previous: datetime.date | None = None
        for kind in kinds:
            due = day_between(pick, D(2026, 2, 1), D(2026, 8, 15))
            if previous is not None and pick.random() < 0.15:
                due = previous  # two points on one day: ties broken by id
            previous = due
            if pick.random() < 0.2:
                MeasurementPoint.objects.create(child=e.child, episode=e, kind=kind, due_on=due, status="not_done",
                                                not_done_reason=pick.choice(["declined", "not_right_time", "unable",
                                                                             "not_suitable"]))  # fmt: skip
                continue
            status = pick.choice(["done", "done", "due"])
            point = MeasurementPoint.objects.create(child=e.child, episode=e, kind=kind, due_on=due, status=status)
            questions = [q for q in ("trusted_adult", "knows_help") if pick.random() < 0.7]
            for code in pick.sample(["swemwbs", "wemwbs", "sdq", "cors"], 2) + questions:
                question = code in ("trusted_adult", "knows_help")
                Measurement.objects.create(
                    child=e.child, point=point, instrument=instruments[code], taken_on=due, source="with_practitioner",
                    recorded_by=alice, score=None if question else score(code),
                    answer=pick.choice(["yes", "no", "not_sure", ""]) if question else "",
                )  # fmt: skip
            for goal in goals:
                if pick.random() < 0.7:
                    GoalRating.objects.create(child=e.child, goal=goal, point=point, value=pick.randint(0, 10),
                                              rated_by="young_person", rated_on=due, recorded_by=alice)  # fmt: skip
        for goal in goals[:1]:  # a rating between points decides nothing
            GoalRating.objects.create(child=e.child, goal=goal, point=None, value=pick.randint(0, 10),
                                      rated_by="young_person", rated_on=D(2026, 5, 20), recorded_by=alice)  # fmt: skip

    # Changes at the thresholds (WEMWBS 4 and SDQ 3 fixed here, SWEMWBS ≈ 3.7637): exactly the
    # threshold is no reliable change, a hundredth more is reliable.
    for code, first, latest in [("wemwbs", "40", "44"), ("sdq", "10", "13"), ("sdq", "10", "13.01"),
                                ("swemwbs", "20.00", "23.76"), ("swemwbs", "20.00", "16.23")]:  # fmt: skip
        e = episode(ChildFactory(service=south), D(2026, 1, 10), None)
        for kind, day, value in (("start", D(2026, 4, 2), first), ("review", D(2026, 6, 2), latest)):
            point = MeasurementPoint.objects.create(child=e.child, episode=e, kind=kind, due_on=day, status="done")
            Measurement.objects.create(child=e.child, point=point, instrument=instruments[code], taken_on=day,
                                       source="with_practitioner", recorded_by=alice, score=Decimal(value))  # fmt: skip
    for n in range(children):
        service = south if n < children * 4 // 5 else north
        offer = pick.choice(["not_made", "welsh", "english", "both", "no_answer"])
        child = ChildFactory(
            service=service,
            date_of_birth=day_between(pick, D(2000, 1, 1), D(2026, 9, 1)),
            gender=pick.choice(["female", "male", ""]),
            ethnicity=pick.choice(["white_british", "white_irish", ""]),
            preferred_language=pick.choice(["cy", "en", "other"]),
            active_offer=offer,
            active_offer_date=None if offer == "not_made" or pick.random() < 0.3 else day_between(
                pick, D(2025, 6, 1), D(2026, 9, 1)),
        )  # fmt: skip
        goals = []
        if pick.random() < 0.5:
            plan = Plan.objects.create(child=child, language="en", updated_by=alice, next_review_on=D(2026, 9, 1))
            goals = [Goal.objects.create(plan=plan, text=f"Goal {g}") for g in range(pick.randint(1, 3))]
        shape = pick.random()
        if shape < 0.25:  # an earlier episode closed (before or in the quarter), then a later one
            first_closed = day_between(pick, D(2025, 12, 1), D(2026, 5, 1))
            earlier = episode(child, D(2025, 6, 1), first_closed)
            measure(earlier, goals)
            opened = day_between(pick, first_closed, D(2026, 7, 31))
        else:
            opened = day_between(pick, D(2025, 9, 1), D(2026, 7, 15))
        closed = None
        if pick.random() < 0.3:
            closed = opened + datetime.timedelta(days=pick.randint(0, 200))
        measure(episode(child, opened, closed), goals)
        for k in range(pick.randint(0, 4)):
            day = day_between(pick, D(2026, 3, 25), D(2026, 7, 5))
            Contact.objects.create(
                child=child, kind=pick.choice(["individual", "family", "consultation", "out_of_hours"]),
                attendance=pick.choice(["attended", "attended", "did_not_attend", "cancelled_service"]),
                # 23:30 on 30 June is 00:30 on 1 July in Europe/London (BST): next quarter
                starts_at=at(day, 23, 30) if k == 0 else at(day), practitioner=alice, recorded_by=alice,
                idempotency_key=f"c{n}-{k}", duration_minutes=50, language=pick.choice(["cy", "en", "bilingual", "other"]),
                location="school",
            )  # fmt: skip
        if pick.random() < 0.5:
            ReferralFactory(service=service, child=child if pick.random() < 0.5 else None,
                            active_offer_made=pick.random() < 0.5, route=pick.choice(["staff", "public", "phone"]),
                            received_at=at(day_between(pick, D(2026, 3, 25), D(2026, 7, 5)), 23, 30),
                            preferred_language=pick.choice(["cy", "en"]),
                            date_of_birth=day_between(pick, D(2000, 1, 1), D(2026, 9, 1)))  # fmt: skip
        for quarter in ("2026-Q1", "2026-Q2", "2026-Q3"):
            answers = {s: pick.choice(["yes", "sort_of", "no", ""]) for s in
                       ("listened", "could_choose", "knew_contact", "good_time", "would_recommend")}  # fmt: skip
            respondent = pick.choice(["young_person", "carer", "professional"])
            if pick.random() < 0.5:
                NamedFeedback.objects.create(child=child, service=service, quarter=quarter, respondent=respondent,
                                             given_on=D(2026, 5, 1), recorded_by=alice, **answers)  # fmt: skip
            else:
                AnonymousFeedback.objects.create(service=service, quarter=quarter, respondent=respondent, **answers)


@pytest.fixture
def regions(south: Organisation, north: Organisation) -> tuple[int, int]:
    boards = list(Organisation.objects.filter(type=OrganisationType.REGIONAL_PARTNERSHIP_BOARD).order_by("pk")[:2])
    south.region, north.region = boards
    south.save(update_fields=["region"])
    north.save(update_fields=["region"])
    return boards[0].pk, boards[1].pk


def test_the_hand_written_sql_agrees_with_nyth_on_random_records(south, north, alice, regions):
    # 20 young people keep the test fast: Nyth's improved wellbeing is its correlated subqueries'
    # (over a second a call for 40 young people here). With 80 and the year for every indicator
    # the two agree too (checked on 2026-12-07).
    make_data(south, north, alice, children=20)
    seen: dict[str, dict[Any, Any]] = {}
    # The first region (the second's records must be left out), and the year for feedback's
    # quarters and the Welsh indicators (cheap on Nyth's side).
    runs = [(Q1, code) for code in CODES] + [(periods.year(2026), code) for code in CODES[4:]]
    region_id = regions[0]
    for period, code in runs:
        problems, nyth = disagreements(code, period, region_id)
        assert problems == [], (code, period.code, region_id, problems[:10])
        seen.setdefault(code, nyth)
    # The data reach every category, so agreement is not agreement on zeros.
    wellbeing = seen["improved_wellbeing"]
    for category in ("reliable_improvement", "no_reliable_change", "reliable_deterioration", "mixed", "unpaired"):
        assert wellbeing.get(("category", category), 0) > 0, category
    for answer in ("yes", "no", "not_sure", "once"):
        assert seen["trusted_adult"].get(("answer", answer), 0) > 0, (answer, seen["trusted_adult"])
    for use in ("start_and_review", "start_only"):
        assert seen["outcome_tool_use"].get(("use", use), 0) > 0, (use, seen["outcome_tool_use"])
    assert seen["feedback"][("figure", "answers")] > 0 and seen["contact_language"][("figure", "contacts")] > 0


def test_goal_based_outcomes_judged_per_goal_as_the_sql_has_them(south, alice, regions):
    """GBO's threshold (2.45) applied to each goal (the test above has it on the mean): goals
    moving apart (one better, one worse), together, or by ±2 and ±3, a SWEMWBS change beside some."""
    pick = random.Random(15)
    swemwbs = Instrument.objects.get(code="swemwbs")
    for n in range(12):
        child = ChildFactory(service=south)
        e = Episode.objects.create(child=child, opened_on=D(2026, 1, 5), opened_from="referral", opened_by=alice)
        plan = Plan.objects.create(child=child, language="en", updated_by=alice, next_review_on=D(2026, 9, 1))
        goals = [Goal.objects.create(plan=plan, text=f"Goal {g}") for g in range(1 + n % 3)]
        for kind, day in (("start", D(2026, 4, 3)), ("review", D(2026, 6, 3))):
            point = MeasurementPoint.objects.create(child=child, episode=e, kind=kind, due_on=day, status="done")
            for goal in goals:
                GoalRating.objects.create(child=child, goal=goal, point=point, value=pick.choice([2, 4, 5, 7, 8]),
                                          rated_by="young_person", rated_on=day, recorded_by=alice)  # fmt: skip
            if n % 4 == 0:
                Measurement.objects.create(child=child, point=point, instrument=swemwbs, taken_on=day,
                                           source="with_practitioner", recorded_by=alice,
                                           score=pick.choice(list(SWEMWBS_METRIC.values())))  # fmt: skip
    Instrument.objects.filter(code="gbo").update(rc_applies_to="per_goal")
    problems, nyth = disagreements("improved_wellbeing", Q1, regions[0])
    assert problems == [], problems[:10]
    assert nyth[("figure", "paired")] == 12
    for category in ("reliable_improvement", "no_reliable_change", "reliable_deterioration"):
        assert nyth.get(("category", category), 0) > 0, (category, nyth)
