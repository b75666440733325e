"""Issue 11 §2: the second factor gives the session a new key and CSRF token; no navigation before it."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import enrolment
from accounts.tests.test_sign_in import current_code, sign_in_password
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _session_key(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _csrf(client: Client) -> str:
    return client.cookies[settings.CSRF_COOKIE_NAME].value


def _signs_in(session_key: str) -> bool:
    other = Client()
    other.cookies[settings.SESSION_COOKIE_NAME] = session_key
    return other.get(reverse("core:home")).status_code == 200


def test_the_code_step_gives_the_session_a_new_key_and_csrf_token(client, alice):
    device = TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)
    # An anonymous session that exists before the password (as one planted by an attacker would).
    anonymous = client.session
    anonymous["seen"] = True
    anonymous.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = before_password = anonymous.session_key
    assert client.get(reverse("accounts:login")).status_code == 200
    assert sign_in_password(client, "alice").status_code == 302
    after_password = _session_key(client)
    assert after_password != before_password  # Django's login cycles the key at the password step
    assert not SessionStore().exists(before_password)
    assert client.get(reverse("accounts:two_factor")).status_code == 200
    csrf_before = _csrf(client)

    response = client.post(reverse("accounts:two_factor"), {"token": current_code(device)})

    assert response.status_code == 302
    after_code = _session_key(client)
    assert after_code != after_password
    assert _csrf(client) != csrf_before
    assert client.get(reverse("core:home")).status_code == 200
    assert _signs_in(after_code)
    assert not _signs_in(after_password)  # the pre-2FA cookie is worth nothing now
    assert AuditEvent.objects.filter(action="sign_in", actor=alice).count() == 1


def test_setting_up_the_authenticator_also_cycles_the_key(client, alice):
    code = enrolment.issue(user=alice, by=None, deliver="shown")
    sign_in_password(client, "alice")
    # The enrolment code first (ADR 009), then the authenticator's key is made.
    assert client.post(reverse("accounts:two_factor_setup"), {"code": code}).status_code == 302
    assert client.get(reverse("accounts:two_factor_setup")).status_code == 200
    device = TOTPDevice.objects.get(user=alice, confirmed=False)
    after_password, csrf_before = _session_key(client), _csrf(client)

    assert client.post(reverse("accounts:two_factor_setup"), {"token": current_code(device)}).status_code == 302

    assert _session_key(client) != after_password
    assert _csrf(client) != csrf_before
    assert not _signs_in(after_password)
    assert _signs_in(_session_key(client))
    assert AuditEvent.objects.filter(action="sign_in", actor=alice).count() == 1


def test_no_navigation_before_the_second_factor(client, alice):
    device = TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)
    sign_in_password(client, "alice")
    page = client.get(reverse("accounts:two_factor")).content.decode()
    assert 'href="/en/children/"' not in page
    assert "My caseload" not in page and "Children and young people<" not in page
    assert "Sign out" in page  # signing out is always possible
    assert 'hreflang="cy"' in page  # and so is the other language

    client.post(reverse("accounts:two_factor"), {"token": current_code(device)})

    home = client.get(reverse("core:home")).content.decode()
    assert 'href="/en/children/"' in home
    assert "Sign out" in home
