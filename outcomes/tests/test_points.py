"""Measurement points: scheduled per current episode, recorded on one page or marked not done
with a reason; bad input is shown back with translated errors and nothing saved; a double
submit records once; strangers get 404; every write is audited."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from audit.models import AuditEvent
from episodes import services as episode_services
from outcomes import services
from outcomes.models import GoalRating, Measurement, MeasurementPoint, PointStatus
from plans.models import Goal, Plan

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def day_fields(name: str, day: datetime.date) -> dict[str, str]:
    return {f"{name}_day": str(day.day), f"{name}_month": str(day.month), f"{name}_year": str(day.year)}


@pytest.fixture
def episode(child, alice):
    return episode_services.open_episode(
        by=alice, child=child, opened_on=TODAY() - datetime.timedelta(days=30), opened_from="returning"
    )


@pytest.fixture
def goals(child, alice):
    plan = Plan.objects.create(
        child=child, language="en", updated_by=alice, next_review_on=TODAY() + datetime.timedelta(days=60)
    )
    return [Goal.objects.create(plan=plan, text=t, order=n) for n, t in enumerate(["Sleep better", "Go to school"], 1)]


@pytest.fixture
def point(episode):
    # Opening the episode created its start point, due on the opening day (outcomes.schedule).
    return MeasurementPoint.objects.get(episode=episode, kind="start")


def swemwbs(values):
    return {f"swemwbs_{n}": str(v) for n, v in enumerate(values, 1)}


def entry(point_key="k1", day=None, **extra):
    return {"key": point_key, "source": "with_practitioner", **day_fields("taken_on", day or TODAY()), **extra}


def test_a_start_point_records_swemwbs_gbo_and_the_guidance_questions(client_for, alice, child, point, goals):
    client = client_for(alice)
    page = client.get(reverse("outcomes:point_record", args=[point.pk])).content.decode()
    assert "Item 7" in page and "has not been loaded, so it is not shown" in page
    assert "Sleep better" in page and "Child Outcome Rating Scale" not in page  # CORS is for ages 6 to 12
    data = entry(
        **swemwbs([3, 3, 3, 3, 3, 3, 2]), **{f"goal_{goals[0].uuid}": "2", f"goal_{goals[1].uuid}": "4"},
        rated_by="young_person", trusted_adult_answer="not_sure", sdq_total="18",
    )  # fmt: skip
    response = client.post(reverse("outcomes:point_record", args=[point.pk]), data)
    assert response.status_code == 302
    point.refresh_from_db()
    assert point.status == PointStatus.DONE and point.source == "with_practitioner"
    sw = Measurement.objects.get(point=point, instrument__code="swemwbs")
    assert (sw.raw_score, sw.score, sw.responses["7"]) == (Decimal(20), Decimal("18.59"), 2)
    assert Measurement.objects.get(point=point, instrument__code="trusted_adult").answer == "not_sure"
    assert Measurement.objects.get(point=point, instrument__code="sdq").score == Decimal(18)
    assert sorted(GoalRating.objects.filter(point=point).values_list("value", flat=True)) == [2, 4]
    (event,) = [e for e in AuditEvent.objects.filter(actor=alice, action="create") if "measures" in e.detail]
    assert event.route == "ui" and event.child_id == child.pk and "swemwbs" in event.detail["measures"]


def test_a_double_submit_records_once(client_for, alice, point):
    client = client_for(alice)
    data = entry(**swemwbs([4] * 7))
    url = reverse("outcomes:point_record", args=[point.pk])
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    assert Measurement.objects.filter(point=point).count() == 1
    with pytest.raises(Exception, match="already been recorded"):
        services.record_point(by=alice, point=point, key="another", taken_on=TODAY(), source="carer",
                              answers={"swemwbs": {str(n): "4" for n in range(1, 8)}}, goal_ratings={})  # fmt: skip


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        (swemwbs([3, 3, 3, "", 3, 3, 3]), "swemwbs_4", "Enter the answer to item 4: every item is needed for a score"),
        (swemwbs([3, 3, 3, 3, 6, 3, 3]), "swemwbs_5", "Item 5 must be from 1 to 5"),
        ({"goal": "11"}, "goal", "Enter a rating from 0 to 10"),
        ({"goal": "-1"}, "goal", "Enter a rating from 0 to 10"),
        ({"sdq_total": "41"}, "sdq_total", "The total must be from 0 to 40"),
    ],
)
def test_bad_input_is_shown_back_and_nothing_is_saved(client_for, alice, point, goals, extra, field, message):
    if "goal" in extra:
        field = f"goal_{goals[0].uuid}"
        extra = {field: extra["goal"], "rated_by": "young_person"}
    response = client_for(alice).post(reverse("outcomes:point_record", args=[point.pk]), entry(**extra))
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page and f'href="#id_{field}"' in page
    if extra[field]:
        assert f'value="{extra[field]}"' in page  # what was typed is kept
    assert not Measurement.objects.exists() and not GoalRating.objects.exists()
    point.refresh_from_db()
    assert point.status == PointStatus.DUE


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (lambda: TODAY() + datetime.timedelta(days=1), "The date must be today or in the past"),
        (lambda: TODAY() - datetime.timedelta(days=31), "The date must be on or after the day support started"),
    ],
)
def test_a_date_in_the_future_or_before_the_episode_is_refused(client_for, alice, point, day, message):
    response = client_for(alice).post(
        reverse("outcomes:point_record", args=[point.pk]), entry(day=day(), **swemwbs([3] * 7))
    )
    assert message in response.content.decode()
    assert not Measurement.objects.exists()


def test_errors_are_in_welsh_on_the_welsh_page(client_for, alice, point):
    with translation.override("cy"):
        url = reverse("outcomes:point_record", args=[point.pk])
    page = client_for(alice).post(url, entry(**swemwbs([3, 3, 3, 3, 6, 3, 3]))).content.decode()
    with translation.override("cy"):
        assert (
            translation.gettext("Item %(number)s must be from %(low)s to %(high)s")
            != "Item %(number)s must be from %(low)s to %(high)s"
        )
        assert (
            translation.gettext("Item %(number)s must be from %(low)s to %(high)s") % {"number": 5, "low": 1, "high": 5}
            in page
        )


def test_nothing_entered_is_refused(client_for, alice, point):
    page = client_for(alice).post(reverse("outcomes:point_record", args=[point.pk]), entry()).content.decode()
    assert "Enter at least one measure, or record that the measures were not done" in page


def test_a_point_marked_not_done_keeps_the_reason(client_for, alice, child, point):
    response = client_for(alice).post(
        reverse("outcomes:point_not_done", args=[point.pk]), {"reason": "declined", **day_fields("on", TODAY())}
    )
    assert response.status_code == 302
    point.refresh_from_db()
    assert (point.status, point.not_done_reason) == (PointStatus.NOT_DONE, "declined")
    page = client_for(alice).get(reverse("outcomes:child_points", args=[child.pk])).content.decode()
    assert "Not done" in page and "The young person declined" in page
    assert AuditEvent.objects.filter(action="update", detail__not_done="declined", route="ui").exists()


def test_points_are_scheduled_once_for_start_and_end(client_for, alice, child, episode, point):
    client = client_for(alice)
    url = reverse("outcomes:child_points", args=[child.pk])
    page = client.post(url, {"kind": "start", **day_fields("due_on", TODAY())}).content.decode()
    assert "This support already has that measurement point" in page
    assert client.post(url, {"kind": "review", **day_fields("due_on", TODAY())}).status_code == 302
    assert MeasurementPoint.objects.filter(episode=episode).count() == 2


def test_strangers_get_404_and_break_glass_cannot_record(client_for, charlie, bob, child, point):
    for user in (charlie, bob):
        client = client_for(user)
        assert client.get(reverse("outcomes:child_points", args=[child.pk])).status_code == 404
        assert client.get(reverse("outcomes:point_record", args=[point.pk])).status_code == 404
        assert (
            client.post(reverse("outcomes:point_not_done", args=[point.pk]), {"reason": "declined"}).status_code == 404
        )
    assert not Measurement.objects.exists()


def test_a_manager_of_the_service_may_record(client_for, manager, point):
    response = client_for(manager).post(reverse("outcomes:point_record", args=[point.pk]), entry(**swemwbs([5] * 7)))
    assert response.status_code == 302
    assert Measurement.objects.get().score == Decimal("35.00")


def test_the_guidance_questions_are_asked_at_start_and_review_not_at_the_end(client_for, alice, episode, point):
    end = services.schedule_point(by=alice, episode=episode, kind="end", due_on=TODAY())
    client = client_for(alice)
    start_page = client.get(reverse("outcomes:point_record", args=[point.pk])).content.decode()
    assert "Do you have a good relationship with a trusted adult?" in start_page
    assert "Do you know where to go, and feel able to ask, for help with how you feel?" in start_page
    end_page = client.get(reverse("outcomes:point_record", args=[end.pk])).content.decode()
    assert "trusted adult" not in end_page
