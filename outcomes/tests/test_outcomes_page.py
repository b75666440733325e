"""The young person's outcomes page: first, latest, change and category per measure, the CORC
category across measures, paired n; GBO per goal; constant queries; strangers get 404."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from episodes import services as episode_services
from outcomes import services
from outcomes.models import GoalRating, MeasurementPoint
from plans.models import Goal, Plan

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def episode(child, alice):
    return episode_services.open_episode(
        by=alice, child=child, opened_on=TODAY() - datetime.timedelta(days=300), opened_from="returning"
    )


@pytest.fixture
def goal(child, alice):
    plan = Plan.objects.create(
        child=child, language="en", updated_by=alice, next_review_on=TODAY() + datetime.timedelta(days=60)
    )
    return Goal.objects.create(plan=plan, text="Sleep better")


def measure(alice, episode, kind, days_ago, items, goal=None, rating=None, trusted=None):
    if kind == "start":  # created when the episode opened
        point = MeasurementPoint.objects.get(episode=episode, kind="start")
    else:
        point = services.schedule_point(
            by=alice, episode=episode, kind=kind, due_on=TODAY() - datetime.timedelta(days=days_ago)
        )
    answers = {"swemwbs": {str(n): str(v) for n, v in enumerate(items, 1)}}
    if trusted:
        answers["trusted_adult"] = {"answer": trusted}
    services.record_point(
        by=alice, point=point, key=f"k{days_ago}", taken_on=TODAY() - datetime.timedelta(days=days_ago), source="with_practitioner", answers=answers,
        goal_ratings={str(goal.uuid): str(rating)} if goal else {}, rated_by="young_person",
    )  # fmt: skip
    return point


def test_improvement_is_shown_per_measure_and_across_measures(client_for, alice, child, episode, goal):
    measure(alice, episode, "start", 290, [3, 3, 3, 3, 2, 2, 2], goal, 2, trusted="no")  # raw 18 → 17.43
    measure(alice, episode, "review", 100, [4, 4, 4, 4, 3, 3, 3], goal, 7, trusted="yes")  # raw 25 → 22.35
    GoalRating.objects.create(
        child=child,
        goal=goal,
        value=9,
        rated_by="young_person",
        rated_on=TODAY() - datetime.timedelta(days=50),
        recorded_by=alice,
    )
    page = client_for(alice).get(reverse("outcomes:child_outcomes", args=[child.pk])).content.decode()
    assert "17.43" in page and "22.35" in page and "4.92" in page
    assert "Reliable improvement" in page  # SWEMWBS 4.92 > 3.76, and CORC across measures
    assert "CORC category (across measures" in page
    assert "Sleep better" in page and "between measurement points: not counted" in page
    assert "Mean change over goals with a first and a latest rating: 5." in page  # 7 − 2, the 9 not counted
    assert "3 measures with a first and a latest result; 0 with only one." in page  # SWEMWBS, trusted adult, GBO
    assert "Not sure" not in page and "Yes" in page


def test_deterioration_on_one_measure_is_not_a_corc_improvement(client_for, alice, child, episode, goal):
    measure(alice, episode, "start", 290, [4, 4, 4, 4, 3, 3, 3], goal, 2)  # 22.35
    measure(alice, episode, "review", 100, [3, 3, 3, 3, 2, 2, 2], goal, 8)  # 17.43: deterioration; GBO +6
    page = client_for(alice).get(reverse("outcomes:child_outcomes", args=[child.pk])).content.decode()
    assert "Reliable deterioration" in page and "Mixed: reliable improvement and deterioration" in page


def test_queries_are_constant_in_the_number_of_measurements(client_for, alice, child, episode, goal):
    client = client_for(alice)
    url = reverse("outcomes:child_outcomes", args=[child.pk])
    measure(alice, episode, "start", 290, [3] * 7, goal, 2)
    measure(alice, episode, "review", 280, [3] * 7, goal, 3)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(20):
        measure(alice, episode, "review", 270 - n * 10, [4] * 7, goal, 5)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


def test_strangers_get_404(client_for, charlie, bob, child, episode):
    for user in (charlie, bob):
        assert client_for(user).get(reverse("outcomes:child_outcomes", args=[child.pk])).status_code == 404


def test_the_record_links_to_the_outcomes_page(client_for, alice, child):
    page = client_for(alice).get(reverse("people:detail", args=[child.pk])).content.decode()
    assert f'href="{reverse("outcomes:child_outcomes", args=[child.pk])}"' in page
