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
    }
    data.update(overrides)
    return data


def test_administrator_creates_an_account_that_waits_for_a_manager(client_for, administrator, south):
    client = client_for(administrator)
    form = client.get(reverse("accounts:user_create")).content.decode()
    assert 'type="password"' not in form  # nobody but the holder chooses a password
    response = client.post(reverse("accounts:user_create"), new_account(south))
    user = User.objects.get(username="gwen")
    assert response.status_code == 302
    # A practitioner has a route to records: inactive, no usable password, until approved.
    assert not user.is_active and not user.has_usable_password() and user.preferred_language == "cy"
    assert AuditEvent.objects.filter(action="create", object_type="accounts.user", object_id=str(user.pk)).exists()
    page = client.get(response["Location"]).content.decode()
    assert "Waiting for approval by a service manager" in page and 'type="password"' not in page


def test_an_account_without_a_record_route_is_active_at_once_and_emailed_a_code(
    client_for, administrator, south, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(administrator).post(reverse("accounts:user_create"), new_account(south, role="commissioner"))
    user = User.objects.get(username="gwen")
    assert user.is_active and not user.has_usable_password()
    assert [m.to for m in mailoutbox] == [["gwen@example.invalid"]]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
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
        "first_name": "Alice",
        "last_name": "Ymarferydd",
        "email": "alice@example.invalid",
        "organisation": str(alice.organisation_id),
        "role": "service_manager",
        "job_title": "",
        "preferred_language": "en",
    }
    assert client.post(reverse("accounts:user_edit", args=[alice.pk]), data).status_code == 302
    alice.refresh_from_db()
    assert alice.role == "service_manager" and not alice.is_active
    client.post(reverse("accounts:user_reset_two_factor", args=[alice.pk]))
    assert not TOTPDevice.objects.filter(user=alice).exists()
    assert AuditEvent.objects.filter(
        object_type="accounts.user", object_id=str(alice.pk), detail__two_factor_reset=True
    ).exists()


@pytest.mark.parametrize("persona", ["alice", "manager", "commissioner", "partner"])
def test_other_roles_cannot_see_account_pages(client_for, persona, alice, request):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("accounts:user_list")).status_code == 404
    assert client.get(reverse("accounts:user_edit", args=[alice.pk])).status_code == 404
