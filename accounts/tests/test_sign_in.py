"""Sign-in fit for children's data: Argon2, mandatory TOTP, lockout, idle timeout, language."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.hashers import identify_hasher
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEvent

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


class Clock:
    """Django's clock (``django.utils.timezone.now``, which django-otp's throttle and the session
    store read), moved forward by the test instead of sleeping."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + clock.offset)
    return clock


def current_code(device: TOTPDevice, offset: int = 0) -> str:
    return str(totp(device.bin_key, device.step, device.t0, device.digits, device.drift + offset)).zfill(device.digits)


def sign_in_password(client: Client, username: str, password: str = PASSWORD, **extra):
    return client.post(reverse("accounts:login"), {"username": username, "password": password, **extra})


def test_production_hashes_passwords_with_argon2(alice):
    from config import settings as production

    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    with override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS):
        alice.set_password("a new long passphrase 42")
        alice.save()
        assert identify_hasher(alice.password).algorithm == "argon2"


def test_two_factor_is_mandatory_first_set_up_then_verified(client, alice, clock):
    from accounts import enrolment

    code = enrolment.issue(user=alice, by=None, deliver="shown")
    response = sign_in_password(client, "alice")
    assert response.status_code == 302
    # Without a device the user must set one up before anything else.
    home = client.get(reverse("core:home"))
    assert home.status_code == 302
    assert reverse("accounts:two_factor_setup") in home["Location"]
    # The password alone is not enough: the enrolment code first (accounts/tests/test_enrolment.py).
    assert b"Enrolment code" in client.get(reverse("accounts:two_factor_setup")).content
    client.post(reverse("accounts:two_factor_setup"), {"code": code})
    setup = client.get(reverse("accounts:two_factor_setup"))
    assert setup.status_code == 200
    assert b"data:image/svg+xml" in setup.content
    device = TOTPDevice.objects.get(user=alice, confirmed=False)
    wrong = client.post(
        reverse("accounts:two_factor_setup"), {"token": "000000" if current_code(device) != "000000" else "111111"}
    )
    assert wrong.status_code == 200
    assert b"not correct" in wrong.content
    # django-otp throttles: right after a wrong code even the right one is refused…
    throttled = client.post(reverse("accounts:two_factor_setup"), {"token": current_code(device)})
    assert throttled.status_code == 200
    device.refresh_from_db()
    assert not device.confirmed
    clock.advance(10)  # …until the delay (1 s, doubled by each failure) has passed
    ok = client.post(reverse("accounts:two_factor_setup"), {"token": current_code(device)})
    assert ok.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("core:home")).status_code == 200


def test_returning_user_enters_the_code_from_their_app(client, alice):
    device = TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)
    sign_in_password(client, "alice")
    redirect = client.get(reverse("people:list"))
    assert reverse("accounts:two_factor") in redirect["Location"]
    assert client.post(reverse("accounts:two_factor"), {"token": "12ab"}).status_code == 200
    response = client.post(
        reverse("accounts:two_factor") + "?next=" + reverse("people:list"), {"token": current_code(device)}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("people:list")
    assert client.get(reverse("people:list")).status_code == 200
    assert AuditEvent.objects.filter(action="sign_in", actor=alice).exists()


def test_unverified_user_cannot_reach_records(client, alice, child):
    TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)
    sign_in_password(client, "alice")
    response = client.get(reverse("people:detail", args=[child.pk]))
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="view").exists()


@override_settings(NYTH_REQUIRE_2FA=False)
def test_demo_mode_lets_accounts_without_a_device_skip_the_second_step(client, alice):
    sign_in_password(client, "alice")
    assert client.get(reverse("core:home")).status_code == 200


@override_settings(NYTH_REQUIRE_2FA=False)
def test_demo_mode_still_asks_accounts_that_have_a_device(client, alice):
    TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)
    sign_in_password(client, "alice")
    assert client.get(reverse("core:home")).status_code == 302


def test_repeated_failures_from_one_address_lock_that_address(client, alice, bob, settings):
    settings.NYTH_LOGIN_USER_FAILURE_LIMIT = 100  # only the address lock in play here
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        response = sign_in_password(client, f"guess{n}", "wrong password")  # many user names
        assert response.status_code == 200
        assert b"Enter a correct user name and password" in response.content
    assert sign_in_password(client, "alice", "wrong password").status_code == 429
    locked = sign_in_password(client, "alice")  # even the right password
    assert locked.status_code == 429
    assert b"Too many sign-in attempts from this connection" in locked.content
    assert "_auth_user_id" not in client.session
    # Another address is not locked.
    assert sign_in_password(Client(REMOTE_ADDR="198.51.100.2"), "bob").status_code == 302


