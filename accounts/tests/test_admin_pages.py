"""Administrators manage accounts; nobody else can even see the pages."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def new_account(south, **overrides):
    data = {
        "username": "gwen",
        "first_name": "Gwenllïan",
        "last_name": "Ap Rhys",
        "email": "gwen@example.invalid",
        "organisation": str(south.pk),
        "role": "practitioner",
        "job_title": "Therapist",
        "preferred_language": "cy",
        "is_active": "on",
        "password1": "a long enough passphrase 2026",
        "password2": "a long enough passphrase 2026",
    }
    data.update(overrides)
    return data


def test_administrator_creates_an_account(client_for, administrator, south):
    response = client_for(administrator).post(reverse("accounts:user_create"), new_account(south))
    user = User.objects.get(username="gwen")
    assert response.status_code == 302
    assert user.check_password("a long enough passphrase 2026") and user.preferred_language == "cy"
    assert AuditEvent.objects.filter(action="create", object_type="accounts.user", object_id=str(user.pk)).exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"password2": "something else entirely"}, "do not match"),
        ({"password1": "short", "password2": "short"}, "too short"),
        ({"username": "alice"}, "already taken"),
        ({"email": "not-an-email"}, "Enter a valid email address"),
        ({"role": ""}, "This field is required"),
    ],
)
def test_bad_account_details_are_explained_and_kept(client_for, administrator, south, alice, overrides, message):
    response = client_for(administrator).post(reverse("accounts:user_create"), new_account(south, **overrides))
    body = response.content.decode()
    assert response.status_code == 200 and message in body
    assert 'value="Gwenllïan"' in body
    assert not User.objects.filter(username="gwen").exists()


def test_administrator_edits_deactivates_and_resets_two_factor(client_for, administrator, alice):
    TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)
    client = client_for(administrator)
    data = {
        "first_name": "Alice", "last_name": "Ymarferydd", "email": "alice@example.invalid",
        "organisation": str(alice.organisation_id), "role": "service_manager", "job_title": "", "preferred_language": "en",
    }
    assert client.post(reverse("accounts:user_edit", args=[alice.pk]), data).status_code == 302
    alice.refresh_from_db()
    assert alice.role == "service_manager" and not alice.is_active
    client.post(reverse("accounts:user_reset_two_factor", args=[alice.pk]))
    assert not TOTPDevice.objects.filter(user=alice).exists()
    assert AuditEvent.objects.filter(object_type="accounts.user", object_id=str(alice.pk), detail__two_factor_reset=True).exists()


@pytest.mark.parametrize("persona", ["alice", "manager", "commissioner", "partner"])
def test_other_roles_cannot_see_account_pages(client_for, persona, alice, request):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("accounts:user_list")).status_code == 404
    assert client.get(reverse("accounts:user_edit", args=[alice.pk])).status_code == 404
