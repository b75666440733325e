"""Passkeys in the space (ADR 020): a lost phone's passkey goes with the re-invitation."""

from __future__ import annotations

import pytest
from django_otp_webauthn.models import WebAuthnCredential

from accounts.models import User
from accounts.tests.test_passkeys import _with_passkey
from myspace.tests.test_invitations import _accept, _invite, teen  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def test_a_re_invitation_removes_the_passkey_of_a_lost_phone(client_for, alice, teen):  # noqa: F811
    _, path = _invite(client_for, alice, teen)
    _accept(path)
    user = User.objects.get(username="sion-p")
    _with_passkey(user)
    assert WebAuthnCredential.objects.filter(user=user).exists()
    _, again = _invite(client_for, alice, teen)
    _accept(again, password1="green-heron-waits-4", password2="green-heron-waits-4")
    assert not WebAuthnCredential.objects.filter(user=user).exists()
