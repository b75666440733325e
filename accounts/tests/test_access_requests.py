"""Nobody grants themselves access: record routes wait for a second person, a service manager."""

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts import enrolment, services
from accounts.models import AccessRequest, EnrolmentCode, Role, User
from audit.models import AuditEvent
from people.models import Child

pytestmark = pytest.mark.django_db


def details(user, **overrides):
    data = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email or "x@example.invalid",
        "organisation": str(user.organisation_id),
        "role": user.role,
        "job_title": "",
        "preferred_language": "en",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_an_administrator_cannot_make_themselves_a_manager_and_list_children(client_for, administrator, child):
    client = client_for(administrator)
    response = client.post(
        reverse("accounts:user_edit", args=[administrator.pk]), details(administrator, role="service_manager")
    )
    administrator.refresh_from_db()
    assert administrator.role == Role.ADMINISTRATOR
    assert b"You cannot change your own role or organisation" in response.content
    assert not Child.objects.visible_to(administrator).exists()


def test_the_service_refuses_a_change_of_ones_own_role_or_organisation(administrator, north):
    with pytest.raises(PermissionDenied):
        services.update_user(by=administrator, user=administrator, values={"role": Role.SERVICE_MANAGER})
    with pytest.raises(PermissionDenied):
        services.update_user(by=administrator, user=administrator, values={"organisation": north})


# --- Access-change requests: a second person, a service manager of the service concerned.


@pytest.fixture
def manager2(south):
    from accounts.tests.factories import UserFactory

    return UserFactory(
        username="manager2",
        first_name="Megan",
        last_name="Rheolwr",
        organisation=south,
        role=Role.SERVICE_MANAGER,
        email="megan@example.invalid",
    )


def make_manager(alice, administrator):
    _, access_request = services.update_user(by=administrator, user=alice, values={"role": Role.SERVICE_MANAGER})
    return access_request


def test_a_record_role_waits_for_a_manager_who_is_told_without_any_child_named(
    client_for, administrator, alice, manager, child, django_capture_on_commit_callbacks, mailoutbox
):
    manager.email = "mair@example.invalid"
    manager.save()
    administrator.email = "ann@example.invalid"
    administrator.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(administrator).post(
            reverse("accounts:user_edit", args=[alice.pk]), details(alice, role="service_manager")
        )
    alice.refresh_from_db()
    assert response.status_code == 302 and alice.role == Role.PRACTITIONER
    access_request = AccessRequest.objects.get(account=alice)
    assert access_request.is_pending and access_request.service_id == alice.organisation_id
    assert [m.to for m in mailoutbox] == [["mair@example.invalid"]]
    assert child.given_name not in mailoutbox[0].body and child.family_name not in mailoutbox[0].body
    assert AuditEvent.objects.filter(
        action="create", object_type="accounts.accessrequest", object_id=str(access_request.pk)
    ).exists()

    page = client_for(manager).get(reverse("accounts:access_requests"))
    assert str(alice) in page.content.decode()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = client_for(manager).post(
            reverse("accounts:access_request_detail", args=[access_request.pk]), {"decision": "approve"}
        )
    assert done.status_code == 200 and b"Request approved" in done.content
    alice.refresh_from_db()
    access_request.refresh_from_db()
    assert (
        alice.role == Role.SERVICE_MANAGER
        and access_request.outcome == "approved"
        and access_request.decided_by == manager
    )
    assert Child.objects.visible_to(alice).filter(pk=child.pk).exists()
    assert AuditEvent.objects.filter(
        action="review", actor=manager, object_id=str(access_request.pk), detail__access_request="approved"
    ).exists()
    outcome = [m for m in mailoutbox if m.to == ["ann@example.invalid"]]  # the requester hears the outcome
    assert len(outcome) == 1 and "Approved" in outcome[0].body


@pytest.mark.parametrize("who", ["administrator", "alice", "charlie", "duty", "commissioner"])
def test_nobody_but_another_manager_of_the_service_can_decide(
    client_for, administrator, alice, manager, charlie, duty, commissioner, who, request
):
    access_request = make_manager(alice, administrator)
    client = client_for(request.getfixturevalue(who))
    url = reverse("accounts:access_request_detail", args=[access_request.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"decision": "approve"}).status_code == 404
    assert client.get(reverse("accounts:access_requests")).status_code == 404
    alice.refresh_from_db()
    assert alice.role == Role.PRACTITIONER


def test_a_manager_of_another_service_cannot_decide(client_for, administrator, alice, north):
    from accounts.tests.factories import UserFactory

    other = UserFactory(username="northmanager", organisation=north, role=Role.SERVICE_MANAGER)
    access_request = make_manager(alice, administrator)
    assert (
        client_for(other)
        .post(reverse("accounts:access_request_detail", args=[access_request.pk]), {"decision": "approve"})
        .status_code
        == 404
    )
    with pytest.raises(PermissionDenied):
        services.approve(by=other, request_pk=access_request.pk)


