"""Invitation only: a practitioner on the care team makes a single-use, expiring link; opening
it uses nothing; the POST that sets the password does; access can be ended at once."""

from __future__ import annotations

import datetime
import html
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from audit.models import Action, AuditEvent, Route
from myspace.models import Invitation, SpaceAccount

GOOD_PASSWORD = "purple-otter-climbs-7"


def _invite(client_for, alice, child) -> tuple[Client, str]:
    client = client_for(alice)
    response = client.post(reverse("space_access:invite", args=[child.pk]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    link = re.search(r"<code>(http[^<]+)</code>", response.content.decode()).group(1)
    return client, link.split("testserver", 1)[1]


def _accept(path: str, **overrides) -> object:
    data = {"username": "sion-p", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD, "language": "cy"}
    data.update(overrides)
    return Client().post(path, data)


@pytest.fixture
def teen(child):
    child.date_of_birth = timezone.localdate() - datetime.timedelta(days=14 * 366)
    child.save()
    return child


@pytest.mark.django_db
def test_the_link_is_shown_once_with_a_qr_code_and_stored_only_as_a_hash(client_for, alice, teen):
    client, path = _invite(client_for, alice, teen)
    token = path.rstrip("/").rsplit("/", 1)[1]
    invitation = Invitation.objects.get()
    assert token not in invitation.token_hash and len(token) >= 40
    assert (invitation.created_by, invitation.role) == (alice, Role.YOUNG_PERSON)
    assert invitation.expires_at - invitation.created_at == datetime.timedelta(days=7)
    event = AuditEvent.objects.get(action=Action.CREATE, actor=alice, child_id=teen.pk)
    assert token not in str(event.detail)
    page = client.get(reverse("space_access:child", args=[teen.pk])).content.decode()
    assert "Alice Ymarferydd" in page and token not in page  # who and when, never the link again


@pytest.mark.django_db
def test_opening_the_link_uses_nothing_and_the_post_makes_the_account(client_for, alice, teen):
    _, path = _invite(client_for, alice, teen)
    for _ in range(2):  # a mail scanner, then the young person
        page = Client().get(path)
        assert page.status_code == 200 and "Set up your account" in page.content.decode()
    response = _accept(path)
    # Signed in by the link, in the language they chose; two-factor is optional for young people.
    assert response.status_code == 302 and response["Location"] == "/cy/my/"
    user = User.objects.get(username="sion-p")
    assert (user.role, user.preferred_language, user.is_active) == (Role.YOUNG_PERSON, "cy", True)
    assert user.check_password(GOOD_PASSWORD)
    assert SpaceAccount.objects.get(user=user).child == teen
    event = AuditEvent.objects.get(actor=user, action=Action.CREATE)
    assert event.route == Route.SELF
    # Single use: the same link again is refused, and nothing more is made.
    again = _accept(path, username="someone-else")
    assert again.status_code == 404 and "This link does not work" in again.content.decode()
    assert not User.objects.filter(username="someone-else").exists()


@pytest.mark.django_db
def test_an_expired_link_or_one_replaced_by_a_newer_link_does_not_work(client_for, alice, teen):
    _, first = _invite(client_for, alice, teen)
    _, second = _invite(client_for, alice, teen)
    assert _accept(first).status_code == 404
    Invitation.objects.filter(voided_at__isnull=True).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert Client().get(second).status_code == 404
    assert _accept(second).status_code == 404
    assert not SpaceAccount.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"password1": "short", "password2": "short"}, "password1", "This password is too short"),
        ({"password2": "not-the-same-one-9"}, "password2", "The two passwords do not match"),
        ({"username": ""}, "username", "Choose a user name"),
        ({"username": "alice"}, "username", "That user name is taken"),
    ],
)
def test_bad_input_is_shown_beside_the_field_and_nothing_is_used(client_for, alice, teen, overrides, field, message):
    _, path = _invite(client_for, alice, teen)
    response = _accept(path, language="en", **overrides)
    body = response.content.decode()
    assert response.status_code == 200
    assert message in body
    assert f'id="{field}-error"' in body or f'id="id_{field}-error"' in body or "govuk-error-message" in body
    if overrides.get("username", "sion-p"):
        assert f'value="{overrides.get("username", "sion-p")}"' in body  # what was typed is kept
    assert not SpaceAccount.objects.exists()
    assert _accept(path).status_code == 302  # the link still works