def test_guessing_one_account_from_many_addresses_is_slowed_down_not_locked(alice, settings):
    from accounts.models import SignInThrottle

    settings.NYTH_LOGIN_USER_FAILURE_LIMIT = 3
    settings.NYTH_LOGIN_USER_COOLOFF_SECONDS = 60
    for n in range(3):
        response = sign_in_password(Client(REMOTE_ADDR=f"203.0.113.{n + 1}"), "alice", "wrong password")
        assert response.status_code == 200
    # A fourth address, even with the right password, is told to wait (and nothing reveals it was right).
    refused = sign_in_password(Client(REMOTE_ADDR="203.0.113.50"), "alice")
    assert refused.status_code == 429
    assert b"too many wrong sign-in attempts for this account" in refused.content
    assert b'value="alice"' in refused.content
    assert SignInThrottle.objects.get(username="alice").failures == 3  # refused attempts are not counted
    # The cool-off ends by itself: no hard lock.
    SignInThrottle.objects.filter(username="alice").update(blocked_until=None)
    assert sign_in_password(Client(REMOTE_ADDR="203.0.113.51"), "alice").status_code == 302
    assert SignInThrottle.objects.get(username="alice").failures == 0


def test_the_cool_off_grows_with_each_further_failure(alice, settings):
    from accounts import throttle

    settings.NYTH_LOGIN_USER_FAILURE_LIMIT = 2
    settings.NYTH_LOGIN_USER_COOLOFF_SECONDS = 60
    throttle.record_failure("alice")
    assert throttle.cooling_off("alice") is None
    first = throttle.record_failure("alice").blocked_until
    second = throttle.record_failure("ALICE").blocked_until  # user names are case-insensitive
    assert 55 < (first - __import__("django.utils.timezone").utils.timezone.now()).total_seconds() <= 60
    assert (second - first).total_seconds() > 55  # 120 s after the third failure
    assert throttle.cooling_off("Alice") is not None


def test_managers_are_told_once_per_window_in_their_language(
    alice, manager, bob, settings, mailoutbox, django_capture_on_commit_callbacks
):
    from accounts import throttle
    from jobs.models import SentEmail

    manager.preferred_language = "cy"
    manager.email = "rheolwr@example.org"
    manager.save()
    alice.organisation = manager.organisation
    alice.save()
    settings.NYTH_LOGIN_USER_FAILURE_LIMIT = 2
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for _ in range(5):
            throttle.record_failure("alice")
        assert mailoutbox == []  # nothing is sent inside the failing sign-in's transaction
    assert len(callbacks) == 1  # one outbox task queued, for the one manager, in this window
    assert [m.to for m in mailoutbox] == [[manager.email]]
    message = mailoutbox[0]
    assert "alice" in message.body and PASSWORD not in message.body
    assert message.subject.startswith("Nyth: ") and "repeated wrong sign-ins" not in message.subject  # in Welsh
    marker = SentEmail.objects.get(recipient=manager.email)
    assert marker.event_key.startswith(f"sign-in-attack:{alice.pk}:")
    with django_capture_on_commit_callbacks(execute=True):
        throttle.record_failure("nobody-at-all")
        throttle.record_failure("nobody-at-all")
    assert len(mailoutbox) == 1  # an unknown name tells nobody anything