def test_the_account_holder_cannot_approve_their_own_request(administrator, manager, north):
    # A manager moved to another service would otherwise approve their own move.
    _, access_request = services.update_user(by=administrator, user=manager, values={"organisation": north})
    assert access_request is not None
    with pytest.raises(PermissionDenied):
        services.approve(by=manager, request_pk=access_request.pk)
    manager.refresh_from_db()
    assert manager.organisation.code == "SVC-SOUTH"


@pytest.mark.parametrize(
    ("start", "values"),
    [
        ({"role": Role.SERVICE_MANAGER}, {"role": Role.COMMISSIONER}),
        ({"role": Role.SERVICE_MANAGER}, {"role": Role.ADMINISTRATOR}),
        ({"role": Role.PRACTITIONER}, {"is_active": False}),
        ({"role": Role.PRACTITIONER}, {"first_name": "Alys", "job_title": "Therapist"}),
    ],
)
def test_changes_that_reduce_or_keep_access_apply_at_once(administrator, alice, start, values):
    for field, value in start.items():
        setattr(alice, field, value)
    alice.save()
    _, access_request = services.update_user(by=administrator, user=alice, values=values)
    alice.refresh_from_db()
    assert access_request is None
    assert all(getattr(alice, field) == value for field, value in values.items())


@pytest.mark.parametrize(
    ("start", "values"),
    [
        ({"is_active": False}, {"is_active": True}),  # re-activation
        ({}, {"role": Role.DUTY_WORKER}),  # gains emergency access
        ({}, {"email": "someone-else@example.invalid"}),  # where codes and resets would go
        ({"role": Role.COMMISSIONER}, {"role": Role.PARTNER}),
    ],
)
def test_changes_that_open_a_route_wait(administrator, alice, start, values):
    for field, value in start.items():
        setattr(alice, field, value)
    alice.save()
    before = {field: getattr(alice, field) for field in values}
    _, access_request = services.update_user(by=administrator, user=alice, values=values)
    alice.refresh_from_db()
    assert access_request is not None and access_request.is_pending
    assert {field: getattr(alice, field) for field in values} == before


def test_other_fields_of_a_waiting_change_apply_at_once(administrator, alice):
    _, access_request = services.update_user(
        by=administrator, user=alice, values={"role": Role.DUTY_WORKER, "job_title": "Lead"}
    )
    alice.refresh_from_db()
    assert access_request is not None and alice.job_title == "Lead" and alice.role == Role.PRACTITIONER


def test_a_new_request_replaces_the_pending_one(administrator, alice, manager):
    first = make_manager(alice, administrator)
    _, second = services.update_user(by=administrator, user=alice, values={"role": Role.DUTY_WORKER})
    first.refresh_from_db()
    assert first.outcome == "replaced" and second.is_pending
    assert AccessRequest.objects.filter(account=alice, outcome="pending").count() == 1
    with pytest.raises(services.DecisionRefused):
        services.approve(by=manager, request_pk=first.pk)
    alice.refresh_from_db()
    assert alice.role == Role.PRACTITIONER


def test_a_second_approval_finds_it_decided_and_applies_nothing_twice(administrator, alice, manager, manager2):
    access_request = make_manager(alice, administrator)
    services.approve(by=manager, request_pk=access_request.pk)
    with pytest.raises(services.DecisionRefused):
        services.approve(by=manager2, request_pk=access_request.pk)
    assert AuditEvent.objects.filter(action="review", object_id=str(access_request.pk)).count() == 1


def test_a_stale_request_is_refused_with_a_clear_message(client_for, administrator, alice, manager):
    access_request = make_manager(alice, administrator)
    alice.refresh_from_db()
    services.update_user(by=administrator, user=alice, values={"is_active": False})  # applies at once
    response = client_for(manager).post(
        reverse("accounts:access_request_detail", args=[access_request.pk]), {"decision": "approve"}, follow=True
    )
    assert b"The account was changed after this request was made" in response.content
    alice.refresh_from_db()
    access_request.refresh_from_db()
    assert access_request.outcome == "stale" and alice.role == Role.PRACTITIONER and not alice.is_active


def test_refusing_needs_a_reason_and_keeps_the_account_as_it_was(client_for, administrator, alice, manager):
    access_request = make_manager(alice, administrator)
    client = client_for(manager)
    url = reverse("accounts:access_request_detail", args=[access_request.pk])
    empty = client.post(url, {"decision": "refuse", "reason": "  "})
    assert empty.status_code == 200 and b"Enter why you are refusing this request" in empty.content
    assert client.post(url, {"decision": "refuse", "reason": "Not part of this service"}).status_code == 302
    access_request.refresh_from_db()
    alice.refresh_from_db()
    assert access_request.outcome == "refused" and access_request.reason == "Not part of this service"
    assert alice.role == Role.PRACTITIONER
    assert AuditEvent.objects.filter(
        action="review", object_id=str(access_request.pk), reason="Not part of this service"
    ).exists()


