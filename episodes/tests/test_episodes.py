"""Episodes of support: they pause and resume, never close by themselves, close only with a
reason and a record that the young person is ready, and re-open simply without a new referral.
Changes based on an older version are refused with nothing typed lost."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from core.errors import StaleEditError
from episodes import services
from episodes.models import Episode, EpisodeEvent
from people.models import BreakGlassAccess
from referrals.tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def day_fields(name: str, day: datetime.date) -> dict[str, str]:
    return {f"{name}_day": str(day.day), f"{name}_month": str(day.month), f"{name}_year": str(day.year)}


def open_one(user, child, days_ago: int = 30) -> Episode:
    return services.open_episode(
        by=user, child=child, opened_on=TODAY() - datetime.timedelta(days=days_ago), opened_from="returning"
    )


def test_support_opens_from_a_referral_and_is_listed_with_its_log(client_for, alice, child, south):
    referral = ReferralFactory(service=south, child=child)
    client = client_for(alice)
    response = client.post(
        reverse("episodes:open", args=[child.pk]),
        {"opened_from": "referral", "referral": str(referral.pk), **day_fields("opened_on", TODAY())},
    )
    assert response.status_code == 302
    episode = Episode.objects.get(child=child)
    assert (episode.status, episode.referral, episode.version) == ("open", referral, 1)
    assert list(episode.events.values_list("kind", flat=True)) == ["opened"]
    page = client.get(reverse("episodes:list", args=[child.pk])).content.decode()
    assert referral.reference in page and "Pause support" in page
    assert AuditEvent.objects.filter(action="create", object_type="episodes.episode", child_id=child.pk).exists()
    assert AuditEvent.objects.filter(action="list", child_id=child.pk, detail__page="episodes").exists()


def test_a_referral_must_be_chosen_when_support_starts_from_one(client_for, alice, child):
    response = client_for(alice).post(
        reverse("episodes:open", args=[child.pk]), {"opened_from": "referral", **day_fields("opened_on", TODAY())}
    )
    assert response.status_code == 200
    assert "Choose the referral" in response.content.decode()
    assert not Episode.objects.exists()


def test_only_one_current_episode(alice, child):
    open_one(alice, child)
    with pytest.raises(ValidationError):
        open_one(alice, child)
    assert Episode.objects.filter(child=child).count() == 1


def test_pause_and_resume_with_reasons_nothing_closes_by_itself(client_for, alice, child):
    episode = open_one(alice, child)
    client = client_for(alice)
    missing = client.post(reverse("episodes:pause", args=[episode.pk]), {"version": "1", **day_fields("on", TODAY())})
    assert "Give the reason" in missing.content.decode()
    paused = client.post(
        reverse("episodes:pause", args=[episode.pk]),
        {"version": "1", "reason": "Exams: Siôn asked for a break until July", **day_fields("on", TODAY())},
    )
    assert paused.status_code == 302
    episode.refresh_from_db()
    assert (episode.status, episode.version) == ("paused", 2)
    assert (
        client.post(
            reverse("episodes:resume", args=[episode.pk]), {"version": "2", **day_fields("on", TODAY())}
        ).status_code
        == 302
    )
    episode.refresh_from_db()
    assert episode.status == "open"
    assert list(episode.events.values_list("kind", flat=True)) == ["opened", "paused", "resumed"]
    assert episode.history.count() == 3  # every change is a version


def test_closing_needs_a_reason_and_a_record_that_the_young_person_is_ready(client_for, alice, child):
    episode = open_one(alice, child)
    client = client_for(alice)
    url = reverse("episodes:close", args=[episode.pk])
    response = client.post(url, {"version": "1", "reason": "Goals met", **day_fields("on", TODAY())})
    body = response.content.decode()
    assert response.status_code == 200
    assert "in the young person&#x27;s words, that they feel ready" in body
    assert "Record your judgement" in body
    assert "Goals met" in body  # what was typed is kept
    episode.refresh_from_db()
    assert episode.status == "open"
    with pytest.raises(ValidationError):  # the service refuses it too, not only the form
        services.change_episode(
            by=alice, episode=episode, action="close", expected_version=1, values={"on": TODAY(), "reason": "Goals met"}
        )
    ok = client.post(
        url,
        {
            "version": "1",
            "reason": "Goals met",
            **day_fields("on", TODAY()),
            "young_person_words": "I feel OK now and I know I can come back.",
            "practitioner_judgement": "Settled in placement for six months; carer and youth worker trained.",
        },
    )
    assert ok.status_code == 302
    episode.refresh_from_db()
    assert episode.status == "closed"
    closed = episode.events.get(kind="closed")
    assert closed.young_person_words.startswith("I feel OK") and "Settled" in closed.practitioner_judgement


def test_reopen_needs_only_a_reason_and_no_new_referral(client_for, alice, child):
    episode = open_one(alice, child, days_ago=400)
    services.change_episode(
        by=alice,
        episode=episode,
        action="close",
        expected_version=1,
        values={
            "on": TODAY() - datetime.timedelta(days=100),
            "reason": "Goals met",
            "young_person_words": "Ready",
            "practitioner_judgement": "Ready",
        },
    )
    client = client_for(alice)
    page = client.get(reverse("episodes:list", args=[child.pk])).content.decode()
    assert "Re-open support" in page and "does not need a new referral" in page
    response = client.post(
        reverse("episodes:reopen", args=[episode.pk]),
        {"version": "2", "reason": "Placement broke down; Siôn asked to see Alice again", **day_fields("on", TODAY())},
    )
    assert response.status_code == 302
    episode.refresh_from_db()
    assert episode.status == "open" and episode.referral is None
    assert Episode.objects.filter(child=child).count() == 1  # the same episode, re-opened
    assert list(episode.events.values_list("kind", flat=True)) == ["opened", "closed", "reopened"]


def test_a_young_person_comes_back_with_a_new_episode_without_a_referral(client_for, alice, child):
    episode = open_one(alice, child, days_ago=400)
    services.change_episode(
        by=alice,
        episode=episode,
        action="close",
        expected_version=1,
        values={
            "on": TODAY() - datetime.timedelta(days=300),
            "reason": "Moved away",
            "young_person_words": "Ready",
            "practitioner_judgement": "Ready",
        },
    )
    response = client_for(alice).post(
        reverse("episodes:open", args=[child.pk]), {"opened_from": "returning", **day_fields("opened_on", TODAY())}
    )
    assert response.status_code == 302
    new = Episode.objects.filter(child=child).exclude(pk=episode.pk).get()
    assert (new.status, new.opened_from, new.referral) == ("open", "returning", None)


def test_a_change_based_on_an_older_version_is_refused_and_nothing_typed_is_lost(client_for, alice, manager, child):
    episode = open_one(alice, child)
    # Both open the episode at version 1; the manager pauses it first.
    services.change_episode(
        by=manager,
        episode=episode,
        action="pause",
        expected_version=1,
        values={"on": TODAY(), "reason": "Hospital stay"},
    )
    response = client_for(alice).post(
        reverse("episodes:close", args=[episode.pk]),
        {
            "version": "1",
            "reason": "Alice's reason",
            **day_fields("on", TODAY()),
            "young_person_words": "My words",
            "practitioner_judgement": "Alice's judgement",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Someone else changed this episode" in body
    assert "Alice&#x27;s reason" in body and "My words" in body and "Alice&#x27;s judgement" in body
    assert 'name="version" value="2"' in body  # the next send is based on what is stored now
    assert "Paused" in body  # beside what is saved now
    episode.refresh_from_db()
    assert (episode.status, episode.version) == ("paused", 2)
    with pytest.raises(StaleEditError):
        services.change_episode(by=alice, episode=episode, action="resume", expected_version=1, values={"on": TODAY()})


def test_dates_cannot_go_back_before_the_last_event(alice, child):
    episode = open_one(alice, child, days_ago=10)
    with pytest.raises(ValidationError) as refused:
        services.change_episode(
            by=alice,
            episode=episode,
            action="pause",
            expected_version=1,
            values={"on": TODAY() - datetime.timedelta(days=20), "reason": "x"},
        )
    assert "on" in refused.value.message_dict


def test_wrong_state_is_refused(alice, child):
    episode = open_one(alice, child)
    with pytest.raises(ValidationError):
        services.change_episode(by=alice, episode=episode, action="resume", expected_version=1, values={"on": TODAY()})
    with pytest.raises(ValidationError):
        services.change_episode(
            by=alice, episode=episode, action="reopen", expected_version=1, values={"on": TODAY(), "reason": "x"}
        )


def test_break_glass_reads_but_does_not_change(client_for, alice, duty, child):
    episode = open_one(alice, child)
    BreakGlassAccess.objects.create(
        user=duty,
        child=child,
        reason="Night crisis",
        expires_at=timezone.now() + datetime.timedelta(hours=2),
        whole_record_at=timezone.now(),
    )  # the second grant: the whole record (ADR 014)
    client = client_for(duty)
    page = client.get(reverse("episodes:list", args=[child.pk]))
    assert page.status_code == 200 and "Pause support" not in page.content.decode()
    assert AuditEvent.objects.filter(actor=duty, action="list", child_id=child.pk, route="break_glass").exists()
    assert client.get(reverse("episodes:pause", args=[episode.pk])).status_code == 403
    assert (
        client.post(
            reverse("episodes:pause", args=[episode.pk]), {"version": "1", "reason": "x", **day_fields("on", TODAY())}
        ).status_code
        == 403
    )
    assert client.post(reverse("episodes:open", args=[child.pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        services.change_episode(
            by=duty, episode=episode, action="pause", expected_version=1, values={"on": TODAY(), "reason": "x"}
        )
    assert not EpisodeEvent.objects.filter(kind="paused").exists()


def test_the_manager_changes_episodes_too(client_for, alice, manager, child):
    episode = open_one(alice, child)
    response = client_for(manager).post(
        reverse("episodes:pause", args=[episode.pk]),
        {"version": "1", "reason": "Practitioner off sick", **day_fields("on", TODAY())},
    )
    assert response.status_code == 302


def test_strangers_and_colleagues_outside_the_team_get_404(
    client_for, alice, bob, charlie, partner, commissioner, child
):
    episode = open_one(alice, child)
    for user in (bob, charlie, partner, commissioner):
        client = client_for(user)
        for url in (
            reverse("episodes:list", args=[child.pk]),
            reverse("episodes:open", args=[child.pk]),
            reverse("episodes:pause", args=[episode.pk]),
            reverse("episodes:reopen", args=[episode.pk]),
        ):
            assert client.get(url).status_code == 404, (user, url)
            assert client.post(url, {"version": "1", "reason": "x"}).status_code == 404, (user, url)
    episode.refresh_from_db()
    assert episode.status == "open"
