"""The one-page outcomes summary for a review meeting: a PDF of the latest episode's figures,
goals, the guidance's questions and the points not done, in the reader's language; one page
(and saying so when something did not fit); through the one scope; audited as an export; a
fixed number of queries however many measurements there are.

The text is read back from the PDF bytes with pypdf, as the assessment PDF's tests do, so these
tests check what a reader of the file would see."""

from __future__ import annotations

import datetime
import hashlib
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from audit.models import AuditEvent
from episodes import services as episode_services
from outcomes import services
from outcomes.models import MeasurementPoint
from people.models import BreakGlassAccess
from plans.models import Goal, Plan

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
GOAL = "Cysgu'n well – sleep better & feel <calmer>"


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
    return Goal.objects.create(plan=plan, text=GOAL)


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
        by=alice, point=point, key=f"k{days_ago}", taken_on=TODAY() - datetime.timedelta(days=days_ago),
        source="with_practitioner", answers=answers, goal_ratings={str(goal.uuid): str(rating)} if goal else {},
        rated_by="young_person",
    )  # fmt: skip
    return point


def not_done(alice, episode, days_ago, reason="declined"):
    point = services.schedule_point(
        by=alice, episode=episode, kind="review", due_on=TODAY() - datetime.timedelta(days=days_ago)
    )
    return services.mark_not_done(by=alice, point=point, reason=reason, on=TODAY() - datetime.timedelta(days=days_ago))


def flat(content: bytes) -> tuple[int, str]:
    pages = PdfReader(io.BytesIO(content)).pages
    return len(pages), " ".join(" ".join(page.extract_text() for page in pages).split())


@pytest.fixture
def recorded(alice, episode, goal):
    measure(alice, episode, "start", 290, [3, 3, 3, 3, 2, 2, 2], goal, 2, trusted="no")  # raw 18 → 17.43
    not_done(alice, episode, 200)
    measure(alice, episode, "review", 100, [4, 4, 4, 4, 3, 3, 3], goal, 7, trusted="yes")  # raw 25 → 22.35
    return episode


def url(child) -> str:
    return reverse("outcomes:child_outcomes_pdf", args=[child.pk])


def test_the_summary_is_one_page_with_the_figures_goals_questions_and_points_not_done(
    client_for, alice, child, recorded
):
    response = client_for(alice).get(url(child))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store, private"
    assert response["Content-Disposition"].startswith('attachment; filename="outcomes-summary-')
    pages, text = flat(response.content)
    assert pages == 1
    assert "Outcomes summary for a review meeting" in text
    assert "Siôn Prydderch" in text  # the name as the record shows it, Welsh letters kept
    assert "South Service" in text and "Since " in text and "(open)" in text
    # SWEMWBS: first and latest metric scores, the change, its category and whether it is paired.
    assert "17.43" in text and "22.35" in text and "+4.92" in text
    assert "Reliable improvement" in text and "2 (paired)" in text
    # The parameters' source, as on the instruments page.
    assert "SD 3.92, reliability 0.88 (metric score)" in text and "Source:" in text
    # The goal in the young person's words (escaped, not read as mark-up), first 2, latest 7, +5.
    assert GOAL in text
    assert "Mean change over goals with a first and a latest rating: 5." in text
    # The guidance's question, first and latest answers.
    assert "A good relationship with a trusted adult" in text
    # The point not done, with its reason.
    assert "Measurement points not done" in text and "The young person declined" in text
    assert "Printed by Alice Ymarferydd" in text
    assert "Confidential." in text and "Page 1 of 1" in text
    assert "continued on the outcomes page" not in text


def test_a_welsh_reader_gets_welsh_labels(client_for, alice, child, recorded):
    with translation.override("cy"):
        address = url(child)
        title = translation.gettext("Outcomes summary for a review meeting")
        improvement = translation.gettext("Reliable improvement")
        declined = translation.gettext("The young person declined")
        confidential = translation.gettext("Confidential. Personal information about a young person, for their review meeting only. Do not copy or pass on; destroy it securely after the meeting.")  # fmt: skip
    assert address.startswith("/cy/")
    assert title != "Outcomes summary for a review meeting", "the Welsh catalogue should translate the title"
    response = client_for(alice).get(address)
    pages, text = flat(response.content)
    assert pages == 1
    assert title in text and improvement in text and declined in text
    assert " ".join(confidential.split()) in text
    assert "Outcomes summary" not in text and "Reliable improvement" not in text
    assert "Gwasanaeth y De" in text  # the service's Welsh name
    assert "17.43" in text and GOAL in text