@pytest.mark.django_db
def test_errors_are_in_welsh_on_the_welsh_page(client_for, alice, teen):
    _, path = _invite(client_for, alice, teen)
    response = Client().post(path.replace("/en/", "/cy/"), {"username": "x", "password1": "a", "password2": "b"})
    assert "Nid yw'r ddau gyfrinair yr un fath" in html.unescape(response.content.decode())


@pytest.mark.django_db
def test_a_re_invitation_sets_a_new_password_and_signs_out_the_lost_phone(client_for, alice, teen):
    _, path = _invite(client_for, alice, teen)
    _accept(path)
    user = User.objects.get(username="sion-p")
    lost_phone = client_for(user)
    assert lost_phone.get(reverse("myspace:home")).status_code == 200
    _, again = _invite(client_for, alice, teen)
    form = Client().get(again).content.decode()
    assert "Choose a new password" in form and 'name="username"' not in form
    response = _accept(again, password1="green-heron-waits-4", password2="green-heron-waits-4")
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("green-heron-waits-4") and SpaceAccount.objects.count() == 1
    assert lost_phone.get(reverse("myspace:home")).status_code == 302  # sent to sign in


@pytest.mark.django_db
def test_ending_access_works_at_once(client_for, alice, teen):
    _, path = _invite(client_for, alice, teen)
    _accept(path)
    user = User.objects.get(username="sion-p")
    phone = client_for(user)
    client_for(alice).post(reverse("space_access:revoke", args=[teen.pk]))
    account = SpaceAccount.objects.get()
    assert (account.revoked_by, account.revoked_at is not None) == (alice, True)
    user.refresh_from_db()
    assert not user.is_active
    assert phone.get(reverse("myspace:home")).status_code == 302
    assert AuditEvent.objects.filter(actor=alice, action=Action.UPDATE, child_id=teen.pk).exists()


@pytest.mark.django_db
def test_cancelling_a_waiting_invitation(client_for, alice, teen):
    _, path = _invite(client_for, alice, teen)
    client_for(alice).post(reverse("space_access:revoke", args=[teen.pk]))
    assert _accept(path).status_code == 404


@pytest.mark.django_db
def test_only_a_practitioner_on_the_care_team_invites(client_for, alice, bob, manager, teen):
    assert client_for(bob).post(reverse("space_access:invite", args=[teen.pk])).status_code == 404
    assert client_for(manager).post(reverse("space_access:invite", args=[teen.pk])).status_code == 403
    assert client_for(manager).post(reverse("space_access:revoke", args=[teen.pk])).status_code == 403
    page = client_for(manager).get(reverse("space_access:child", args=[teen.pk])).content.decode()
    assert "Only a practitioner in their care team" in page
    assert not Invitation.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("years", "message"), [(10, "from the age of 11"), (26, "up to the age of 25")])
def test_the_age_range_is_kept(client_for, alice, child, years, message):
    today = timezone.localdate()
    child.date_of_birth = today.replace(year=today.year - years) - datetime.timedelta(days=1)
    child.save()
    client = client_for(alice)
    response = client.post(reverse("space_access:invite", args=[child.pk]), follow=True)
    assert message in response.content.decode()
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_a_signed_in_person_opening_a_link_is_asked_to_sign_out_first(client_for, alice, teen):
    client, path = _invite(client_for, alice, teen)
    assert "Sign out first" in client.get(path).content.decode()
    assert Invitation.objects.get().used_at is None


@pytest.mark.django_db
def test_where_two_factor_is_required_the_link_leads_to_setting_it_up_without_a_code(client_for, alice, teen, settings):
    settings.NYTH_2FA_OPTIONAL_ROLES = frozenset()
    _, path = _invite(client_for, alice, teen)
    client = Client()
    response = client.post(
        path, {"username": "sion-p", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD, "language": "en"}
    )
    assert response["Location"] == reverse("accounts:two_factor_setup")
    setup = client.get(response["Location"])
    assert setup.status_code == 200 and "data:image/svg+xml" in setup.content.decode()  # the QR code, no code asked
    assert client.get(reverse("myspace:home")).status_code == 302  # held at the second factor


@pytest.mark.django_db
def test_a_re_invitation_removes_the_authenticator_of_a_lost_phone(client_for, alice, teen):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    _, path = _invite(client_for, alice, teen)
    _accept(path)
    user = User.objects.get(username="sion-p")
    TOTPDevice.objects.create(user=user, name="old phone", confirmed=True)
    _, again = _invite(client_for, alice, teen)
    _accept(again, password1="green-heron-waits-4", password2="green-heron-waits-4")
    assert not TOTPDevice.objects.filter(user=user).exists()
