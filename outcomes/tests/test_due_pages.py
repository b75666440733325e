"""Due and overdue measures where people look: the practitioner's caseload (a column, in the
caseload's one query), the young person's record, and the manager's overdue list – each in a
number of queries that does not grow with the young people."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from episodes.models import Episode, EpisodeStatus
from outcomes.models import MeasurementPoint, PointStatus
from people.models import CareTeamMembership
from people.tests.factories import ChildFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def young_people(south, alice, size, *, overdue=20, due=None, status=EpisodeStatus.OPEN):
    """``size`` young people in Alice's care team, each with an episode and points: a done
    start, a review ``overdue`` days overdue (or none), one due in ``due`` days (or none), and
    one far ahead."""
    kids = []
    for _n in range(size):
        kid = ChildFactory(service=south)
        CareTeamMembership.objects.create(child=kid, user=alice, role="lead")
        episode = Episode.objects.create(
            child=kid, opened_on=TODAY() - days(200), opened_from="returning", opened_by=alice, status=status
        )
        rows = [MeasurementPoint(child=kid, episode=episode, kind="start", due_on=episode.opened_on,
                                 status=PointStatus.DONE, taken_on=episode.opened_on)]  # fmt: skip
        if overdue is not None:
            rows.append(MeasurementPoint(child=kid, episode=episode, kind="review", due_on=TODAY() - days(overdue)))
        if due is not None:
            rows.append(MeasurementPoint(child=kid, episode=episode, kind="review", due_on=TODAY() + days(due)))
        rows.append(MeasurementPoint(child=kid, episode=episode, kind="review", due_on=TODAY() + days(60)))
        MeasurementPoint.objects.bulk_create(rows)
        kids.append(kid)
    return kids


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries), response.content.decode()


# --- The caseload ----------------------------------------------------------------------------


def test_the_caseload_says_overdue_since_due_or_nothing_linked_to_the_entry_page(client_for, alice, south):
    (late,) = young_people(south, alice, 1, overdue=20)
    (soon,) = young_people(south, alice, 1, overdue=None, due=14)
    (later,) = young_people(south, alice, 1, overdue=None, due=15)
    page = client_for(alice).get(reverse("contacts:caseload")).content.decode()
    assert "Measures" in page
    late_point = MeasurementPoint.objects.get(child=late, kind="review", due_on__lt=TODAY())
    soon_point = MeasurementPoint.objects.get(child=soon, due_on=TODAY() + days(14))
    assert f"Overdue since {late_point.due_on:%-d %B %Y}" in page
    assert f"Due {soon_point.due_on:%-d %B %Y}" in page
    assert reverse("outcomes:point_record", args=[late_point.pk]) in page
    assert reverse("outcomes:point_record", args=[soon_point.pk]) in page
    assert page.count("Overdue since") == 1 and page.count(">Due ") == 1  # 15 days ahead: not yet
    assert later.display_name in page


def test_the_caseload_column_is_in_welsh_on_the_welsh_page(client_for, alice, south):
    young_people(south, alice, 1, overdue=20)
    with translation.override("cy"):
        url = reverse("contacts:caseload")
        heading, overdue = translation.gettext("Measures"), translation.gettext("Overdue since %(date)s")
    assert heading != "Measures" and overdue != "Overdue since %(date)s"
    page = client_for(alice).get(url).content.decode()
    assert heading in page and overdue.split("%(date)s")[0].strip() in page and "Overdue since" not in page


def test_a_closed_episodes_review_is_not_pressed_but_its_end_point_is(client_for, alice, south):
    (kid,) = young_people(south, alice, 1, overdue=20, status=EpisodeStatus.CLOSED)
    page = client_for(alice).get(reverse("contacts:caseload")).content.decode()
    assert "Overdue since" not in page
    episode = Episode.objects.get(child=kid)
    end = MeasurementPoint.objects.create(child=kid, episode=episode, kind="end", due_on=TODAY() - days(3))
    page = client_for(alice).get(reverse("contacts:caseload")).content.decode()
    assert f"Overdue since {end.due_on:%-d %B %Y}" in page


def test_the_caseload_query_count_is_the_same_for_2_and_200_young_people(client_for, alice, south):
    client = client_for(alice)
    young_people(south, alice, 1, overdue=20)
    young_people(south, alice, 1, overdue=None, due=3)
    small, page = count_queries(client, reverse("contacts:caseload"))
    assert "2 young people" in page
    young_people(south, alice, 99, overdue=20)
    young_people(south, alice, 99, overdue=None, due=3)
    large, page = count_queries(client, reverse("contacts:caseload"))
    assert "200 young people" in page and page.count("Overdue since") == 100 and page.count(">Due ") == 100
    assert large == small


# --- The young person's record -----------------------------------------------------------------


def test_the_record_lists_due_and_overdue_measures_with_links(client_for, alice, south, bob):
    (kid,) = young_people(south, alice, 1, overdue=5, due=7)
    late = MeasurementPoint.objects.get(child=kid, due_on=TODAY() - days(5))
    soon = MeasurementPoint.objects.get(child=kid, due_on=TODAY() + days(7))
    page = client_for(alice).get(reverse("people:detail", args=[kid.pk])).content.decode()
    assert "Review measures:" in page
    assert f"Overdue since {late.due_on:%-d %B %Y}" in page and f"Due {soon.due_on:%-d %B %Y}" in page
    assert reverse("outcomes:point_record", args=[late.pk]) in page
    assert reverse("outcomes:point_record", args=[soon.pk]) in page
    assert "Overdue since" not in client_for(alice).get(reverse("people:detail", args=[
        young_people(south, alice, 1, overdue=None)[0].pk])).content.decode()  # fmt: skip


# --- The manager's page ------------------------------------------------------------------------


def test_the_manager_sees_the_services_overdue_measures_linked(client_for, manager, alice, south, north, charlie):
    (late,) = young_people(south, alice, 1, overdue=40)
    (on_time,) = young_people(south, alice, 1, overdue=None, due=2)
    elsewhere = young_people(north, charlie, 1, overdue=10)[0]  # another service's young person
    client = client_for(manager)
    page = client.get(reverse("outcomes:overdue_measures")).content.decode()
    point = MeasurementPoint.objects.get(child=late, kind="review", due_on__lt=TODAY())
    assert late.display_name in page and "Alice Ymarferydd" in page and "Review" in page
    assert f"{point.due_on:%-d %B %Y}" in page and reverse("outcomes:point_record", args=[point.pk]) in page
    assert on_time.display_name not in page and elsewhere.display_name not in page
    assert "1 measurement point is past its date" in page
    home = client.get(reverse("core:home")).content.decode()
    assert reverse("outcomes:overdue_measures") in home and "Overdue outcome measures" in home


def test_only_service_managers_open_the_overdue_list(client_for, alice, duty, charlie):
    for user in (alice, duty, charlie):
        assert client_for(user).get(reverse("outcomes:overdue_measures")).status_code == 403


def test_the_overdue_list_query_count_is_the_same_for_2_and_200(client_for, manager, alice, south):
    client = client_for(manager)
    young_people(south, alice, 2, overdue=20)
    small, page = count_queries(client, reverse("outcomes:overdue_measures"))
    assert "2 measurement points" in page
    young_people(south, alice, 198, overdue=20)
    large, page = count_queries(client, reverse("outcomes:overdue_measures"))
    assert "200 measurement points" in page
    assert large == small