def test_what_does_not_fit_is_said_on_the_page_not_cut_silently(client_for, alice, child, episode, goal):
    measure(alice, episode, "start", 290, [3] * 7, goal, 2)
    for n in range(70):  # far more points not done than one page holds
        not_done(alice, episode, 280 - n * 3, reason="not_right_time")
    response = client_for(alice).get(url(child))
    pages, text = flat(response.content)
    assert pages == 1
    assert "continued on the outcomes page in Nyth" in text
    event = AuditEvent.objects.get(actor=alice, action="export", child_id=child.pk)
    left_off = event.detail["rows_left_off"]
    assert 0 < left_off < 70
    assert f"{left_off} more rows do not fit on this page" in text
    # The measures come first: they are on the page; only points not done were left off.
    assert "19.25" in text and GOAL in text  # raw 21
    assert text.count("Not the right time") == 70 - left_off


def test_printing_is_audited_as_an_export_with_the_route(client_for, alice, child, recorded):
    response = client_for(alice).get(url(child))
    event = AuditEvent.objects.get(actor=alice, action="export", child_id=child.pk)
    assert event.route == "ui"
    assert event.object_type == "people.child" and event.object_id == str(child.pk)
    assert event.detail["export"] == "outcomes_summary_pdf"
    assert event.detail["episode"] == recorded.pk
    assert event.detail["language"] == "en" and event.detail["pages"] == 1
    assert event.detail["sha256"] == hashlib.sha256(response.content).hexdigest()
    assert GOAL not in str(event.detail)  # never the content


def test_outside_the_scope_is_404_and_emergency_access_may_not_print(
    client_for, alice, bob, charlie, duty, child, recorded
):
    for user in (bob, charlie):
        assert client_for(user).get(url(child)).status_code == 404, user
    BreakGlassAccess.objects.create(  # the whole record, read only (ADR 014)
        user=duty, child=child, reason="Night crisis", expires_at=timezone.now() + datetime.timedelta(hours=2),
        whole_record_at=timezone.now(),
    )  # fmt: skip
    assert client_for(duty).get(url(child)).status_code == 403
    assert not AuditEvent.objects.filter(action="export").exists()


def test_queries_are_constant_for_2_and_20_measurements(client_for, alice, child, episode, goal):
    client = client_for(alice)
    measure(alice, episode, "start", 290, [3] * 7, goal, 2)
    measure(alice, episode, "review", 280, [3] * 7, goal, 3)
    not_done(alice, episode, 275)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url(child)).status_code == 200
    for n in range(18):
        measure(alice, episode, "review", 270 - n * 10, [4] * 7, goal, 5)
        not_done(alice, episode, 268 - n * 10)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url(child))
    assert response.status_code == 200
    assert flat(response.content)[0] == 1
    assert len(many) == len(few)


def test_the_outcomes_page_links_to_the_summary(client_for, alice, child, recorded):
    page = client_for(alice).get(reverse("outcomes:child_outcomes", args=[child.pk])).content.decode()
    assert f'href="{url(child)}"' in page
    assert "Download a summary for a review meeting (PDF)" in page


def test_without_support_the_summary_says_there_are_no_outcomes_yet(client_for, alice, child):
    response = client_for(alice).get(url(child))
    pages, text = flat(response.content)
    assert pages == 1 and "No support has started, so there are no outcomes yet." in text


def test_a_closed_episode_shows_its_dates_and_a_manager_may_print(client_for, alice, manager, child, recorded):
    from episodes.models import Episode, EpisodeEvent

    closed_on = TODAY() - datetime.timedelta(days=5)
    EpisodeEvent.objects.create(episode=recorded, kind="closed", on=closed_on, reason="Ready", recorded_by=alice)
    Episode.objects.filter(pk=recorded.pk).update(status="closed")
    response = client_for(manager).get(url(child))
    assert response.status_code == 200
    _pages, text = flat(response.content)
    opened = recorded.opened_on
    assert f"From {opened.day} {opened:%B %Y} to {closed_on.day} {closed_on:%B %Y}" in text
    assert "Printed by Mair Rheolwr" in text
    assert AuditEvent.objects.get(actor=manager, action="export").route == "ui"
