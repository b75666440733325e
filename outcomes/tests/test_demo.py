"""The demo outcome series: deterministic, idempotent, each story in its category."""

from __future__ import annotations

import datetime
import random

import pytest
from django.utils import timezone

from episodes.models import Episode
from outcomes import demo, schedule
from outcomes.models import Measurement, MeasurementPoint
from outcomes.summary import summarise
from people.tests.factories import ChildFactory

pytestmark = pytest.mark.django_db


def test_demo_series_are_deterministic_idempotent_and_tell_their_story(south, manager, alice):
    kids = [ChildFactory(service=south) for _ in range(12)]
    for kid in kids:
        Episode.objects.create(
            child=kid,
            opened_on=timezone.localdate() - datetime.timedelta(days=200),
            opened_from="returning",
            opened_by=alice,
        )
    demo.seed(service=south, manager=manager, practitioners=[alice], children=kids, rng=random.Random(1))
    counts = (MeasurementPoint.objects.count(), Measurement.objects.count())
    demo.seed(service=south, manager=manager, practitioners=[alice], children=kids, rng=random.Random(2))
    assert (MeasurementPoint.objects.count(), Measurement.objects.count()) == counts
    seen = set()
    for kid in kids:
        story = random.Random(f"outcomes-{kid.pk}").choice(demo.STORIES)
        seen.add(story)
        if story == "declined":
            assert MeasurementPoint.objects.get(child=kid, kind="start").not_done_reason == "declined"
            continue
        results = list(Measurement.objects.filter(child=kid).select_related("instrument"))
        category = summarise(results, [], None).rows[0].category
        expected = {
            "improving": "reliable_improvement",
            "deteriorating": "reliable_deterioration",
            "unchanged": "no_reliable_change",
        }
        assert category == expected[story]
    assert len(seen) >= 3
    # Each has a review still waiting; some are overdue and some due soon (outcomes.schedule).
    today = timezone.localdate()
    waiting = schedule.waiting_points(MeasurementPoint.objects.filter(child__in=kids), today=today)
    states = [schedule.due_state(p.due_on, today=today) for p in waiting]
    assert len(states) == len(kids)
    assert states.count(schedule.DueState.OVERDUE) >= 3 and states.count(schedule.DueState.DUE) >= 3


def test_demo_feedback_fills_last_quarter_once(south, manager, alice):
    from outcomes import feedback
    from outcomes.models import AnonymousFeedback, NamedFeedback

    kids = [ChildFactory(service=south) for _ in range(3)]
    for _ in range(2):
        demo.seed_feedback(service=south, manager=manager, children=kids)
    assert AnonymousFeedback.objects.filter(service=south).count() == len(demo.ANONYMOUS)
    assert NamedFeedback.objects.count() == 2
    (quarter,) = set(AnonymousFeedback.objects.values_list("quarter", flat=True))
    assert quarter != feedback.quarter_of(timezone.localdate())  # last quarter: this one stays empty
    summary = {q.quarter: q for q in feedback.service_summary(manager, south)}[quarter]
    assert summary.answers.value == len(demo.ANONYMOUS)
    assert summary.comments and any(cell.suppressed for row in summary.rows for cell in row.cells)
