"""Passkeys as a second factor (ADR 020): the phone question before the button, the same
conditions as the authenticator app for adding one, and a passkey passing the second step
through the same session rule as a code. Real WebAuthn answers (accounts/tests/soft_authenticator.py),
verified by the library as a phone's would be."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from accounts import enrolment, passkeys
from accounts.models import Role
from accounts.tests.factories import UserFactory
from accounts.tests.soft_authenticator import SoftPasskey
from accounts.tests.test_sign_in import sign_in_password
from audit.models import Action, AuditEvent, Route
from config.settings import webauthn_relying_party
from myspace.models import SpaceAccount

pytestmark = pytest.mark.django_db


@pytest.fixture
def young_person(child, alice):
    user = UserFactory(username="sion", first_name="Siôn", last_name="", organisation=None, role=Role.YOUNG_PERSON)
    SpaceAccount.objects.create(user=user, child=child, created_by=alice)
    return user


def _post_json(client: Client, name: str, data: dict | None = None):
    return client.post(
        reverse(f"otp_webauthn:{name}"),
        data=json.dumps(data or {}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=client.cookies[settings.CSRF_COOKIE_NAME].value
        if settings.CSRF_COOKIE_NAME in client.cookies
        else "",
    )


def _answer(client: Client, shared: str):
    return client.post(reverse("accounts:passkey_setup"), {"shared": shared})


def _register(client: Client, passkey: SoftPasskey):
    begin = _post_json(client, "credential-registration-begin")
    assert begin.status_code == 200, begin.content
    return _post_json(client, "credential-registration-complete", passkey.register(begin.json()))


def _pass_passkey(client: Client, passkey: SoftPasskey, next_url: str = ""):
    begin = _post_json(client, "credential-authentication-begin")
    assert begin.status_code == 200, begin.content
    options = begin.json()
    url = reverse("otp_webauthn:credential-authentication-complete") + (f"?next={next_url}" if next_url else "")
    return client.post(url, data=json.dumps(passkey.sign_in(options)), content_type="application/json"), options


def _password_only(username: str) -> Client:
    client = Client(enforce_csrf_checks=False)
    assert sign_in_password(client, username).status_code == 302
    return client


# --- Settings ------------------------------------------------------------------------------------


def test_the_relying_party_is_the_sites_host_and_never_an_ip_address():
    assert webauthn_relying_party("https://nyth.example.org") == ("nyth.example.org", "https://nyth.example.org")
    assert webauthn_relying_party("http://127.0.0.1:8000") == ("localhost", "http://localhost:8000")
    assert settings.OTP_WEBAUTHN_RP_ID == "localhost"  # the tests' site is 127.0.0.1
    assert settings.OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN is False


def test_the_librarys_scripts_need_no_inline_script_or_eval():
    static = Path(__import__("django_otp_webauthn").__file__).parent / "static" / "django_otp_webauthn"
    for name in ("otp_webauthn_register.js", "otp_webauthn_auth.js"):
        source = (static / name).read_text()
        assert "eval(" not in source and "new Function" not in source, name


def test_the_set_up_page_has_no_inline_script(client_for, alice):
    body = _answer(client_for(alice), "no").content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", body, flags=re.S)
    assert any('id="otp_webauthn_config"' in attrs for attrs, _ in scripts)
    for attrs, content in scripts:
        # Data (not run, so not under script-src) or a file from our own origin.
        assert 'type="application/json"' in attrs or ("src=" in attrs and not content.strip()), attrs


# --- The phone question --------------------------------------------------------------------------


def test_the_question_comes_first_and_an_answer_is_required(client_for, young_person):
    client = client_for(young_person)
    page = client.get(reverse("accounts:passkey_setup")).content.decode()
    assert "Does anyone else use this phone, or manage it for you?" in page
    assert "passkey-register-button" not in page
    response = client.post(reverse("accounts:passkey_setup"), {})
    assert "Select whether anyone else uses or manages this phone" in response.content.decode()
    assert "passkey-register-button" not in response.content.decode()


def test_yes_advises_against_it_and_offers_the_app_or_nothing_to_a_young_person():
    yp = UserFactory(organisation=None, role=Role.YOUNG_PERSON)
    client = _password_only(yp.username)
    body = _answer(client, "yes").content.decode()
    assert "We advise you not to use a passkey on this phone" in body
    assert "passkey-register-button" not in body
    assert reverse("accounts:two_factor_setup") in body
    assert "Go on without a second step" in body
    # And the ceremony stays shut.
    assert _post_json(client, "credential-registration-begin").status_code == 403


def test_the_page_keeps_exit_this_page_for_a_young_person_only(client_for, young_person, alice):
    assert "govuk-exit-this-page" in client_for(young_person).get(reverse("accounts:passkey_setup")).content.decode()
    assert "govuk-exit-this-page" not in client_for(alice).get(reverse("accounts:passkey_setup")).content.decode()


def test_yes_offers_staff_only_the_app(client_for, alice):
    body = _answer(client_for(alice), "yes").content.decode()
    assert "We advise you not to use a passkey on this phone" in body
    assert "Go on without a second step" not in body


def test_no_shows_the_button(client_for, alice):
    body = _answer(client_for(alice), "no").content.decode()
    assert 'id="passkey-register-button"' in body
    assert "otp_webauthn_register.js" in body


def test_registration_is_refused_without_the_answer_no(client_for, alice):
    response = _post_json(client_for(alice), "credential-registration-begin")
    assert response.status_code == 403
    assert response.json()["code"] == "passkey_not_allowed"


# --- Adding a passkey: the same conditions as the app --------------------------------------------


def test_a_young_person_adds_a_passkey_and_the_session_becomes_verified(young_person):
    client = _password_only(young_person.username)  # no second factor set up: optional for them
    before = client.cookies[settings.SESSION_COOKIE_NAME].value
    _answer(client, "no")
    response = _register(client, SoftPasskey())
    assert response.status_code == 200, response.content
    credential = WebAuthnCredential.objects.get(user=young_person)
    assert credential.confirmed
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != before  # complete_second_factor
    event = AuditEvent.objects.get(actor=young_person, action=Action.UPDATE)
    assert event.detail == {"passkey_added": True} and event.route == Route.SELF
    # From now on it is always asked.
    fresh = _password_only(young_person.username)
    response = fresh.get(reverse("myspace:home"))
    assert response.status_code == 302 and reverse("accounts:two_factor") in response["Location"]


def test_staff_need_the_enrolment_code_before_a_passkey_too(bob):
    enrolment.issue(user=bob, by=None, deliver="shown")
    client = _password_only(bob.username)
    page = client.get(reverse("accounts:passkey_setup"))
    assert page.status_code == 302 and reverse("accounts:two_factor_setup") in page["Location"]
    session = client.session  # even with the question answered

    session[passkeys.NOBODY_ELSE] = bob.pk
    session.save()
    assert _post_json(client, "credential-registration-begin").status_code == 403
    assert not WebAuthnCredential.objects.filter(user=bob).exists()


def test_staff_add_a_passkey_after_the_enrolment_code(bob):
    code = enrolment.issue(user=bob, by=None, deliver="shown")
    client = _password_only(bob.username)
    client.post(reverse("accounts:two_factor_setup"), {"code": code})
    page = client.get(reverse("accounts:two_factor_setup")).content.decode()
    assert reverse("accounts:passkey_setup") in page  # offered beside the app
    _answer(client, "no")
    assert _register(client, SoftPasskey()).status_code == 200
    assert client.get(reverse("core:home")).status_code == 200  # verified


def test_a_passkey_that_cannot_check_its_owner_is_not_made(client_for, alice):
    client = client_for(alice)
    _answer(client, "no")
    begin = _post_json(client, "credential-registration-begin")
    assert begin.json()["authenticatorSelection"]["userVerification"] == "required"
    response = _post_json(
        client, "credential-registration-complete", SoftPasskey(user_verified=False).register(begin.json())
    )
    assert response.status_code >= 400
    assert not WebAuthnCredential.objects.filter(user=alice).exists()


def test_a_verified_user_may_add_a_passkey_beside_the_app(client_for, alice):
    client = client_for(alice)
    _answer(client, "no")
    assert _register(client, SoftPasskey()).status_code == 200
    assert WebAuthnCredential.objects.filter(user=alice, confirmed=True).count() == 1


def test_a_password_alone_cannot_add_a_second_factor_once_a_passkey_exists(client_for, young_person):
    first = client_for(young_person)
    _answer(first, "no")
    assert _register(first, SoftPasskey()).status_code == 200
    client = _password_only(young_person.username)
    # No second passkey, no authenticator app: the passkey must be passed first.
    response = client.get(reverse("accounts:two_factor_setup"))
    assert response.status_code == 302 and reverse("accounts:two_factor") in response["Location"]
    response = _answer(client, "no")
    assert response.status_code == 302 and reverse("accounts:two_factor") in response["Location"]
    session = client.session
    session[passkeys.NOBODY_ELSE] = young_person.pk
    session.save()
    assert _post_json(client, "credential-registration-begin").status_code == 403
    assert not TOTPDevice.objects.filter(user=young_person, confirmed=True).exclude(name="test").exists()


# --- Signing in with a passkey -------------------------------------------------------------------


def _with_passkey(user) -> SoftPasskey:
    passkey = SoftPasskey()
    client = Client()
    from conftest import sign_in

    sign_in(client, user)
    _answer(client, "no")
    assert _register(client, passkey).status_code == 200
    return passkey


def test_password_then_passkey_signs_in_through_the_same_session_rule(alice):
    passkey = _with_passkey(alice)
    client = _password_only(alice.username)
    page = client.get(reverse("accounts:two_factor")).content.decode()
    assert 'id="passkey-verification-button"' in page  # beside the code form (kept without JavaScript)
    assert 'name="token"' in page
    after_password = client.cookies[settings.SESSION_COOKIE_NAME].value
    next_url = reverse("accounts:account")
    response, options = _pass_passkey(client, passkey, next_url=next_url)
    assert response.status_code == 200, response.content
    assert response.json()["redirect_url"] == next_url
    assert options["userVerification"] == "required"  # the phone checks its owner, not only a touch
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != after_password
    assert client.get(reverse("core:home")).status_code == 200
    event = AuditEvent.objects.filter(actor=alice, action=Action.SIGN_IN).order_by("pk").last()
    assert event.detail == {"second_factor": "passkey"}


def test_a_passkey_without_the_phones_check_is_refused(alice):
    passkey = _with_passkey(alice)
    passkey.user_verified = False
    client = _password_only(alice.username)
    response, _ = _pass_passkey(client, passkey)
    assert response.status_code >= 400
    assert client.get(reverse("core:home")).status_code == 302  # still not past the second step


def test_no_sign_in_with_a_passkey_alone(alice):
    passkey = _with_passkey(alice)
    client = Client()
    client.get(reverse("accounts:login"))
    # Signed out, the ceremonies are not even reached (every page needs the password first).
    assert _post_json(client, "credential-authentication-begin").status_code == 302
    response = client.post(
        reverse("otp_webauthn:credential-authentication-complete"),
        data=json.dumps(passkey.sign_in({"challenge": "x"})),
        content_type="application/json",
    )
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_someone_elses_passkey_does_not_pass_my_second_step(alice, bob):
    bobs = _with_passkey(bob)
    _with_passkey(alice)
    client = _password_only(alice.username)
    response, _ = _pass_passkey(client, bobs)
    assert response.status_code == 403
    assert client.get(reverse("core:home")).status_code == 302


def test_a_young_person_signs_in_with_password_and_passkey(young_person):
    passkey = _with_passkey(young_person)
    client = _password_only(young_person.username)
    assert client.get(reverse("myspace:home")).status_code == 302
    response, _ = _pass_passkey(client, passkey)
    assert response.status_code == 200
    assert client.get(reverse("myspace:home")).status_code == 200
    event = AuditEvent.objects.filter(actor=young_person, action=Action.SIGN_IN).order_by("pk").last()
    assert event.route == Route.SELF


def test_the_scripts_messages_are_welsh():
    client = Client()
    client.force_login(UserFactory(organisation=None, role=Role.YOUNG_PERSON))
    response = client.get("/cy/account/passkeys/jsi18n/")
    assert response.status_code == 200
    assert "Creu cyfrinallwedd" in response.content.decode()


def test_the_home_page_offers_a_passkey_first(young_person):
    client = _password_only(young_person.username)
    body = client.get(reverse("myspace:home")).content.decode()
    assert body.index(reverse("accounts:passkey_setup")) < body.index(reverse("accounts:two_factor_setup"))


# --- A lost phone ----------------------------------------------------------------------------------


def test_an_administrators_reset_removes_passkeys_too(administrator, bob):
    from accounts import services as account_services

    _with_passkey(bob)
    assert WebAuthnCredential.objects.filter(user=bob).exists()
    account_services.reset_two_factor(by=administrator, user=bob)
    assert not WebAuthnCredential.objects.filter(user=bob).exists()
    assert not TOTPDevice.objects.filter(user=bob).exists()
