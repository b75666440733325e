"""Emergency access abuse (issue 11 §4): a reason with words in it, the existing access shown
instead of a second one, the managers alerted on a repeat within a day, and failed
identifications limited per worker and per client address."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import UserFactory
from audit.models import AuditEvent
from people import services
from people.models import BreakGlassAccess
from people.tests.factories import ChildFactory
from people.tests.test_views import BREAK_GLASS_FORM

pytestmark = pytest.mark.django_db

REASON_ERROR_EN = (
    "Explain in words why you need emergency access, for example “Carer phoned, young person missing”: "
    "at least three different words."
)
JUNK = [
    "aaaaaaaaaa",
    "..........",
    "asdf asdf",
    "asdf asdf asdf asdf",
    "aa bb cc dd ee",
    "x y z a b c d e",
    "1234567890 1234",
    "a.a.a.a.a.a.a.a",
    "ASDF asdf Asdf",
]
MEANINGFUL = [
    "Carer phoned at 2am: young person missing",
    "Gofalwr wedi ffonio: person ifanc ar goll",
    "Mae'r heddlu'n chwilio amdano ger yr afon",
    "Ŵyr y gofalwr ar goll heno",
]


# --- The reason --------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", JUNK)
def test_a_reason_without_words_is_refused(reason):
    assert not services.reason_has_words(reason)


@pytest.mark.parametrize("reason", MEANINGFUL)
def test_a_reason_in_words_is_accepted_in_english_and_welsh(reason):
    assert services.reason_has_words(reason)


def test_the_service_refuses_a_junk_reason(duty, child):
    with pytest.raises(ValidationError) as refused:
        services.start_break_glass(by=duty, child=child, reason="asdf asdf asdf")
    assert "reason" in refused.value.message_dict
    assert not BreakGlassAccess.objects.exists()


def test_the_page_refuses_a_junk_reason_clearly_and_keeps_what_was_typed(client_for, duty, child):
    response = client_for(duty).post(reverse("people:break_glass"), dict(BREAK_GLASS_FORM, reason="aaaaaaaaaa"))
    assert response.status_code == 200
    errors = response.context["form"].errors["reason"]
    assert errors == [REASON_ERROR_EN]
    body = response.content.decode()
    assert "aaaaaaaaaa</textarea>" in body
    assert 'value="9434765919"' in body
    assert not BreakGlassAccess.objects.exists()


def test_the_reason_error_is_in_welsh_on_the_welsh_page(client_for, duty, child):
    client = client_for(duty)
    response = client.post("/cy" + reverse("people:break_glass")[3:], dict(BREAK_GLASS_FORM, reason=".........."))
    assert response.status_code == 200
    error = response.context["form"].errors["reason"][0]
    assert error != REASON_ERROR_EN and error


# --- One access at a time ---------------------------------------------------------------------


def test_starting_again_returns_the_active_access_instead_of_a_second(duty, child):
    first = services.start_break_glass(by=duty, child=child, reason="Carer phoned: young person missing tonight")
    again = services.start_break_glass(by=duty, child=child, reason="Still missing, checking the safety plan")
    assert again.pk == first.pk
    assert BreakGlassAccess.objects.count() == 1
    assert again.reason == "Carer phoned: young person missing tonight"  # the first reason stands
    assert AuditEvent.objects.filter(action="break_glass", child_id=child.pk).count() == 1


def test_the_page_shows_the_existing_access_instead_of_opening_a_second(client_for, duty, child):
    client = client_for(duty)
    assert client.post(reverse("people:break_glass"), BREAK_GLASS_FORM).status_code == 302
    again = client.post(
        reverse("people:break_glass"), dict(BREAK_GLASS_FORM, reason="Second call from the carer tonight"), follow=True
    )
    assert again.redirect_chain[-1][0] == reverse("safety:plan", args=[child.pk])  # lands on the safety plan
    assert "You already have emergency access to this record" in again.content.decode()
    assert BreakGlassAccess.objects.count() == 1


# --- A repeat within a day alerts the managers --------------------------------------------------


def _ended_access(duty, child, hours_ago):
    started = timezone.now() - datetime.timedelta(hours=hours_ago)
    return BreakGlassAccess.objects.create(
        user=duty,
        child=child,
        reason="Crisis call at night",
        started_at=started,
        expires_at=started + datetime.timedelta(hours=1),
    )


def test_a_second_access_to_the_same_child_within_a_day_alerts_the_managers(
    duty, manager, child, django_capture_on_commit_callbacks
):
    manager.email = "manager@example.invalid"
    manager.save()
    _ended_access(duty, child, hours_ago=5)
    with django_capture_on_commit_callbacks(execute=True):
        access = services.start_break_glass(by=duty, child=child, reason="Carer phoned again: young person missing")
    assert access.repeat == BreakGlassAccess.Repeat.SAME_CHILD
    assert [m.to for m in mail.outbox] == [["manager@example.invalid"]]
    body = mail.outbox[0].body
    assert duty.get_full_name() in body
    assert child.given_name not in body and child.family_name not in body
    assert "/people/emergency-access/review/" in body or reverse("people:break_glass_review") in body


def test_a_second_access_after_more_than_a_day_is_not_a_repeat(
    duty, manager, child, django_capture_on_commit_callbacks
):
    manager.email = "manager@example.invalid"
    manager.save()
    _ended_access(duty, child, hours_ago=25)
    with django_capture_on_commit_callbacks(execute=True):
        access = services.start_break_glass(by=duty, child=child, reason="Carer phoned again: young person missing")
    assert access.repeat == ""
    assert mail.outbox == []


def test_many_accesses_in_a_day_alert_the_managers(duty, manager, south, settings, django_capture_on_commit_callbacks):
    settings.NYTH_BREAK_GLASS_DAILY_ALERT = 3
    manager.email = "manager@example.invalid"
    manager.save()
    kids = [ChildFactory(service=south) for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        accesses = [
            services.start_break_glass(by=duty, child=kid, reason="Crisis line call about this young person")
            for kid in kids
        ]
    assert [a.repeat for a in accesses] == ["", "", BreakGlassAccess.Repeat.MANY]
    assert len(mail.outbox) == 1


def test_the_review_page_flags_a_repeat(client_for, duty, manager, child):
    _ended_access(duty, child, hours_ago=5)
    services.start_break_glass(by=duty, child=child, reason="Carer phoned again: young person missing")
    page = client_for(manager).get(reverse("people:break_glass_review")).content.decode()
    assert "Repeat within a day" in page


# --- Failed identifications are limited ---------------------------------------------------------


def test_failed_identifications_are_limited_per_worker(client_for, duty, child, settings):
    settings.NYTH_BREAK_GLASS_FAILURES_PER_WORKER = 2
    client = client_for(duty)
    wrong = dict(BREAK_GLASS_FORM, date_of_birth_year="2013")
    for _attempt in range(2):
        assert client.post(reverse("people:break_glass"), wrong).status_code == 200
    limited = client.post(reverse("people:break_glass"), BREAK_GLASS_FORM)  # even the right details
    assert limited.status_code == 429
    assert "Too many attempts" in limited.content.decode()
    assert not BreakGlassAccess.objects.exists()
    events = AuditEvent.objects.filter(action="break_glass", actor=duty).order_by("id")
    assert [e.detail.get("matched") for e in events] == [False, False, False]
    assert events.last().detail.get("limited") is True
    # Another worker is not held back by this one's mistakes.
    other = UserFactory(organisation=duty.organisation, role=Role.DUTY_WORKER)
    assert (
        client_for(other).post(reverse("people:break_glass"), BREAK_GLASS_FORM, REMOTE_ADDR="192.0.2.9").status_code
        == 302
    )


def test_failed_identifications_are_limited_per_client_address(client_for, duty, child, settings):
    settings.NYTH_BREAK_GLASS_FAILURES_PER_WORKER = 10
    settings.NYTH_BREAK_GLASS_FAILURES_PER_ADDRESS = 3
    settings.NYTH_TRUSTED_PROXIES = ["10.0.0.0/8"]
    behind_proxy = {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    wrong = dict(BREAK_GLASS_FORM, date_of_birth_year="2013")
    workers = [UserFactory(organisation=duty.organisation, role=Role.DUTY_WORKER) for _ in range(3)]
    for worker in workers:
        assert client_for(worker).post(reverse("people:break_glass"), wrong, **behind_proxy).status_code == 200
    assert client_for(duty).post(reverse("people:break_glass"), BREAK_GLASS_FORM, **behind_proxy).status_code == 429
    # The same worker from another address is not limited by that address.
    assert (
        client_for(duty).post(reverse("people:break_glass"), BREAK_GLASS_FORM, REMOTE_ADDR="192.0.2.10").status_code
        == 302
    )


def test_the_limit_page_is_in_welsh(client_for, duty, child, settings):
    settings.NYTH_BREAK_GLASS_FAILURES_PER_WORKER = 1
    client = client_for(duty)
    url = "/cy" + reverse("people:break_glass")[3:]
    client.post(url, dict(BREAK_GLASS_FORM, date_of_birth_year="2013"))
    limited = client.post(url, BREAK_GLASS_FORM)
    assert limited.status_code == 429
    assert "Too many attempts" not in limited.content.decode()
    assert 'lang="cy"' in limited.content.decode()


# --- The second grant: the whole record (issue 12 B, ADR 014) -------------------------------------


def test_the_whole_record_is_a_second_recorded_grant_with_its_own_reason(duty, manager, child):
    from people.access import can_change, record_access

    access = services.start_break_glass(by=duty, child=child, reason="Carer phoned: young person missing tonight")
    assert record_access(duty, child).routes == ()
    with pytest.raises(ValidationError):
        services.grant_whole_record(by=duty, access=access, reason="need it")
    services.review_break_glass(by=manager, access=access, note="Fine so far")
    granted = services.grant_whole_record(by=duty, access=access, reason="Police ask where she was found last time")
    assert (
        granted.whole_record_at is not None
        and granted.whole_record_reason == "Police ask where she was found last time"
    )
    assert record_access(duty, child).routes == ("break_glass",) and not can_change(duty, child)
    # Waits for review (and the morning report) again, as a grant of its own.
    assert granted.reviewed_at is None and granted.reported_at is None
    event = AuditEvent.objects.get(action="break_glass", detail__tier="whole_record")
    assert event.reason == granted.whole_record_reason and event.actor == duty and event.child_id == child.pk
    # Asking again changes nothing and records nothing.
    services.grant_whole_record(by=duty, access=granted, reason="Another reason given later on")
    assert AuditEvent.objects.filter(action="break_glass", detail__tier="whole_record").count() == 1


def test_only_the_worker_on_a_running_access_may_widen_it(duty, manager, child):
    access = services.start_break_glass(by=duty, child=child, reason="Carer phoned: young person missing tonight")
    with pytest.raises(PermissionDenied):
        services.grant_whole_record(by=manager, access=access, reason="Police ask where she was found")
    BreakGlassAccess.objects.filter(pk=access.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    with pytest.raises(PermissionDenied):
        services.grant_whole_record(by=duty, access=access, reason="Police ask where she was found")
