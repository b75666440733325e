"""The plan review page shows the change since start beside the goals: each goal's GBO first,
latest and change (matched by the goal's uuid), the other measures' first, latest, change and
category, the CORC category across measures and the paired n; in English and Welsh; in a fixed
number of queries."""

from __future__ import annotations

import datetime
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from episodes import services as episode_services
from outcomes.plan_review import for_plan_review
from outcomes.tests.test_outcomes_page import measure
from plans.models import Goal, Plan

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def episode(child, alice):
    return episode_services.open_episode(
        by=alice, child=child, opened_on=TODAY() - datetime.timedelta(days=300), opened_from="returning"
    )


@pytest.fixture
def plan(child, alice):
    return Plan.objects.create(
        child=child, language="en", updated_by=alice, next_review_on=TODAY() + datetime.timedelta(days=20)
    )


@pytest.fixture
def goals(plan):
    return [
        Goal.objects.create(plan=plan, text="Sleep better", order=1),
        Goal.objects.create(plan=plan, text="Go back to the youth club", order=2),
    ]


def review_url(child, lang="en"):
    return f"/{lang}" + reverse("plans:review_add", args=[child.pk])[3:]


def row_of(page: str, header: str) -> list[str]:
    """The cells (text only) of the table row whose row header is ``header``."""
    for row in re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", page, re.S):
        cells = [
            unescape(re.sub(r"<[^>]+>", " ", c)).split() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        texts = [" ".join(c) for c in cells]
        if texts and texts[0] == header:
            return texts[1:]
    raise AssertionError(f"no row {header!r}")


def record_series(alice, episode, goals):
    first, second = goals
    measure(alice, episode, "start", 290, [3, 3, 3, 3, 2, 2, 2], first, 2, trusted="no")  # 17.43
    measure(alice, episode, "review", 100, [4, 4, 4, 4, 3, 3, 3], first, 7, trusted="yes")  # 22.35


def test_each_goal_shows_its_first_latest_and_change(client_for, alice, child, episode, goals):
    record_series(alice, episode, goals)
    page = client_for(alice).get(review_url(child)).content.decode()
    assert "Change since support started" in page
    assert row_of(page, "Sleep better") == ["2", "7", "+5"]
    # A goal never rated at a point says so, beside it.
    assert row_of(page, "Go back to the youth club") == ["Not rated at a measurement point yet"]
    assert "Mean change over goals with a first and a latest rating: 5." in page


def test_the_measures_show_first_latest_change_category_and_corc(client_for, alice, child, episode, goals):
    record_series(alice, episode, goals)
    page = client_for(alice).get(review_url(child)).content.decode()
    swemwbs = row_of(page, "Short Warwick-Edinburgh Mental Wellbeing Scale (SWEMWBS)")
    assert swemwbs[0].startswith("17.43") and swemwbs[1].startswith("22.35")
    assert swemwbs[2:] == ["4.92", "Reliable improvement"]
    assert "CORC category (across measures: reliable improvement on at least one measure" in page
    assert "3 measures with a first and a latest result; 0 with only one." in page
    assert f'href="{reverse("outcomes:child_outcomes", args=[child.pk])}"' in page
    # The form is still there.
    assert 'name="held_on_0"' in page or "held_on" in page


def test_a_deterioration_is_shown_as_such(client_for, alice, child, episode, goals):
    measure(alice, episode, "start", 290, [4, 4, 4, 4, 3, 3, 3], goals[0], 6)
    measure(alice, episode, "review", 100, [3, 3, 3, 3, 2, 2, 2], goals[0], 6)
    page = client_for(alice).get(review_url(child)).content.decode()
    assert row_of(page, "Sleep better") == ["6", "6", "0"]
    assert "Reliable deterioration" in page


def test_with_only_a_start_the_page_says_there_is_no_change_yet(client_for, alice, child, episode, goals):
    measure(alice, episode, "start", 290, [3] * 7, goals[0], 4)
    page = client_for(alice).get(review_url(child)).content.decode()
    assert "Only one result: no change yet" in page
    assert "No measure has two results yet." in page
    assert "0 measures with a first and a latest result; 2 with only one." in page


def test_without_support_the_page_says_so(client_for, alice, child, goals):
    page = client_for(alice).get(review_url(child)).content.decode()
    assert "No support has started, so there are no outcomes yet." in page


def test_in_welsh(client_for, alice, child, episode, goals):
    record_series(alice, episode, goals)
    page = client_for(alice).get(review_url(child, "cy")).content.decode()
    assert "Newid ers i'r cymorth ddechrau" in unescape(page)
    assert "Canlyniadau ar Sail Nodau: sgorau pob nod (0 i 10)" in page
    assert row_of(page, "Go back to the youth club") == ["Dim sgôr mewn pwynt mesur eto"]
    assert row_of(page, "Sleep better") == ["2", "7", "+5"]
    assert "Gwelliant dibynadwy" in page
    assert "Change since support started" not in page


def test_queries_are_constant_in_the_number_of_ratings(client_for, alice, child, episode, goals):
    client = client_for(alice)
    record_series(alice, episode, goals)
    with CaptureQueriesContext(connection) as few:
        assert client.get(review_url(child)).status_code == 200
    for n in range(18):
        measure(alice, episode, "review", 90 - n * 4, [4] * 7, goals[n % 2], n % 11)
    with CaptureQueriesContext(connection) as many:
        page = client.get(review_url(child)).content.decode()
    assert len(many) == len(few)
    assert row_of(page, "Go back to the youth club")[0] == "1"  # rated from the second extra review on


def test_the_fragment_matches_goals_by_uuid(alice, child, episode, goals):
    record_series(alice, episode, goals)
    outcomes = for_plan_review(alice, child, list(reversed(goals)))
    assert [(g.goal.text, g.row.change if g.row else None) for g in outcomes.goals] == [
        ("Go back to the youth club", None),
        ("Sleep better", 5),
    ]


def test_strangers_get_404(client_for, charlie, bob, child, episode, goals):
    for user in (charlie, bob):
        assert client_for(user).get(review_url(child)).status_code == 404
