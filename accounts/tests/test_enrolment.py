"""Setting up an authenticator needs a one-time, expiring code delivered to the holder, not only
the password (issue 11, section 2). Through the real views."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import enrolment, services
from accounts.models import EnrolmentCode
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"
CODE_PATTERN = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}")


def signed_in_with_password(username: str) -> Client:
    client = Client()
    assert client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD}).status_code == 302
    return client


def app_code(device: TOTPDevice) -> str:
    return str(totp(device.bin_key, device.step, device.t0, device.digits, device.drift)).zfill(device.digits)


def test_the_password_alone_cannot_enrol_an_authenticator(alice):
    enrolment.issue(user=alice, by=None, deliver="shown")
    client = signed_in_with_password("alice")
    page = client.get(reverse("accounts:two_factor_setup"))
    assert b"Enrolment code" in page.content and b"data:image/svg+xml" not in page.content
    assert not TOTPDevice.objects.filter(user=alice).exists()  # no key made, none to scan
    # Posting an app code straight away does nothing either.
    client.post(reverse("accounts:two_factor_setup"), {"token": "123456"})
    assert not TOTPDevice.objects.filter(user=alice, confirmed=True).exists()
    assert client.get(reverse("core:home")).status_code == 302


def test_without_any_code_issued_there_is_no_way_to_enrol(alice):
    client = signed_in_with_password("alice")
    response = client.post(reverse("accounts:two_factor_setup"), {"code": "ABCD-EFGH-JKMN"})
    assert b"The enrolment code is not correct" in response.content


def test_the_right_code_then_the_app_code_enrols(alice):
    code = enrolment.issue(user=alice, by=None, deliver="shown")
    client = signed_in_with_password("alice")
    assert client.post(reverse("accounts:two_factor_setup"), {"code": code.lower()}).status_code == 302
    page = client.get(reverse("accounts:two_factor_setup"))
    assert b"data:image/svg+xml" in page.content
    device = TOTPDevice.objects.get(user=alice, confirmed=False)
    assert client.post(reverse("accounts:two_factor_setup"), {"token": app_code(device)}).status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("core:home")).status_code == 200


@pytest.mark.parametrize("spoil", ["wrong", "expired", "used", "replaced"])
def test_a_wrong_expired_used_or_replaced_code_is_refused(alice, spoil):
    code = enrolment.issue(user=alice, by=None, deliver="shown")
    if spoil == "wrong":
        code = "ABCD-EFGH-JKMN" if code != "ABCD-EFGH-JKMN" else "NMKJ-HGFE-DCBA"
    elif spoil == "expired":
        EnrolmentCode.objects.filter(user=alice).update(expires=timezone.now() - timedelta(seconds=1))
    elif spoil == "used":
        assert enrolment.redeem(alice, code)
    elif spoil == "replaced":
        enrolment.issue(user=alice, by=None, deliver="shown")
    client = signed_in_with_password("alice")
    response = client.post(reverse("accounts:two_factor_setup"), {"code": code})
    assert response.status_code == 200
    assert b"The enrolment code is not correct, has expired or has already been used" in response.content
    assert b'value="' + code.encode() + b'"' in response.content  # what was typed is kept
    setup = client.get(reverse("accounts:two_factor_setup"))
    assert setup.status_code == 200 and b"data:image/svg+xml" not in setup.content


def test_five_wrong_codes_void_the_code(alice):
    code = enrolment.issue(user=alice, by=None, deliver="shown")
    for _ in range(enrolment.MAX_FAILURES):
        assert not enrolment.redeem(alice, "ZZZZ-ZZZZ-ZZZZ")
    assert not enrolment.redeem(alice, code)  # even the right one now
    assert EnrolmentCode.objects.get(user=alice).voided_at is not None


def test_the_code_is_not_stored_in_clear_anywhere(alice):
    code = enrolment.issue(user=alice, by=None, deliver="shown")
    entry = EnrolmentCode.objects.get(user=alice)
    plain = code.replace("-", "")
    assert plain not in entry.code_hash and code not in entry.code_hash
    for event in AuditEvent.objects.all():
        assert plain not in str(event.detail) and code not in str(event.detail)


def test_the_administrator_who_resets_two_factor_never_sees_the_code(
    client_for, administrator, alice, django_capture_on_commit_callbacks, mailoutbox
):
    alice.email = "alice@example.invalid"
    alice.save()
    TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)
    admin = client_for(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(reverse("accounts:user_reset_two_factor", args=[alice.pk]), follow=True)
    [email] = mailoutbox
    assert email.to == ["alice@example.invalid"]
    code = CODE_PATTERN.search(email.body).group(0)
    pages = [
        response,
        admin.get(reverse("accounts:user_edit", args=[alice.pk])),
        admin.get(reverse("accounts:user_list")),
    ]
    assert all(code.encode() not in page.content for page in pages)
    # The holder, with password and emailed code, sets up a new authenticator.
    client = signed_in_with_password("alice")
    assert client.post(reverse("accounts:two_factor_setup"), {"code": code}).status_code == 302
    assert b"data:image/svg+xml" in client.get(reverse("accounts:two_factor_setup")).content


def test_a_new_account_chooses_its_own_password_with_the_code(administrator, manager, south):
    user, access_request = services.create_user(
        by=administrator,
        values={
            "username": "gwen",
            "first_name": "Gwen",
            "last_name": "Rhys",
            "email": "gwen@example.invalid",
            "organisation": south,
            "role": "practitioner",
            "is_active": True,
        },
    )
    code = services.approve(by=manager, request_pk=access_request.pk, deliver="shown").code
    client = Client()
    url = reverse("accounts:enrol")
    weak = client.post(url, {"username": "gwen", "code": code, "password1": "password", "password2": "password"})
    assert weak.status_code == 200 and b"too short" in weak.content
    assert b'value="gwen"' in weak.content
    ok = client.post(
        url,
        {
            "username": "gwen",
            "code": code,
            "password1": "my own long passphrase 77",
            "password2": "my own long passphrase 77",
        },
    )
    assert ok.status_code == 302 and ok["Location"].endswith(reverse("accounts:two_factor_setup"))
    # Straight on to the QR code (the code was given), and nothing else before the second factor.
    assert b"data:image/svg+xml" in client.get(reverse("accounts:two_factor_setup")).content
    assert client.get(reverse("core:home")).status_code == 302
    user.refresh_from_db()
    assert user.check_password("my own long passphrase 77")
    # Single use: the same code cannot set the password again.
    again = Client().post(
        url,
        {
            "username": "gwen",
            "code": code,
            "password1": "another long passphrase 8",
            "password2": "another long passphrase 8",
        },
    )
    assert b"The enrolment code is not correct" in again.content


def test_the_enrol_page_says_the_same_for_an_unknown_user_and_a_wrong_code(alice, administrator, manager, south):
    data = {
        "code": "ABCD-EFGH-JKMN",
        "password1": "my own long passphrase 77",
        "password2": "my own long passphrase 77",
    }
    unknown = Client().post(reverse("accounts:enrol"), {"username": "nobody", **data})
    # alice has a usable password: the enrol page never sets it (that is password reset's job).
    enrolment.issue(user=alice, by=None, deliver="shown")
    existing = Client().post(reverse("accounts:enrol"), {"username": "alice", **data})
    message = b"The enrolment code is not correct, has expired or has already been used"
    assert message in unknown.content and message in existing.content
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_the_enrol_page_explains_a_wrong_code_in_welsh():
    response = Client().post(
        "/cy/account/enrol/",
        {
            "username": "nobody",
            "code": "ABCD-EFGH-JKMN",
            "password1": "my own long passphrase 77",
            "password2": "my own long passphrase 77",
        },
    )
    assert response.status_code == 200
    assert "Nid yw'r cod cofrestru'n gywir" in response.content.decode().replace("&#x27;", "'")


def test_an_emailed_code_waits_in_the_queue_sealed(alice, monkeypatch, mailoutbox):
    from accounts import tasks

    alice.email = "alice@example.invalid"
    alice.save()
    queued = []
    monkeypatch.setattr(enrolment, "send_later", lambda task, **kwargs: queued.append((task, kwargs)))
    assert enrolment.issue(user=alice, by=None, deliver="email") is None
    [(task, kwargs)] = queued
    assert task is tasks.email_enrolment_code
    task.call(**kwargs)
    code = CODE_PATTERN.search(mailoutbox[0].body).group(0)
    assert code not in str(kwargs) and code.replace("-", "") not in str(kwargs)
    assert enrolment.redeem(alice, code)
    # A code used (or replaced) before the worker ran is not sent.
    assert task.call(**kwargs) is False and len(mailoutbox) == 1


def test_seeded_demo_users_still_sign_in(settings):
    """Seeds are operator code and create users directly; the demo (2FA optional) asks no
    enrolment code of them, and with 2FA required they set up with an operator-issued one."""
    from django.core.management import call_command

    from people.management.commands.seed_demo import DEMO_PASSWORD

    call_command("seed_demo", children=2, seed=3, no_progress=True, quiet_logins=True)
    settings.NYTH_REQUIRE_2FA = False
    client = Client()
    assert (
        client.post(reverse("accounts:login"), {"username": "practitioner", "password": DEMO_PASSWORD}).status_code
        == 302
    )
    assert client.get(reverse("core:home")).status_code == 200
