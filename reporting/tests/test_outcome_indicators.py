"""Outcome indicators on small hand-made data, with the expected figures worked out here:
improved wellbeing (CORC, computed in SQL and checked against ``outcomes.scoring`` and
``outcomes.summary``), a trusted adult, finding help, standardised tool use and feedback; constant
queries; and they go through the suppressed and internal reports."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from episodes.models import Episode, EpisodeEvent
from outcomes import scoring, summary
from outcomes.models import (
    AnonymousFeedback,
    GoalRating,
    Instrument,
    Measurement,
    MeasurementPoint,
    NamedFeedback,
)
from people.tests.factories import ChildFactory
from plans.models import Goal, Plan
from reporting import periods
from reporting.filters import Filters
from reporting.queries import outcomes as q

pytestmark = pytest.mark.django_db
D = datetime.date
Q1 = periods.quarter(2026, 1)  # April to June 2026


def _episode(child, opened, by, closed=None) -> Episode:
    episode = Episode.objects.create(child=child, opened_on=opened, opened_from="referral", opened_by=by,
                                     status="closed" if closed else "open")  # fmt: skip
    EpisodeEvent.objects.create(episode=episode, kind="opened", on=opened, recorded_by=by)
    if closed:
        EpisodeEvent.objects.create(episode=episode, kind="closed", on=closed, recorded_by=by)
    return episode


def _point(episode, kind, day, status="done", reason="") -> MeasurementPoint:
    found = MeasurementPoint.objects.filter(episode=episode, kind=kind, due_on=day).first()
    return found or MeasurementPoint.objects.create(
        child=episode.child, episode=episode, kind=kind, due_on=day, status=status, not_done_reason=reason
    )


def result(episode, kind, day, code, by, score=None, answer="") -> Measurement:
    point = _point(episode, kind, day)
    return Measurement.objects.create(
        child=episode.child, point=point, instrument=Instrument.objects.get(code=code), taken_on=day,
        score=None if score is None else Decimal(score), answer=answer, source="with_practitioner", recorded_by=by,
    )  # fmt: skip


def rate(episode, goal, kind, day, value, by) -> GoalRating:
    return GoalRating.objects.create(child=episode.child, goal=goal, point=_point(episode, kind, day), value=value,
                                     rated_by="young_person", rated_on=day, recorded_by=by)  # fmt: skip


@pytest.fixture
def young_people(south, alice):
    """Ten young people; the expected category of each is in its comment. SWEMWBS's threshold
    is 1.96 × 3.92 × √2 × √0.12 ≈ 3.76 (metric); WEMWBS and SDQ get fixed thresholds here."""
    Instrument.objects.filter(code="wemwbs").update(rc_method="fixed", rc_threshold=Decimal("4.000"))
    Instrument.objects.filter(code="sdq").update(rc_method="fixed", rc_threshold=Decimal("3.000"))  # lower is better
    kids = {}
    start, review, late = D(2026, 4, 5), D(2026, 6, 1), D(2026, 7, 2)

    def kid(name, closed=None, **fields):
        child = ChildFactory(service=south, **fields)
        kids[name] = (child, _episode(child, D(2026, 1, 10), alice, closed))
        return kids[name][1]

    e = kid("improved", gender="female")  # 17.43 → 22.35: +4.92 > 3.76; trusted adult no → yes
    result(e, "start", start, "swemwbs", alice, "17.43")
    result(e, "start", start, "trusted_adult", alice, answer="no")
    result(e, "review", review, "swemwbs", alice, "22.35")
    result(e, "review", review, "trusted_adult", alice, answer="yes")
    result(e, "review", review, "knows_help", alice, answer="yes")
    e = kid("worse", gender="female")  # 22.35 → 17.43: deterioration; trusted adult yes → yes
    result(e, "start", start, "swemwbs", alice, "22.35")
    result(e, "start", start, "trusted_adult", alice, answer="yes")
    result(e, "review", review, "swemwbs", alice, "17.43")
    result(e, "review", review, "trusted_adult", alice, answer="yes")
    e = kid("same", gender="male")  # +2.00 ≤ 3.76: no reliable change; trusted adult asked once
    result(e, "start", start, "swemwbs", alice, "20.00")
    result(e, "start", start, "trusted_adult", alice, answer="yes")
    result(e, "review", review, "swemwbs", alice, "22.00")
    e = kid("mixed", gender="male")  # SWEMWBS better, SDQ 10 → 15 worse (lower is better): mixed
    result(e, "start", start, "swemwbs", alice, "17.43")
    result(e, "start", start, "sdq", alice, "10")
    result(e, "start", start, "trusted_adult", alice, answer="not_sure")
    result(e, "review", review, "swemwbs", alice, "22.35")
    result(e, "review", review, "sdq", alice, "15")
    result(e, "review", review, "trusted_adult", alice, answer="no")
    e = kid("once", gender="female")  # one SWEMWBS only (at a review; the start declined): unpaired
    _point(e, "start", start, status="not_done", reason="declined")
    result(e, "review", review, "swemwbs", alice, "20.00")
    e = kid("none", gender="female")  # nothing: not measured; a review not done
    _point(e, "review", review, status="not_done", reason="not_right_time")
    e = kid("goals", gender="male")  # GBO only: goals 2 → 7 and 5 → 5, mean +2.5 > 2.45: improvement
    plan = Plan.objects.create(child=kids["goals"][0], language="en", updated_by=alice, next_review_on=late)
    one, two = Goal.objects.create(plan=plan, text="One"), Goal.objects.create(plan=plan, text="Two")
    rate(e, one, "start", start, 2, alice)
    rate(e, two, "start", start, 5, alice)
    rate(e, one, "review", review, 7, alice)
    rate(e, two, "review", review, 5, alice)
    e = kid("boundary", gender="male")  # WEMWBS 40 → 44: exactly the threshold 4, no reliable change
    result(e, "start", start, "wemwbs", alice, "40")
    result(e, "review", review, "wemwbs", alice, "44")
    e = kid("later", gender="female")  # its second result comes after the quarter: unpaired at its end
    result(e, "start", start, "swemwbs", alice, "17.43")
    result(e, "review", late, "swemwbs", alice, "30.00")
    e = kid("gone", closed=D(2026, 3, 1))  # supported before the quarter only: not counted
    result(e, "start", D(2026, 1, 20), "swemwbs", alice, "17.43")
    result(e, "review", D(2026, 2, 20), "swemwbs", alice, "22.35")
    return kids


def test_improved_wellbeing_by_corc_category_with_paired_n_and_not_done_reasons(young_people):
    assert q.improved_wellbeing(Q1, Filters()) == {
        "reliable_improvement": 2,  # improved, goals
        "no_reliable_change": 2,  # same, boundary
        "reliable_deterioration": 1,  # worse
        "mixed": 1,
        "unpaired": 2,  # once, later
        "not_measured": 1,  # none
    }
    figures = q._wellbeing_figures(Q1, Filters())
    assert figures["paired"] == 6
    assert figures["reliable_improvement"] == q.Share(2, 6)
    assert figures["reliable_deterioration"] == q.Share(1, 6)
    assert figures["no_reliable_change"] == q.Share(2, 6)
    assert (figures["unpaired"], figures["not_measured"]) == (2, 1)
    assert figures["not_done_declined"] == 1 and figures["not_done_not_right_time"] == 1
    assert figures["not_done_unable"] == 0
    assert q.improved_wellbeing(Q1, Filters(), by="gender") == {"female": 5, "male": 4}
    assert q.improved_wellbeing(Q1, Filters(gender="male")) == {
        "reliable_improvement": 1, "no_reliable_change": 2, "mixed": 1,
    }  # fmt: skip


def test_the_sql_category_agrees_with_outcomes_summary_for_each_young_person(young_people):
    """The same data through ``outcomes.summary.summarise`` (Python, per young person) gives the
    same CORC category as the query (results up to the quarter's end)."""
    annotated = q.wellbeing_of_each(Q1, Filters())
    gbo = Instrument.objects.get(code="gbo")
    for name, (child, episode) in young_people.items():
        if name == "gone":
            assert child.pk not in annotated
            continue
        measurements = list(
            Measurement.objects.filter(point__episode=episode, taken_on__lte=Q1.end).select_related("instrument")
        )
        ratings = list(
            GoalRating.objects.filter(point__episode=episode, rated_on__lte=Q1.end).order_by("rated_on", "pk")
        )
        wellbeing = [m for m in measurements if m.instrument.scoring != "question"]
        corc = summary.summarise(wellbeing, ratings, gbo).corc
        expected = str(corc) if corc is not None else ("unpaired" if wellbeing or ratings else "not_measured")
        assert annotated[child.pk] == expected, name


def test_the_sql_change_category_agrees_with_scoring_on_random_and_boundary_scores(south, alice):
    """``scoring.change_category`` is the rule; the query restates it in SQL. On SWEMWBS (higher
    is better, threshold ≈ 3.7637) and SDQ with a fixed 3.000 (lower is better), random pairs and
    pairs at the thresholds get the same category."""
    Instrument.objects.filter(code="sdq").update(rc_method="fixed", rc_threshold=Decimal("3.000"))
    swemwbs, sdq = Instrument.objects.get(code="swemwbs"), Instrument.objects.get(code="sdq")
    pick = random.Random(15)
    pairs = [("swemwbs", Decimal("20.00"), Decimal("20.00") + Decimal(d)) for d in ("3.76", "3.77", "-3.76", "-3.77")]
    pairs += [("sdq", Decimal("10"), Decimal("10") + Decimal(d)) for d in ("3", "-3", "3.01", "-3.01")]
    for _ in range(16):
        code = pick.choice(["swemwbs", "sdq"])
        pairs.append((code, Decimal(pick.randint(700, 3500)) / 100, Decimal(pick.randint(700, 3500)) / 100))
    expected = {}
    for first, latest, code in ((f, lt, c) for c, f, lt in pairs):
        child = ChildFactory(service=south)
        episode = _episode(child, D(2026, 1, 1), alice)
        result(episode, "start", D(2026, 4, 2), code, alice, first)
        result(episode, "review", D(2026, 5, 2), code, alice, latest)
        rule = (swemwbs if code == "swemwbs" else sdq).change_rule()
        category = scoring.change_category(first=first, latest=latest, rule=rule)
        expected[child.pk] = scoring.corc_category([category])
    with CaptureQueriesContext(connection) as run:
        found = q.wellbeing_of_each(Q1, Filters())
    assert len(run) == 2  # the instruments, then the young people
    assert found == {pk: str(c) for pk, c in expected.items()}


def test_trusted_adult_and_finding_help_at_start_and_latest(young_people):
    # Cohort of 9: improved (no → yes), worse (yes → yes), mixed (not sure → no) paired; same once.
    assert q._trusted_adult(Q1, Filters()) == {"yes": 2, "no": 1, "once": 1, "not_asked": 5}
    figures = q._trusted_adult_figures(Q1, Filters())
    assert figures == {"paired": 3, "start_yes": q.Share(1, 3), "latest_yes": q.Share(2, 3)}
    assert q._knows_help(Q1, Filters()) == {"once": 1, "not_asked": 8}
    assert q._knows_help_figures(Q1, Filters())["paired"] == 0


def test_use_of_a_standardised_tool_with_not_done_reasons(young_people):
    # Start and review: improved, worse, same, mixed, goals, boundary; start only: later (its
    # review is after the quarter); review only: once; neither: none.
    assert q.tool_use(Q1, Filters()) == {"start_and_review": 6, "start_only": 1, "review_only": 1, "neither": 1}
    figures = q._tool_use_figures(Q1, Filters())
    assert figures["supported"] == 9
    assert figures["with_start"] == q.Share(7, 9) and figures["with_review"] == q.Share(7, 9)
    assert figures["not_done_declined"] == 1 and figures["not_done_not_right_time"] == 1


def test_a_single_question_at_a_point_is_not_a_standardised_tool(south, alice):
    episode = _episode(ChildFactory(service=south), D(2026, 1, 1), alice)
    result(episode, "start", D(2026, 4, 2), "trusted_adult", alice, answer="yes")
    assert q.tool_use(Q1, Filters()) == {"neither": 1}


def test_feedback_by_statement_and_answer_named_and_anonymous_together(south, north, alice, child):
    # 2026Q1 (April–June) is the calendar quarter "2026-Q2".
    assert q.feedback_quarters(Q1) == ["2026-Q2"]
    assert q.feedback_quarters(periods.year(2026)) == ["2026-Q2", "2026-Q3", "2026-Q4", "2027-Q1"]
    assert q.feedback_quarters(periods.parse("2026-05-01..2026-09-30")) == ["2026-Q3"]

    def named(quarter, day, **answers):
        NamedFeedback.objects.create(child=child, service=south, quarter=quarter, respondent="young_person",
                                     given_on=day, recorded_by=alice, **answers)  # fmt: skip

    named("2026-Q2", D(2026, 4, 10), listened="yes", could_choose="no")
    named("2026-Q2", D(2026, 6, 10), listened="yes")
    named("2026-Q3", D(2026, 7, 10), listened="no")  # next quarter
    AnonymousFeedback.objects.create(service=south, quarter="2026-Q2", respondent="carer", listened="yes")
    AnonymousFeedback.objects.create(service=south, quarter="2026-Q2", respondent="carer", listened="sort_of")
    AnonymousFeedback.objects.create(service=north, quarter="2026-Q2", respondent="carer", listened="no")
    mine = Filters(service_id=south.pk)
    assert q.feedback_by_respondent(Q1, mine) == {"young_person": 2, "carer": 2}
    figures = q._feedback_figures(Q1, mine)
    assert figures["answers"] == 4
    assert (figures["listened_yes"], figures["listened_sort_of"], figures["listened_no"]) == (3, 1, 0)
    assert (figures["could_choose_no"], figures["could_choose_not_answered"]) == (1, 3)
    assert q._feedback_figures(Q1, Filters())["listened_no"] == 1  # north's anonymous answer


def test_outcome_indicators_cost_the_same_queries_whatever_the_data_size(young_people, south, alice):
    def cost() -> list[int]:
        found = []
        for run in (
            lambda: q._wellbeing_figures(Q1, Filters()),
            lambda: q.improved_wellbeing(Q1, Filters(), by="age_band"),
            lambda: q._trusted_adult_figures(Q1, Filters()),
            lambda: q._tool_use_figures(Q1, Filters()),
            lambda: q._feedback_figures(Q1, Filters()),
        ):
            with CaptureQueriesContext(connection) as queries_run:
                run()
            found.append(len(queries_run))
        return found

    small = cost()
    for n in range(5):
        e = _episode(ChildFactory(service=south), D(2026, 1, 1), alice)
        result(e, "start", D(2026, 4, 2), "swemwbs", alice, "17.43")
        result(e, "review", D(2026, 5, 2 + n), "swemwbs", alice, "25.03")
        result(e, "review", D(2026, 5, 2 + n), "trusted_adult", alice, answer="yes")
    assert cost() == small


def test_outcome_indicators_go_through_the_suppressed_and_internal_reports(young_people):
    from reporting.report import internal_report, suppressed_report

    codes = ["improved_wellbeing", "trusted_adult", "knows_help", "outcome_tool_use", "feedback"]
    report = suppressed_report(Q1, Filters(), codes)
    sections = {s.indicator.code: s for s in report.sections}
    wellbeing = sections["improved_wellbeing"]
    assert str(wellbeing.release.total) == "9"
    assert all(c.suppressed for c in wellbeing.release.breakdowns["category"].values())  # each under 5
    assert str(wellbeing.figures["paired"]) == "6"
    assert wellbeing.figures["reliable_improvement"].value is None  # 2 of 6: a small numerator
    assert sections["outcome_tool_use"].figures["with_start"].value == 77.8  # 7 of 9
    internal = {s.indicator.code: s for s in internal_report(Q1, Filters(), codes).sections}
    assert internal["improved_wellbeing"].breakdowns["category"]["reliable_improvement"] == 2
    assert internal["outcome_tool_use"].figures["with_start"] == q.Share(7, 9)
    assert internal["feedback"].breakdowns == {"respondent": {}}


def test_goal_based_outcomes_on_the_mean_or_per_goal_as_the_instrument_says(south, alice):
    """GBO's fixed threshold 2.45. "split": goals 2 → 5 (+3) and 6 → 4 (−2), mean +0.5: no reliable
    change on the mean, improvement per goal. "both": 2 → 5 (+3) and 6 → 3 (−3): per goal one
    better and one worse – CORC's "mixed", which ``summarise`` counts as no reliable change for
    the GBO – and mean 0. Each time the query agrees with ``outcomes.summary``."""
    kids = {}
    for changes in ([(2, 5), (6, 4)], [(2, 5), (6, 3)]):  # "split", then "both"
        child = ChildFactory(service=south)
        episode = _episode(child, D(2026, 1, 1), alice)
        plan = Plan.objects.create(child=child, language="en", updated_by=alice, next_review_on=D(2026, 9, 1))
        for n, (first, latest) in enumerate(changes):
            goal = Goal.objects.create(plan=plan, text=f"Goal {n}")
            rate(episode, goal, "start", D(2026, 4, 2), first, alice)
            rate(episode, goal, "review", D(2026, 5, 2), latest, alice)
        kids[child.pk] = episode

    def both_ways() -> dict[int, tuple[str, str]]:
        gbo = Instrument.objects.get(code="gbo")
        found = q.wellbeing_of_each(Q1, Filters())
        out = {}
        for pk, episode in kids.items():
            ratings = list(GoalRating.objects.filter(point__episode=episode).order_by("rated_on", "pk"))
            out[pk] = (found[pk], str(summary.summarise([], ratings, gbo).corc))
        return out

    split, mixed = list(kids)
    on_mean = both_ways()
    assert on_mean[split] == ("no_reliable_change", "no_reliable_change")
    assert on_mean[mixed] == ("no_reliable_change", "no_reliable_change")
    Instrument.objects.filter(code="gbo").update(rc_applies_to="per_goal")
    per_goal = both_ways()
    assert per_goal[split] == ("reliable_improvement", "reliable_improvement")
    assert per_goal[mixed] == ("no_reliable_change", "no_reliable_change")
