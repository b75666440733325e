"""Emails the young person turns on: off by default; on, off (one click) and a new address on
their "Emails from Nyth" page (audited, route self); at most one email per window, never a
duplicate on retry, from a neutral sender with a neutral subject, saying only that there is
something new; never to a revoked account or a carer whose access ended."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from accounts.models import Role
from accounts.tests.factories import UserFactory
from audit.models import Action, AuditEvent, Route
from contacts.models import Attendance, Contact, Kind, Location
from myspace import inbox, notify, voice
from myspace.models import SpaceAccount
from myspace.tests.test_carers import carer, support_consent  # noqa: F401 - fixture
from people.models import Child

pytestmark = pytest.mark.django_db

ADDRESS = "sion@example.invalid"


@pytest.fixture
def young_person(child, alice):
    user = UserFactory(username="sion", first_name="Siôn", last_name="", organisation=None, role=Role.YOUNG_PERSON)
    SpaceAccount.objects.create(user=user, child=child, created_by=alice)
    return user


@pytest.fixture
def teen(child):
    child.date_of_birth = timezone.localdate() - datetime.timedelta(days=15 * 366)
    child.save()
    return child


def _turn_on(young_person, address=ADDRESS) -> SpaceAccount:
    return notify.set_notifications(account=young_person.space_account, on=True, email=address)


def _session(child: Child, by, when: datetime.datetime) -> Contact:
    return Contact.objects.create(
        child=child,
        practitioner=by,
        kind=Kind.INDIVIDUAL,
        starts_at=when,
        attendance=Attendance.BOOKED,
        location=Location.SCHOOL,
        recorded_by=by,
        idempotency_key=uuid.uuid4().hex,
    )


def test_off_by_default_and_nothing_is_sent(young_person, child, alice, django_capture_on_commit_callbacks):
    assert young_person.space_account.notify_on is False
    with django_capture_on_commit_callbacks(execute=True):
        _session(child, alice, timezone.now() + datetime.timedelta(days=2))
    assert not mail.outbox


def test_turn_on_change_and_turn_off_on_their_page(client_for, young_person, child):
    client = client_for(young_person)
    page = client.get(reverse("myspace:emails"))
    assert page.status_code == 200 and "We do not email you" in page.content.decode()
    assert reverse("myspace:emails") in client.get(reverse("myspace:home")).content.decode()
    assert client.post(reverse("myspace:emails"), {"email": ADDRESS}).status_code == 302
    account = SpaceAccount.objects.get(user=young_person)
    assert (account.notify_on, account.notify_email) == (True, ADDRESS)
    client.post(reverse("myspace:emails"), {"email": "new@example.invalid"})
    assert SpaceAccount.objects.get(user=young_person).notify_email == "new@example.invalid"
    assert client.post(reverse("myspace:emails_off")).status_code == 302  # one click
    account = SpaceAccount.objects.get(user=young_person)
    assert (account.notify_on, account.notify_email) == (False, "")  # the address is forgotten
    events = AuditEvent.objects.filter(actor=young_person, action=Action.UPDATE)
    assert [e.detail["space_notify"] for e in events.order_by("pk")] == ["on", "on", "off"]
    assert {e.route for e in events} == {Route.SELF}
    assert all("example.invalid" not in str(e.detail) for e in AuditEvent.objects.all())
    assert AuditEvent.objects.filter(actor=young_person, action=Action.VIEW, route=Route.SELF).exists()


def test_a_bad_address_is_explained_and_kept(client_for, young_person):
    response = client_for(young_person).post(reverse("myspace:emails"), {"email": "sion@"})
    body = response.content.decode()
    assert response.status_code == 400 and "Enter an email address in the correct format" in body
    assert 'value="sion@"' in body
    assert SpaceAccount.objects.get(user=young_person).notify_on is False


def test_the_page_is_404_for_a_revoked_account(client_for, young_person):
    SpaceAccount.objects.filter(user=young_person).update(revoked_at=timezone.now())
    assert client_for(young_person).get(reverse("myspace:emails")).status_code == 404


def test_something_new_sends_one_neutral_email(
    young_person, child, alice, settings, django_capture_on_commit_callbacks
):
    settings.NYTH_SPACE_NOTIFY_FROM = "hello@nyth.example"
    _turn_on(young_person)
    item = voice.check_in(user=young_person, child=child, feeling=2, note="Bad week at school", text_language="en")
    with django_capture_on_commit_callbacks(execute=True):
        inbox.mark_read(by=alice, item=item)  # a practitioner read it
    [email] = mail.outbox
    assert email.to == [ADDRESS] and email.from_email == "hello@nyth.example"
    assert email.subject == "New on Nyth"
    assert settings.NYTH_SITE_URL + "/en/account/sign-in/" in email.body
    for detail in ("Siôn", "Prydderch", "Alice", "school", "read", "check", "care", "therapy"):
        assert detail.lower() not in (email.subject + email.body).lower()
    account = SpaceAccount.objects.get(user=young_person)
    assert account.notify_pending_at is None and account.notify_sent_at is not None
    # A retry of the task finds nothing waiting: no duplicate.
    assert notify.deliver_something_new(account.pk) is False
    assert len(mail.outbox) == 1


def test_at_most_one_email_per_window_and_the_rest_waits_for_the_sweep(
    young_person, child, alice, settings, django_capture_on_commit_callbacks
):
    settings.NYTH_SPACE_NOTIFY_EVERY_HOURS = 6
    _turn_on(young_person)
    start = timezone.now()
    with freeze_time(start), django_capture_on_commit_callbacks(execute=True):
        _session(child, alice, start + datetime.timedelta(days=3))
    assert len(mail.outbox) == 1
    with freeze_time(start + datetime.timedelta(hours=1)), django_capture_on_commit_callbacks(execute=True):
        for days in (4, 5, 6):  # three more changes within the window
            _session(child, alice, start + datetime.timedelta(days=days))
        assert notify.send_due() == 0
    assert len(mail.outbox) == 1
    assert SpaceAccount.objects.get(user=young_person).notify_pending_at is not None  # it waits
    with freeze_time(start + datetime.timedelta(hours=6, minutes=1)):
        assert notify.send_due() == 1  # the window reopened: one email for all three
        assert notify.send_due() == 0  # the sweep again: nothing more
    assert len(mail.outbox) == 2


def test_a_session_recorded_after_it_happened_is_not_news(
    young_person, child, alice, django_capture_on_commit_callbacks
):
    _turn_on(young_person)
    with django_capture_on_commit_callbacks(execute=True):
        _session(child, alice, timezone.now() - datetime.timedelta(days=1))
    assert not mail.outbox


def test_never_to_a_revoked_account(young_person, child, alice, django_capture_on_commit_callbacks):
    _turn_on(young_person)
    item = voice.check_in(user=young_person, child=child, feeling=3, note="", text_language="")
    SpaceAccount.objects.filter(user=young_person).update(revoked_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        inbox.mark_read(by=alice, item=item)
    assert not mail.outbox
    # Revoked while the news waited: the task sends nothing and forgets it.
    SpaceAccount.objects.filter(user=young_person).update(notify_pending_at=timezone.now())
    assert notify.deliver_something_new(young_person.space_account.pk) is False
    assert SpaceAccount.objects.get(user=young_person).notify_pending_at is None


def test_a_carer_is_told_of_sessions_only_while_their_access_lasts(
    teen,
    alice,
    carer,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    support_consent(alice, teen, carer)
    user = UserFactory(username="sioned", first_name="Sioned", organisation=None, role=Role.CARER)
    account = SpaceAccount.objects.create(user=user, child=teen, related_person=carer, created_by=alice)
    notify.set_notifications(account=account, on=True, email="carer@example.invalid")
    item = voice.check_in(user=alice, child=teen, feeling=3, note="", text_language="")
    with django_capture_on_commit_callbacks(execute=True):
        inbox.mark_read(by=alice, item=item)  # what the young person wrote: never
    assert not mail.outbox
    with django_capture_on_commit_callbacks(execute=True):
        _session(teen, alice, timezone.now() + datetime.timedelta(days=2))
    assert [m.to for m in mail.outbox] == [["carer@example.invalid"]]
    # The placement ends: their access ends, and so do the emails.
    teen.placements.update(end_date=timezone.localdate())
    SpaceAccount.objects.filter(pk=account.pk).update(notify_sent_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        _session(teen, alice, timezone.now() + datetime.timedelta(days=3))
    assert len(mail.outbox) == 1