def test_the_attack_email_goes_through_the_outbox_once_per_window(
    alice, manager, settings, mailoutbox, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from accounts import throttle
    from accounts.models import SignInThrottle
    from jobs.email import deliver_email
    from jobs.models import SentEmail

    manager.email = "manager@example.org"
    manager.save()
    alice.organisation = manager.organisation
    alice.save()
    settings.NYTH_LOGIN_USER_FAILURE_LIMIT = 1

    # A failure that rolls back queues nothing.
    def failing_sign_in():
        with transaction.atomic():
            throttle.record_failure("alice")
            raise RuntimeError("the sign-in request failed")

    with django_capture_on_commit_callbacks(execute=True) as rolled_back:
        with pytest.raises(RuntimeError):
            failing_sign_in()
    assert rolled_back == [] and mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        throttle.record_failure("alice")
    assert len(mailoutbox) == 1 and mailoutbox[0].subject == "Nyth: repeated wrong sign-ins for Alice Ymarferydd"
    # The task running again (re-queued after its worker was killed) finds the sent-marker.
    (marker,) = SentEmail.objects.filter(recipient=manager.email)
    again = {"event_key": marker.event_key, "to": manager.email, "subject": "s", "body": "b"}
    assert deliver_email.call(**again) is False
    assert len(mailoutbox) == 1
    # A new window (the alert is older than the window) tells the manager again, once.
    SignInThrottle.objects.filter(username="alice").update(
        alerted_at=timezone.now() - timedelta(minutes=settings.NYTH_LOGIN_USER_WINDOW_MINUTES + 1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        throttle.record_failure("alice")
        throttle.record_failure("alice")
    assert len(mailoutbox) == 2


def test_failed_sign_in_keeps_the_user_name_typed(client, alice):
    response = sign_in_password(client, "alice", "nope")
    assert b'value="alice"' in response.content


def test_idle_session_timeout_is_thirty_minutes_and_renewed_on_each_request():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_idle_session_expires(client_for, alice, clock):
    client = client_for(alice)
    assert client.get(reverse("core:home")).status_code == 200
    session = client.session
    session.set_expiry(1)
    session.save()
    assert client.get(reverse("core:home")).status_code == 200  # within the second: still signed in
    session = client.session
    session.set_expiry(1)
    session.save()
    clock.advance(1.1)
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_sign_in_continues_in_the_language_chosen_before(client, alice):
    alice.preferred_language = "cy"
    alice.save()
    TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)
    response = sign_in_password(client, "alice", next="/en/children/")  # no language on the form
    assert response["Location"].startswith("/cy/")
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies  # the address carries the language


def test_the_language_chosen_on_the_sign_in_form_wins(client, alice):
    TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)
    page = client.get("/en/account/sign-in/").content.decode()
    assert re.search(r'name="language" type="radio" value="cy"', page)
    assert not re.search(r'name="language" type="radio" value="\w+" checked', page)  # nothing pre-selected
    response = sign_in_password(client, "alice", next="/en/children/", language="cy")
    assert response["Location"] == "/cy/children/"
    alice.refresh_from_db()
    assert alice.preferred_language == "cy"
    assert (
        AuditEvent.objects.filter(
            action="update", object_id=str(alice.pk), detail__fields=["preferred_language"]
        ).count()
        == 1
    )


def test_the_language_links_go_to_the_same_page_and_store_nothing(client_for, alice):
    client = client_for(alice)
    page = client.get("/en/children/?q=a&page=2").content.decode()
    assert 'href="/cy/children/?q=a&amp;page=2"' in page
    response = client.get("/cy/children/?q=a&page=2")
    assert response.status_code == 200
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    alice.refresh_from_db()
    assert alice.preferred_language == "en"
    assert not AuditEvent.objects.filter(action="update", object_id=str(alice.pk)).exists()


def test_the_account_language_changes_only_by_a_post(client_for, alice):
    client = client_for(alice)
    page = client.get(reverse("accounts:account"))
    assert (
        page.status_code == 200
        and b'name="preferred_language"' in page.content
        and b"csrfmiddlewaretoken" in page.content
    )
    client.get(reverse("accounts:account"), {"preferred_language": "cy"})
    alice.refresh_from_db()
    assert alice.preferred_language == "en"
    response = client.post(reverse("accounts:account"), {"preferred_language": "cy"})
    assert response.status_code == 302 and response["Location"] == "/cy/account/"
    alice.refresh_from_db()
    assert alice.preferred_language == "cy"
    bad = client.post(reverse("accounts:account"), {"preferred_language": "xx"})
    assert bad.status_code == 200 and b"govuk-error-summary" in bad.content


def test_the_account_language_form_is_csrf_protected(alice):
    from conftest import sign_in

    client = sign_in(Client(enforce_csrf_checks=True), alice)
    assert client.post(reverse("accounts:account"), {"preferred_language": "cy"}).status_code == 403
    alice.refresh_from_db()
    assert alice.preferred_language == "en"


def test_sign_out_is_a_post(client_for, alice):
    client = client_for(alice)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("core:home")).status_code == 302


def test_the_page_asked_for_is_kept_through_the_second_step(client, alice):
    TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)
    sign_in_password(client, "alice")
    response = client.get("/en/children/?q=a&page=2")
    assert response["Location"].endswith("?next=%2Fen%2Fchildren%2F%3Fq%3Da%26page%3D2")
