"""Outcome scores shared by consent: a partner the young person chose reads the outcomes page,
read-only and audited with the basis it took, for as long as the consent (or an approved
safeguarding share) covering "outcome scores" lasts; nothing else of the outcomes opens."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.tests.builders import approve_safeguarding, give_consent
from audit.models import AuditEvent, Route
from consent.services import withdraw_consent
from episodes import services as episode_services
from outcomes.models import GoalRating, Measurement, MeasurementPoint
from outcomes.tests.test_outcomes_page import measure
from plans.models import Goal, Plan

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
GOAL = "Cysgu'n well"


@pytest.fixture
def episode(child, alice):
    return episode_services.open_episode(
        by=alice, child=child, opened_on=TODAY() - datetime.timedelta(days=300), opened_from="returning"
    )


@pytest.fixture
def goal(child, alice):
    plan = Plan.objects.create(
        child=child, language="cy", updated_by=alice, next_review_on=TODAY() + datetime.timedelta(days=60)
    )
    return Goal.objects.create(plan=plan, text=GOAL)


@pytest.fixture
def scores(alice, episode, goal):
    measure(alice, episode, "start", 290, [3, 3, 3, 3, 2, 2, 2], goal, 2)  # 17.43
    measure(alice, episode, "review", 100, [4, 4, 4, 4, 3, 3, 3], goal, 7)  # 22.35
    return episode


def outcomes_url(child):
    return reverse("outcomes:child_outcomes", args=[child.pk])


def share_scores(child, alice, partner, items=("outcomes",), **extra):
    return give_consent(child, recorded_by=alice, organisation=partner.organisation, items=list(items), **extra)


def test_a_partner_reads_the_scores_their_consent_shares(client_for, partner, alice, child, scores):
    share_scores(child, alice, partner)
    response = client_for(partner).get(outcomes_url(child))
    assert response.status_code == 200
    page = response.content.decode()
    assert "17.43" in page and "22.35" in page and "4.92" in page
    assert "Reliable improvement" in page and "CORC category (across measures" in page
    assert "the rest of their record is not shared" in page
    # The plan is not shared with them: the goal's rating is shown, its wording is not.
    assert "Goal 1" in page and "Cysgu" not in page


def test_the_shared_page_has_no_write_links(client_for, partner, alice, child, scores):
    share_scores(child, alice, partner)
    page = client_for(partner).get(outcomes_url(child)).content.decode()
    point = MeasurementPoint.objects.filter(child=child).first()
    for url in (
        reverse("outcomes:child_points", args=[child.pk]),
        reverse("outcomes:point_record", args=[point.pk]),
        reverse("outcomes:point_not_done", args=[point.pk]),
        reverse("people:detail", args=[child.pk]),
    ):
        assert url not in page, url
    assert "<form" not in page.split("<main", 1)[1].split("</main>", 1)[0]


def test_a_partner_cannot_record_mark_not_done_or_schedule(client_for, partner, alice, child, episode, goal):
    share_scores(child, alice, partner)
    client = client_for(partner)
    point = MeasurementPoint.objects.get(episode=episode, kind="start")
    answers = {"key": "partner-1", "taken_on_0": "1", "taken_on_1": "1", "taken_on_2": str(TODAY().year),
               "source": "with_practitioner", **{f"swemwbs-{n}": "3" for n in range(1, 8)}}  # fmt: skip
    assert client.post(reverse("outcomes:point_record", args=[point.pk]), answers).status_code == 404
    not_done = {"reason": "declined", "on_0": "1", "on_1": "1", "on_2": str(TODAY().year)}
    assert client.post(reverse("outcomes:point_not_done", args=[point.pk]), not_done).status_code == 404
    schedule = {"kind": "review", "due_on_0": "1", "due_on_1": "1", "due_on_2": str(TODAY().year)}
    assert client.post(reverse("outcomes:child_points", args=[child.pk]), schedule).status_code == 404
    # The outcomes page itself is for reading: a POST is refused (and a stranger's is a 404).
    assert client.post(outcomes_url(child), answers).status_code == 405
    for name in ("outcomes:point_record", "outcomes:point_not_done"):
        assert client.get(reverse(name, args=[point.pk])).status_code == 404, name
    assert client.get(reverse("outcomes:child_points", args=[child.pk])).status_code == 404
    # Nothing was saved.
    point.refresh_from_db()
    assert point.status == "due"
    assert not Measurement.objects.filter(child=child).exists()
    assert not GoalRating.objects.filter(child=child).exists()
    assert MeasurementPoint.objects.filter(child=child).count() == 1
    assert not AuditEvent.objects.filter(actor=partner, action__in=["create", "update"]).exists()


def test_without_a_consent_the_page_is_not_found(client_for, partner, child, scores):
    assert client_for(partner).get(outcomes_url(child)).status_code == 404


def test_a_withdrawn_consent_closes_the_scores_at_once(client_for, partner, alice, child, scores):
    consent = share_scores(child, alice, partner)
    client = client_for(partner)
    assert client.get(outcomes_url(child)).status_code == 200
    withdraw_consent(by=alice, consent=consent, note="The young person changed their mind")
    assert client.get(outcomes_url(child)).status_code == 404
    assert not Measurement.objects.visible_to(partner, include_shared=True).exists()


@pytest.mark.parametrize(
    ("items", "purposes"),
    [
        (["plan"], ["joint_assessment"]),  # the plan only, not the scores
        (["assessment"], ["joint_assessment"]),
        (["outcomes"], ["court"]),  # a court copy is not a standing share
    ],
)
def test_a_consent_for_something_else_does_not_open_the_scores(
    client_for, partner, alice, child, scores, items, purposes
):
    share_scores(child, alice, partner, items=items, purposes=purposes)
    assert client_for(partner).get(outcomes_url(child)).status_code == 404


def test_a_consent_for_another_organisation_does_not_open_them(client_for, partner, alice, child, scores, la_cardiff):
    give_consent(child, recorded_by=alice, organisation=la_cardiff, items=["outcomes"])
    assert client_for(partner).get(outcomes_url(child)).status_code == 404


def test_with_the_plan_shared_too_the_goals_are_in_their_words(client_for, partner, alice, child, scores):
    share_scores(child, alice, partner, items=("outcomes", "plan"))
    page = client_for(partner).get(outcomes_url(child)).content.decode()
    # The goals table names the goal in the young person's words (the chart numbers its lines
    # "Goal 1"… for everyone, and its table beside it gives the words too).
    assert 'scope="row" class="govuk-table__header">Cysgu&#x27;n well' in page
    assert "Goal 1: Cysgu&#x27;n well" in page


def test_the_read_is_audited_with_the_consent_route(client_for, partner, alice, child, scores):
    share_scores(child, alice, partner)
    client_for(partner).get(outcomes_url(child))
    event = AuditEvent.objects.get(actor=partner, action="view", child_id=child.pk)
    assert event.route == Route.UI
    assert event.detail == {"page": "shared_outcomes", "route": "consent"}


def test_a_safeguarding_share_of_the_scores_opens_them_and_is_filed_as_such(
    client_for, partner, alice, manager, child, scores
):
    share = approve_safeguarding(
        child, organisation=partner.organisation, requested_by=alice, decided_by=manager, items=["outcomes"]
    )
    client = client_for(partner)
    assert client.get(outcomes_url(child)).status_code == 200
    assert AuditEvent.objects.get(actor=partner, action="view").detail["route"] == "safeguarding"
    # Expired: closed.
    share.expires_on = TODAY() - datetime.timedelta(days=1)
    share.save()
    assert client.get(outcomes_url(child)).status_code == 404


def test_the_care_team_still_reads_and_is_filed_as_before(client_for, alice, child, scores):
    page = client_for(alice).get(outcomes_url(child)).content.decode()
    assert reverse("outcomes:child_points", args=[child.pk]) in page and GOAL.replace("'", "&#x27;") in page
    assert AuditEvent.objects.filter(actor=alice, action="view", detail__page="outcomes").exists()


def test_the_shared_page_is_constant_in_queries(client_for, partner, alice, child, episode, goal):
    share_scores(child, alice, partner)
    client = client_for(partner)
    measure(alice, episode, "start", 290, [3] * 7, goal, 2)
    measure(alice, episode, "review", 280, [3] * 7, goal, 3)
    with CaptureQueriesContext(connection) as few:
        assert client.get(outcomes_url(child)).status_code == 200
    for n in range(20):
        measure(alice, episode, "review", 270 - n * 10, [4] * 7, goal, 5)
    with CaptureQueriesContext(connection) as many:
        page = client.get(outcomes_url(child)).content.decode()
    assert 'numeric">22</td>' in page  # all 22 SWEMWBS results counted
    assert len(many) == len(few)


def test_welsh_shared_page(client_for, partner, alice, child, scores):
    share_scores(child, alice, partner)
    page = client_for(partner).get("/cy" + outcomes_url(child)[3:]).content.decode()
    assert "Nod 1" in page


def test_shared_with_me_links_to_the_scores(client_for, partner, alice, child, scores):
    share_scores(child, alice, partner)
    page = client_for(partner).get(reverse("assessments:shared_with_me")).content.decode()
    assert outcomes_url(child) in page and "Outcome scores" in page
    assert reverse("plans:plan", args=[child.pk]) not in page


def test_the_young_person_sees_that_the_partner_read_their_scores(client_for, partner, alice, child, scores):
    share_scores(child, alice, partner)
    partner_client = client_for(partner)
    partner_client.get(outcomes_url(child))
    partner_client.get(outcomes_url(child))
    seen = client_for(alice).get(reverse("assessments:seen", args=[child.pk])).content.decode()
    assert f"{partner.get_full_name()}" in seen
    assert "read your outcome scores 2 times." in seen and "You agreed to share it with them." in seen
    # The care team's own reads of the outcomes page are not "your story".
    client_for(alice).get(outcomes_url(child))
    seen = client_for(alice).get(reverse("assessments:seen", args=[child.pk])).content.decode()
    assert seen.count("read your outcome scores") == 1
    welsh = client_for(alice).get("/cy" + reverse("assessments:seen", args=[child.pk])[3:]).content.decode()
    assert "eich sgorau canlyniadau ddwywaith." in welsh


def test_a_safeguarding_read_of_the_scores_says_why(client_for, partner, alice, manager, child, scores):
    approve_safeguarding(
        child, organisation=partner.organisation, requested_by=alice, decided_by=manager, items=["outcomes"]
    )
    client_for(partner).get(outcomes_url(child))
    seen = client_for(alice).get(reverse("assessments:seen", args=[child.pk])).content.decode()
    assert "read your outcome scores." in seen and "a manager agreed it had to be shared" in seen
