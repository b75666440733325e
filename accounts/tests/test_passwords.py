"""Issue 11 §1: password change for everyone; reset by email only, once, for 24 hours, second factor still asked."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.forms import UserDetailsForm
from accounts.tests.test_sign_in import PASSWORD, current_code, sign_in_password
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a completely new passphrase 2026"


def _is_signed_in(client: Client) -> bool:
    return client.get(reverse("core:home")).status_code == 200


def test_changing_the_password_keeps_this_session_and_ends_the_others(client_for, alice):
    here, elsewhere = client_for(alice), client_for(alice)
    assert _is_signed_in(here) and _is_signed_in(elsewhere)
    page = here.get(reverse("accounts:password_change"))
    assert page.status_code == 200 and b"Change your password" in page.content

    response = here.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302 and response["Location"] == reverse("accounts:account")
    assert _is_signed_in(here)  # still signed in, still past the second factor
    assert here.get(reverse("people:list")).status_code == 200
    assert not _is_signed_in(elsewhere)
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(action="update", object_id=str(alice.pk), actor=alice)
    assert event.detail["password_changed"] is True
    assert PASSWORD not in str(event.detail) and NEW_PASSWORD not in str(event.detail)


def test_a_wrong_old_password_changes_nothing_and_keeps_what_was_typed(client_for, alice):
    client = client_for(alice)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert b"govuk-error-summary" in response.content
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_password_change_is_behind_the_second_factor_and_reset_is_open_to_anyone(client, alice):
    TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)
    assert client.get(reverse("accounts:password_reset")).status_code == 200  # anonymous
    sign_in_password(client, "alice")
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 302 and reverse("accounts:two_factor") in response["Location"]


def _request_reset(client: Client, email: str, mailoutbox, capture) -> object:
    with capture(execute=True):
        return client.post(reverse("accounts:password_reset"), {"email": email})


def _link_from(message) -> str:
    (link,) = re.findall(r"https?://\S+/password-reset/\S+/", message.body)
    return urlsplit(link).path


def test_the_reset_link_goes_only_to_the_holders_email_in_their_language(
    client, alice, mailoutbox, django_capture_on_commit_callbacks
):
    alice.email, alice.preferred_language = "alice@example.org", "cy"
    alice.save()
    known = _request_reset(client, "ALICE@example.org", mailoutbox, django_capture_on_commit_callbacks)
    unknown = _request_reset(
        Client(REMOTE_ADDR="198.51.100.9"), "nobody@example.org", mailoutbox, django_capture_on_commit_callbacks
    )
    # The same answer whether or not the address has an account: no enumeration.
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("accounts:password_reset_done")
    done = client.get(known["Location"]).content.decode()
    assert "/password-reset/" + "MQ" not in done and "alice@example.org" not in done
    assert [m.to for m in mailoutbox] == [["alice@example.org"]]
    message = mailoutbox[0]
    assert message.subject != "Nyth: reset your password"  # in Welsh
    assert "/cy/account/password-reset/" in message.body
    events = AuditEvent.objects.filter(object_id=str(alice.pk), detail__password_reset="requested")
    assert events.count() == 1
    # The link is not in the sent-marker or anywhere on a page.
    from jobs.models import SentEmail

    token = _link_from(message).rstrip("/").split("/")[-1]
    assert token not in SentEmail.objects.get().event_key


def test_reset_requests_are_rate_limited_per_address(
    client, alice, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.NYTH_PASSWORD_RESETS_PER_HOUR = 2
    settings.NYTH_RATELIMIT_REDIS_URL = ""
    alice.email = "alice@example.org"
    alice.save()
    for _ in range(2):
        assert (
            _request_reset(client, "alice@example.org", mailoutbox, django_capture_on_commit_callbacks).status_code
            == 302
        )
    refused = _request_reset(client, "nobody@example.org", mailoutbox, django_capture_on_commit_callbacks)
    assert refused.status_code == 429
    assert b"too many password reset emails" in refused.content
    assert b'value="nobody@example.org"' in refused.content  # what was typed is kept
    assert len(mailoutbox) == 2


def test_a_reset_ends_every_session_works_once_and_still_asks_for_the_second_factor(
    client_for, alice, mailoutbox, django_capture_on_commit_callbacks
):
    alice.email = "alice@example.org"
    alice.save()
    elsewhere = client_for(alice)
    assert _is_signed_in(elsewhere)
    device = TOTPDevice.objects.get(user=alice)
    visitor = Client()
    _request_reset(visitor, "alice@example.org", mailoutbox, django_capture_on_commit_callbacks)
    link = _link_from(mailoutbox[0])

    form_page = visitor.get(link, follow=True)
    assert form_page.status_code == 200 and b"Choose a new password" in form_page.content
    set_password_url = form_page.redirect_chain[-1][0]
    done = visitor.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert done.status_code == 302 and done["Location"] == reverse("accounts:password_reset_complete")
    assert not _is_signed_in(visitor)  # not signed in by the reset
    assert not _is_signed_in(elsewhere)  # and the session from before has ended
    assert AuditEvent.objects.filter(object_id=str(alice.pk), detail__password_reset="done").count() == 1
    # The link works once.
    again = visitor.get(link, follow=True)
    assert again.status_code == 404 and b"This link does not work" in again.content
    # Signing in needs the new password and then the second factor.
    fresh = Client()
    assert sign_in_password(fresh, "alice").status_code == 200  # the old password no longer works
    assert sign_in_password(fresh, "alice", NEW_PASSWORD).status_code == 302
    assert reverse("accounts:two_factor") in fresh.get(reverse("core:home"))["Location"]
    assert fresh.post(reverse("accounts:two_factor"), {"token": current_code(device)}).status_code == 302
    assert _is_signed_in(fresh)


def test_a_reset_link_lasts_24_hours(
    client, alice, monkeypatch, mailoutbox, django_capture_on_commit_callbacks, settings
):
    from datetime import datetime, timedelta

    assert settings.PASSWORD_RESET_TIMEOUT == 24 * 60 * 60
    alice.email = "alice@example.org"
    alice.save()
    start = datetime(2026, 3, 2, 9, 0)
    monkeypatch.setattr(PasswordResetTokenGenerator, "_now", lambda self: start)
    _request_reset(client, "alice@example.org", mailoutbox, django_capture_on_commit_callbacks)
    link = _link_from(mailoutbox[0])
    monkeypatch.setattr(PasswordResetTokenGenerator, "_now", lambda self: start + timedelta(hours=24, minutes=1))
    assert Client().get(link, follow=True).status_code == 404
    monkeypatch.setattr(PasswordResetTokenGenerator, "_now", lambda self: start + timedelta(hours=23, minutes=59))
    assert Client().get(link, follow=True).status_code == 200


def test_administrators_cannot_set_the_password_of_an_existing_account():
    assert not {"password", "password1", "password2"} & set(UserDetailsForm.base_fields)


def test_the_sign_in_page_offers_a_reset(client):
    assert reverse("accounts:password_reset").encode() in client.get(reverse("accounts:login")).content
