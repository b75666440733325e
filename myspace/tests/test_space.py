"""The young person's own space: their account reaches their own record through the "self"
route and nothing else; staff account pages never make or change such an account."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from accounts.forms import UserDetailsForm
from accounts.models import Role, manageable_users
from accounts.tests.factories import UserFactory
from audit.models import Action, AuditEvent, Route
from myspace.models import SpaceAccount
from people.models import Child
from people.tests.factories import ChildFactory


@pytest.fixture
def young_person(child, alice):
    user = UserFactory(username="sion", first_name="Siôn", last_name="", organisation=None, role=Role.YOUNG_PERSON)
    SpaceAccount.objects.create(user=user, child=child, created_by=alice)
    return user


@pytest.mark.django_db
def test_the_home_page_greets_them_and_names_their_worker(client_for, young_person, child):
    child.preferred_name = "Sio"
    child.save()
    response = client_for(young_person).get(reverse("myspace:home"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Hello, Sio" in body
    assert "Alice Ymarferydd" in body and "your lead worker" in body
    # Nothing about the young person in the title (a shared phone's tabs show it).
    title = body.split("<title>")[1].split("</title>")[0]
    assert "Sio" not in title and child.family_name not in title


@pytest.mark.django_db
def test_the_home_page_in_welsh(client_for, young_person):
    response = client_for(young_person).get("/cy/my/")
    assert response.status_code == 200
    assert "Helo, Siôn" in response.content.decode()


@pytest.mark.django_db
def test_opening_the_space_is_audited_with_the_route_self(client_for, young_person, child):
    client_for(young_person).get(reverse("myspace:home"))
    event = AuditEvent.objects.filter(actor=young_person, child_id=child.pk).get()
    assert (event.action, event.route) == (Action.VIEW, Route.SELF)


@pytest.mark.django_db
def test_the_scope_gives_them_their_own_record_only_as_parts(young_person, child, south):
    other = ChildFactory(service=south)
    assert not Child.objects.visible_to(young_person).exists()  # never the whole record
    assert list(Child.objects.visible_to(young_person, include_shared=True)) == [child]
    assert other not in Child.objects.visible_to(young_person, include_shared=True)


@pytest.mark.django_db
def test_a_revoked_account_reaches_nothing(client_for, young_person, alice):
    account = young_person.space_account
    account.revoked_at, account.revoked_by = timezone.now(), alice
    account.save()
    assert not Child.objects.visible_to(young_person, include_shared=True).exists()
    assert client_for(young_person).get(reverse("myspace:home")).status_code == 404


@pytest.mark.django_db
def test_signing_in_lands_in_the_space_and_the_menu_offers_only_it(client_for, young_person):
    client = client_for(young_person)
    response = client.get(reverse("core:home"))
    assert response.status_code == 302 and response["Location"] == reverse("myspace:home")
    body = client.get(reverse("myspace:home")).content.decode()
    nav = body.split('id="navigation"')[1].split("</ul>")[0]
    assert "My space" in nav
    assert f'href="{reverse("people:list")}"' not in nav
    assert f'href="{reverse("accounts:account")}"' not in nav


@pytest.mark.django_db
def test_a_carer_without_a_placement_and_a_consent_sees_nothing(client_for, child, alice):
    carer = UserFactory(username="carer", organisation=None, role=Role.CARER)
    SpaceAccount.objects.create(user=carer, child=child, related_person=child.related_people.get(), created_by=alice)
    response = client_for(carer).get(reverse("myspace:home"))
    assert response.status_code == 200 and "Nothing is shared with you now" in response.content.decode()
    assert child.given_name not in response.content.decode()
    assert not Child.objects.visible_to(carer, include_shared=True).exists()


@pytest.mark.django_db
def test_staff_account_pages_never_make_or_change_a_space_account(administrator, young_person):
    form = UserDetailsForm()
    offered = {value for value, _label in form.fields["role"].choices}
    assert Role.YOUNG_PERSON not in offered and Role.CARER not in offered
    assert young_person not in manageable_users(administrator)
    with pytest.raises(PermissionDenied):
        account_services.update_user(by=administrator, user=young_person, values={"role": Role.PRACTITIONER})
    with pytest.raises(PermissionDenied):
        account_services.create_user(
            by=administrator,
            values={
                "username": "new",
                "first_name": "N",
                "last_name": "P",
                "email": "n@example.invalid",
                "role": Role.CARER,
            },
        )


@pytest.mark.django_db
def test_the_account_follows_the_record_through_a_merge_and_its_undo(young_person, child, manager, south):
    from people.services import merge_children, unmerge_children

    keep = ChildFactory(service=south, given_name=child.given_name, family_name=child.family_name)
    record = merge_children(by=manager, keep=keep, merge=child, reason="Same NHS number confirmed by the LA")
    assert SpaceAccount.objects.get(user=young_person).child_id == keep.pk
    unmerge_children(by=manager, record=record, reason="Not the same young person after all")
    assert SpaceAccount.objects.get(user=young_person).child_id == child.pk


@pytest.mark.django_db
def test_a_password_reset_email_never_goes_to_a_space_account(young_person, alice, mailoutbox):
    from accounts.passwords import PasswordResetRequestForm

    young_person.email = alice.email = "shared@example.invalid"
    young_person.save()
    alice.save()
    form = PasswordResetRequestForm(data={"email": "shared@example.invalid"})
    assert form.is_valid()
    assert [u.pk for u in form.get_users("shared@example.invalid")] == [alice.pk]


@pytest.mark.django_db
def test_changing_their_password_leads_back_to_their_space(client_for, young_person):
    young_person.set_password("old-password-for-sion-1")
    young_person.save()
    client = client_for(young_person)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "old-password-for-sion-1",
            "new_password1": "new-password-for-sion-2",
            "new_password2": "new-password-for-sion-2",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("myspace:home")
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.django_db
def test_the_demo_has_a_young_person_signed_up_and_prints_their_sign_in(client):
    import io

    from django.core.management import call_command

    from conftest import sign_in

    call_command("seed_demo", children=30, seed=5, no_progress=True, quiet_logins=True)
    call_command("seed_support", stdout=io.StringIO())
    call_command("seed_support", stdout=io.StringIO())  # idempotent
    account = SpaceAccount.objects.get(user__username="youngperson")
    assert account.user.check_password("nyth-demo-2026") and account.user.role == Role.YOUNG_PERSON
    out = io.StringIO()
    call_command("seed_demo", logins_only=True, stdout=out)
    assert "youngperson" in out.getvalue()
    sign_in(client, account.user)
    body = client.get(reverse("myspace:home")).content.decode()
    assert account.child.given_name in body or (account.child.preferred_name or "") in body


@pytest.mark.django_db
def test_every_space_page_has_exit_this_page_and_is_never_stored(client_for, young_person):
    response = client_for(young_person).get(reverse("myspace:home"))
    body = response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert 'class="govuk-exit-this-page"' in body and f'href="{reverse("myspace:exit")}"' in body
    welsh = client_for(young_person).get("/cy/my/").content.decode()
    assert "Gadael y dudalen hon" in welsh


@pytest.mark.django_db
def test_exit_this_page_ends_the_session_and_leaves_for_a_neutral_site(client_for, young_person, settings):
    client = client_for(young_person)
    response = client.get(reverse("myspace:exit"))
    assert response.status_code == 302 and response["Location"] == settings.NYTH_SPACE_EXIT_URL
    assert client.get(reverse("myspace:home")).status_code == 302  # signed out: to sign in
    assert Client().get(reverse("myspace:exit"))["Location"] == settings.NYTH_SPACE_EXIT_URL  # works signed out


@pytest.mark.django_db
def test_a_space_user_idle_too_long_is_signed_out(client_for, young_person, alice, settings):
    from freezegun import freeze_time

    settings.NYTH_SPACE_IDLE_MINUTES = 15
    with freeze_time("2026-12-04 20:00:00") as clock:
        client = client_for(young_person)
        assert client.get(reverse("myspace:home")).status_code == 200
        clock.tick(14 * 60)
        assert client.get(reverse("myspace:home")).status_code == 200  # activity restarts the clock
        clock.tick(14 * 60)
        assert client.get(reverse("myspace:home")).status_code == 200
        clock.tick(16 * 60)
        response = client.get(reverse("myspace:home"))
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
        assert "no-store" in response["Cache-Control"]
        assert client.get(reverse("myspace:home")).status_code == 302
        # Staff keep their own, longer limit.
        staff = client_for(alice)
        assert staff.get(reverse("core:home")).status_code == 200
        clock.tick(16 * 60)
        assert staff.get(reverse("core:home")).status_code == 200


@pytest.mark.django_db
def test_two_factor_is_optional_for_young_people_and_required_for_carers_and_staff(client, young_person, child, alice):
    from accounts.signed_in import two_factor_required

    carer = UserFactory(username="carer2", organisation=None, role=Role.CARER)
    assert not two_factor_required(young_person)
    assert two_factor_required(carer) and two_factor_required(alice)
    client.force_login(young_person)  # password only, no second factor
    assert client.get(reverse("myspace:home")).status_code == 200
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=young_person, name="phone", confirmed=True)
    response = client.get(reverse("myspace:home"))  # once set up, always asked
    assert response.status_code == 302 and reverse("accounts:two_factor") in response["Location"]


def test_staff_roles_can_never_be_made_optional():
    import subprocess
    import sys
    from pathlib import Path

    from core.tests.test_security import production_env

    result = subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        cwd=Path(__file__).resolve().parents[2],
        env=production_env(NYTH_2FA_OPTIONAL_ROLES="young_person,practitioner"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and "staff always need two-factor" in result.stderr