def test_decisions_need_csrf(administrator, alice, manager):
    from django.test import Client

    from conftest import sign_in

    access_request = make_manager(alice, administrator)
    client = sign_in(Client(enforce_csrf_checks=True), manager)
    response = client.post(reverse("accounts:access_request_detail", args=[access_request.pk]), {"decision": "approve"})
    assert response.status_code == 403
    access_request.refresh_from_db()
    assert access_request.is_pending


def test_a_new_practitioner_is_inactive_until_approved_and_the_code_is_shown_once(
    client_for, administrator, manager, south
):
    user, access_request = services.create_user(
        by=administrator,
        values={
            "username": "gwen",
            "first_name": "Gwen",
            "last_name": "Rhys",
            "email": "gwen@example.invalid",
            "organisation": south,
            "role": Role.PRACTITIONER,
            "is_active": True,
        },
    )
    assert access_request is not None and access_request.creates_account
    assert not user.is_active and not user.has_usable_password()
    client = client_for(manager)
    url = reverse("accounts:access_request_detail", args=[access_request.pk])
    assert b'name="delivery"' in client.get(url).content
    done = client.post(url, {"decision": "approve", "delivery": "shown"})
    code = re.search(rb'data-testid="enrolment-code">([A-Z0-9-]+)<', done.content).group(1).decode()
    assert "no-store" in done["Cache-Control"]
    user.refresh_from_db()
    assert user.is_active
    waiting = client.get(reverse("accounts:access_requests"))
    assert waiting.status_code == 200 and code.encode() not in waiting.content
    # The holder uses it to choose their own password.
    from django.test import Client

    enrolled = Client().post(
        reverse("accounts:enrol"),
        {
            "username": "gwen",
            "code": code,
            "password1": "my own long passphrase 77",
            "password2": "my own long passphrase 77",
        },
    )
    assert enrolled.status_code == 302
    user.refresh_from_db()
    assert user.check_password("my own long passphrase 77")


def test_a_partner_is_decided_by_the_managers_of_the_requesters_service(administrator, manager, partner):
    partner.is_active = False
    partner.save()
    _, access_request = services.update_user(by=administrator, user=partner, values={"is_active": True})
    assert access_request.service == administrator.organisation
    assert list(services.deciders(access_request)) == [manager]


# --- The first manager of a new service: an operator command.


def test_create_first_manager_prints_the_code_once_and_is_audited(north, capsys):
    call_command(
        "create_first_manager",
        "--service",
        "SVC-NORTH",
        "--username",
        "nia",
        "--email",
        "nia@example.invalid",
        "--first-name",
        "Nia",
        "--last-name",
        "Gogledd",
    )
    out = capsys.readouterr().out
    code = re.search(r"Enrolment code \(shown once, not stored\): ([A-Z0-9-]+)", out).group(1)
    user = User.objects.get(username="nia")
    assert user.role == Role.SERVICE_MANAGER and user.organisation == north and not user.has_usable_password()
    event = AuditEvent.objects.get(action="create", object_type="accounts.user", object_id=str(user.pk))
    assert (
        event.actor is None and event.route == "system" and event.detail["operator_command"] == "create_first_manager"
    )
    assert not EnrolmentCode.objects.filter(code_hash__contains=code.replace("-", "")).exists()
    assert enrolment.redeem(user, code)


def test_create_first_manager_refuses_a_service_that_has_one(manager):
    with pytest.raises(CommandError, match="already has an active service manager"):
        call_command(
            "create_first_manager",
            "--service",
            "SVC-SOUTH",
            "--username",
            "nia",
            "--email",
            "nia@example.invalid",
            "--first-name",
            "Nia",
            "--last-name",
            "De",
        )
    assert not User.objects.filter(username="nia").exists()


def test_the_managers_home_page_says_requests_are_waiting(client_for, administrator, alice, manager):
    assert b"account change is waiting" not in client_for(manager).get(reverse("core:home")).content
    make_manager(alice, administrator)
    home = client_for(manager).get(reverse("core:home")).content.decode()
    assert (
        "1 account change is waiting for a manager&#x27;s approval." in home
        or "1 account change is waiting for a manager's approval." in home
    )
    assert reverse("accounts:access_requests") in home


def test_replacing_a_new_accounts_request_keeps_it_a_new_account(administrator, manager, south):
    user, first = services.create_user(
        by=administrator,
        values={
            "username": "gwen",
            "first_name": "Gwen",
            "last_name": "Rhys",
            "email": "gwen@example.invalid",
            "organisation": south,
            "role": Role.PRACTITIONER,
            "is_active": True,
        },
    )
    _, second = services.update_user(by=administrator, user=user, values={"role": Role.DUTY_WORKER, "is_active": True})
    assert second.creates_account
    approval = services.approve(by=manager, request_pk=second.pk, deliver="shown")
    user.refresh_from_db()
    assert user.role == Role.DUTY_WORKER and user.is_active and approval.code
