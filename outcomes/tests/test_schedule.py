"""Measurement points created without anyone pressing: start at opening, review at each plan
review and at an interval, end at closing (still recordable after it); each is idempotent and
audited; due and overdue by date."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from episodes import services as episode_services
from outcomes import schedule, services
from outcomes.models import MeasurementPoint, PointStatus
from outcomes.schedule import DueState, due_state
from plans import services as plan_services
from plans.models import Plan

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


@pytest.fixture
def episode(child, alice):
    return episode_services.open_episode(by=alice, child=child, opened_on=TODAY() - days(200), opened_from="returning")


def points(episode, kind=None):
    rows = MeasurementPoint.objects.filter(episode=episode).order_by("due_on", "pk")
    return list(rows.filter(kind=kind) if kind else rows)


def close(alice, episode, on):
    episode.refresh_from_db()
    return episode_services.change_episode(
        by=alice, episode=episode, action="close", expected_version=episode.version,
        values={"on": on, "reason": "Goals met", "young_person_words": "Ready", "practitioner_judgement": "Ready"},
    )  # fmt: skip


def not_done(alice, point, on=None):
    return services.mark_not_done(by=alice, point=point, reason="declined", on=on or TODAY())


def review(alice, child, held_on):
    plan = Plan.objects.filter(child=child).first() or Plan.objects.create(
        child=child, language="en", updated_by=alice, next_review_on=TODAY() + days(30)
    )
    return plan_services.add_review(
        by=alice, plan=plan,
        values={"held_on": held_on, "participants": "Siôn, Alice", "young_person_view": "OK", "progress": "Some",
                "next_review_on": TODAY() + days(90)},
    )  # fmt: skip


# --- Start -----------------------------------------------------------------------------------


def test_opening_support_creates_the_start_point_due_on_the_opening_day_once(alice, child, episode):
    (start,) = points(episode)
    assert (start.kind, start.due_on, start.status) == ("start", episode.opened_on, PointStatus.DUE)
    again, created = schedule.ensure_start_point(by=alice, episode=episode)
    assert (again, created) == (start, False) and len(points(episode)) == 1
    event = AuditEvent.objects.get(object_type="outcomes.measurementpoint", object_id=str(start.pk))
    assert (event.route, event.actor, event.detail["scheduled"]) == ("ui", alice, "opened")


# --- Review at a plan review -------------------------------------------------------------------


def test_a_plan_review_adds_a_review_point_on_its_date_once(alice, child, episode):
    not_done(alice, points(episode, "start")[0], on=episode.opened_on)  # interval review due opened + 90
    held = TODAY() - days(20)
    plan_review = review(alice, child, held)
    at_review = [p for p in points(episode, "review") if p.due_on == held]
    assert len(at_review) == 1
    again, created = schedule.ensure_review_point(by=alice, review=plan_review)
    assert (again, created) == (at_review[0], False)
    assert [p.due_on for p in points(episode, "review")] == [episode.opened_on + days(90), held]


def test_no_second_review_point_when_one_is_already_due_within_the_window(alice, child, episode, settings):
    settings.NYTH_OUTCOMES_REVIEW_MERGE_DAYS = 14
    waiting = services.schedule_point(by=alice, episode=episode, kind="review", due_on=TODAY() - days(10))
    review(alice, child, TODAY())  # 10 days from the waiting one: it is this review's measurement
    assert points(episode, "review") == [waiting]
    review(alice, child, TODAY() - days(25))  # 15 days away: a point of its own
    assert [p.due_on for p in points(episode, "review")] == [TODAY() - days(25), TODAY() - days(10)]


def test_a_plan_review_without_current_support_adds_no_point(alice, child, episode):
    close(alice, episode, TODAY() - days(30))
    review(alice, child, TODAY())
    assert points(episode, "review") == []


# --- Review at the interval --------------------------------------------------------------------


def test_recording_the_last_point_schedules_the_next_review_an_interval_after_its_due_date(
    alice, child, episode, settings
):
    settings.NYTH_OUTCOMES_REVIEW_INTERVAL_DAYS = 90
    start = points(episode, "start")[0]
    services.record_point(
        by=alice, point=start, key="k-start", taken_on=episode.opened_on + days(3), source="with_practitioner",
        answers={"swemwbs": {str(n): "3" for n in range(1, 8)}}, goal_ratings={},
    )  # fmt: skip
    (first,) = points(episode, "review")
    assert first.due_on == episode.opened_on + days(90)  # from the due date, not the day it was done
    settings.NYTH_OUTCOMES_REVIEW_INTERVAL_DAYS = 60
    not_done(alice, first)
    second = points(episode, "review")[-1]
    assert second.due_on == first.due_on + days(60) and second.status == PointStatus.DUE
    assert schedule.ensure_interval_review(by=alice, episode=episode) is None  # one is waiting
    assert len(points(episode, "review")) == 2
    event = AuditEvent.objects.get(object_type="outcomes.measurementpoint", object_id=str(second.pk))
    assert event.detail["scheduled"] == "interval"


def test_the_daily_sweep_adds_each_missing_interval_review_once(alice, child, episode):
    start = points(episode, "start")[0]
    # A point completed before automatic scheduling existed: nothing is waiting.
    MeasurementPoint.objects.filter(pk=start.pk).update(status=PointStatus.DONE, taken_on=episode.opened_on)
    assert schedule.schedule_interval_reviews() == 1
    assert schedule.schedule_interval_reviews() == 0
    call_command("schedule_outcome_reviews")
    (added,) = points(episode, "review")
    assert added.due_on == episode.opened_on + days(schedule.review_interval_days())
    event = AuditEvent.objects.get(object_type="outcomes.measurementpoint", object_id=str(added.pk))
    assert (event.route, event.actor) == ("system", None)


def test_a_paused_episode_gets_no_interval_review_until_it_resumes(alice, child, episode):
    episode_services.change_episode(
        by=alice, episode=episode, action="pause", expected_version=1, values={"on": TODAY(), "reason": "Exams"}
    )
    MeasurementPoint.objects.filter(episode=episode).update(status=PointStatus.DONE, taken_on=episode.opened_on)
    assert schedule.schedule_interval_reviews() == 0
    assert points(episode, "review") == []
    episode_services.change_episode(
        by=alice, episode=episode, action="resume", expected_version=2, values={"on": TODAY()}
    )
    (resumed,) = points(episode, "review")  # resuming schedules the next review at once
    assert resumed.due_on == episode.opened_on + days(schedule.review_interval_days())
    assert schedule.schedule_interval_reviews() == 0


# --- End -------------------------------------------------------------------------------------


def test_closing_creates_the_end_point_which_stays_recordable_after_the_close(client_for, alice, child, episode):
    closed_on = TODAY() - days(2)
    close(alice, episode, closed_on)
    (end,) = points(episode, "end")
    assert (end.due_on, end.status) == (closed_on, PointStatus.DUE)
    assert schedule.ensure_end_point(by=alice, episode=episode, on=closed_on) == (end, False)
    # The start point of the closed support can no longer be written; the end point can.
    start = points(episode, "start")[0]
    with pytest.raises(ValidationError, match="only the end measures"):
        not_done(alice, start)
    recorded, created = services.record_point(
        by=alice, point=end, key="k-end", taken_on=TODAY(), source="young_person_paper",
        answers={"swemwbs": {str(n): "4" for n in range(1, 8)}}, goal_ratings={},
    )  # fmt: skip
    assert created and recorded.status == PointStatus.DONE
    assert len(points(episode)) == 2  # a closed episode gets no interval review
    waiting = schedule.waiting_points(MeasurementPoint.objects.filter(episode=episode), today=TODAY())
    assert list(waiting) == []


def test_reopening_withdraws_an_end_point_never_recorded_and_closing_again_makes_one(alice, child, episode):
    close(alice, episode, TODAY() - days(10))
    episode.refresh_from_db()
    episode_services.change_episode(
        by=alice, episode=episode, action="reopen", expected_version=episode.version,
        values={"on": TODAY() - days(5), "reason": "Asked to come back"},
    )  # fmt: skip
    assert points(episode, "end") == []
    assert AuditEvent.objects.filter(action="delete", object_type="outcomes.measurementpoint").count() == 1
    close(alice, episode, TODAY())
    assert [p.due_on for p in points(episode, "end")] == [TODAY()]


# --- Due and overdue ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offset", "state"),
    [(-30, DueState.OVERDUE), (-1, DueState.OVERDUE), (0, DueState.DUE), (14, DueState.DUE), (15, None)],
)
def test_due_and_overdue_boundaries(offset, state, settings):
    settings.NYTH_OUTCOMES_DUE_WINDOW_DAYS = 14
    today = datetime.date(2026, 5, 3)
    assert due_state(today + days(offset), today=today) == state
    assert due_state(None, today=today) is None


def test_the_window_is_the_setting(settings):
    today = datetime.date(2026, 5, 3)
    settings.NYTH_OUTCOMES_DUE_WINDOW_DAYS = 7
    assert due_state(today + days(8), today=today) is None
    assert due_state(today + days(7), today=today) == DueState.DUE


def test_waiting_points_are_the_recordable_ones_in_the_window(alice, child, episode):
    far = services.schedule_point(by=alice, episode=episode, kind="review", due_on=TODAY() + days(15))
    near = services.schedule_point(by=alice, episode=episode, kind="review", due_on=TODAY() + days(14))
    start = points(episode, "start")[0]
    waiting = schedule.waiting_points(MeasurementPoint.objects.filter(episode=episode), today=TODAY())
    assert list(waiting) == [start, near] and far not in waiting
    close(alice, episode, TODAY())
    end = points(episode, "end")[0]
    waiting = schedule.waiting_points(MeasurementPoint.objects.filter(episode=episode), today=TODAY())
    assert list(waiting) == [end]  # the closed support's start and review points no longer wait


def test_the_points_page_offers_only_recordable_points_after_the_close(client_for, alice, child, episode):
    close(alice, episode, TODAY())
    start, end = points(episode, "start")[0], points(episode, "end")[0]
    client = client_for(alice)
    page = client.get(reverse("outcomes:child_points", args=[child.pk])).content.decode()
    assert "Support ended before it was recorded" in page
    assert reverse("outcomes:point_record", args=[end.pk]) in page
    assert reverse("outcomes:point_record", args=[start.pk]) not in page
    # The start point's entry page sends her back to the points; the end point's opens.
    assert client.get(reverse("outcomes:point_record", args=[start.pk])).status_code == 302
    assert client.get(reverse("outcomes:point_record", args=[end.pk])).status_code == 200
