"""Completing the second factor: the moment a session becomes one that can open records."""

from __future__ import annotations

from django.http import HttpRequest
from django.middleware.csrf import rotate_token
from django_otp import login as otp_login
from django_otp.models import Device

#: Set in the session once the holder has shown more than their password (for that user only):
#: their enrolment code (staff, ADR 009) or their invitation (young people and carers, myspace).
#: It lets that session set up an authenticator without an enrolment code.
ENROLMENT_OK = "nyth_enrolment_ok"


def complete_second_factor(request: HttpRequest, device: Device) -> None:
    """Mark the session verified with ``device``, then give it a new key and a new CSRF token.

    django-otp's ``login`` only stores the device in the session: without a new key, a session
    cookie seen (or fixed) before the second factor would become a fully signed-in one. Django's
    ``login`` does this for the password step; this does it for the step that really counts.
    """
    otp_login(request, device)
    request.session.cycle_key()
    rotate_token(request)
