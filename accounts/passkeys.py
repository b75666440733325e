"""Passkeys (WebAuthn) as a second factor beside the authenticator app (ADR 020).

django-otp-webauthn does the WebAuthn ceremonies and stores each passkey as a django-otp
device. Nyth adds its own rules on top of the library's four JSON views:

- a passkey is only ever a *second* factor: the ceremonies need a session signed in with the
  password (passwordless sign-in is off in the settings);
- adding one needs the same as setting up an authenticator app (ADR 009): a session already past
  the second factor, or – with no device yet – the enrolment code (staff) or the invitation
  (young people and carers), and the answer "no" to "does anyone else use or manage this phone?";
- passing one goes through ``accounts.sessions.complete_second_factor`` (a new session key and
  CSRF token), as the code from an app does, and both steps are audited.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django_otp import user_has_device
from django_otp_webauthn import exceptions
from django_otp_webauthn.helpers import WebAuthnHelper
from django_otp_webauthn.models import AbstractWebAuthnCredential, WebAuthnCredential
from django_otp_webauthn.utils import rewrite_exceptions
from django_otp_webauthn.views import (
    BeginCredentialAuthenticationView,
    BeginCredentialRegistrationView,
    CompleteCredentialAuthenticationView,
    CompleteCredentialRegistrationView,
    _get_pywebauthn_logger,
)
from webauthn.helpers.structs import AuthenticatorSelectionCriteria, UserVerificationRequirement

from accounts import enrolment
from accounts.models import SPACE_ROLES, User
from accounts.sessions import ENROLMENT_OK, complete_second_factor
from audit.models import Action, Route
from audit.services import record

#: Set in the session (to the user's pk) once they answered "no, nobody else uses or manages
#: this phone" on the passkey set-up page. Registration is refused without it.
NOBODY_ELSE = "nyth_passkey_nobody_else"


class PasskeyNotAllowed(exceptions.OTPWebAuthnApiError):
    status_code = 403
    default_detail = gettext_lazy("Start again from the page for setting up a passkey.")
    default_code = "passkey_not_allowed"


class PasskeyHelper(WebAuthnHelper):
    """What the phone shows and keeps: the user name only. A shared phone's list of passkeys
    should not carry a young person's full name (it names no one but the account)."""

    def get_credential_display_name(self, user: AbstractBaseUser) -> str:
        return user.get_username()

    def get_generate_registration_options_kwargs(self, *, user: AbstractBaseUser) -> dict[str, Any]:
        # Sign-in requires the phone to check its owner (BeginAuthentication), so making a
        # passkey requires it too: a key that cannot would be accepted now and refused at the
        # next sign-in, locking its holder out.
        options: dict[str, Any] = super().get_generate_registration_options_kwargs(user=user)
        options["authenticator_selection"] = AuthenticatorSelectionCriteria(
            user_verification=UserVerificationRequirement.REQUIRED,
            resident_key=options["authenticator_selection"].resident_key,
        )
        return options


def has_passkey(user: User) -> bool:
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()


def needs_enrolment_code(request: HttpRequest, user: User) -> bool:
    """Setting up a second factor needs more than the password (ADR 009): the enrolment code,
    unless this session has shown it (or the invitation) already. Young people and carers have
    none: their invitation, handed over in person, signed them in (myspace.views.accept)."""
    if request.session.get(ENROLMENT_OK) == user.pk or user.role in SPACE_ROLES:
        return False
    return settings.NYTH_REQUIRE_2FA or enrolment.outstanding(user) is not None


def may_add_passkey(request: HttpRequest, user: User) -> bool:
    """Whether this session may register a passkey for ``user`` (the phone question answered
    "no" first, always)."""
    if request.session.get(NOBODY_ELSE) != user.pk:
        return False
    if user.is_verified():
        return True
    # Signed in with the password only: allowed only for a first second factor, with the
    # enrolment code (or invitation) given.
    return not user_has_device(user, confirmed=True) and not needs_enrolment_code(request, user)


class BeginRegistration(BeginCredentialRegistrationView):
    def check_can_register(self) -> None:
        if not may_add_passkey(self.request, self.request.user):
            raise PasskeyNotAllowed()


class CompleteRegistration(CompleteCredentialRegistrationView):
    def check_can_register(self) -> None:
        if not may_add_passkey(self.request, self.request.user):
            raise PasskeyNotAllowed()

    def post(self, *args: Any, **kwargs: Any) -> JsonResponse:
        request = self.request
        user = request.user
        state = self.get_state()
        with rewrite_exceptions(logger=_get_pywebauthn_logger()):
            device = self.get_helper().register_complete(user=user, state=state, data=request.data)
        record(actor=user, action=Action.UPDATE, obj=user, detail={"passkey_added": True}, route=_route(request))
        request.session.pop(NOBODY_ELSE, None)
        request.session.pop(ENROLMENT_OK, None)
        if not user.is_verified():
            # Just shown by the phone (its lock, a fingerprint or PIN): the first second factor.
            complete_second_factor(request, device)
        return JsonResponse({"id": device.pk})


class BeginAuthentication(BeginCredentialAuthenticationView):
    def check_can_authenticate(self) -> None:
        # Only after the password: passwordless sign-in is off, and this is explicit.
        if not self.request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        super().check_can_authenticate()

    def post(self, *args: Any, **kwargs: Any) -> JsonResponse:
        # The library asks a signed-in user only to touch the phone. Nyth asks the phone to check
        # it is its owner (fingerprint, face or PIN) – what the set-up page promises – so a phone
        # left unlocked on a table is not enough.
        data, state = self.get_helper().authenticate_begin(user=self.request.user, require_user_verification=True)
        self.request.session["otp_webauthn_authentication_state"] = state
        return JsonResponse(data)


class CompleteAuthentication(CompleteCredentialAuthenticationView):
    def check_can_authenticate(self) -> None:
        if not self.request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        super().check_can_authenticate()

    def complete_auth(self, device: AbstractWebAuthnCredential) -> AbstractBaseUser:
        request = self.request
        if device.user_id != request.user.pk:  # the library checks this; never pass another's
            raise exceptions.CredentialUserMismatch()
        complete_second_factor(request, device)
        record(
            actor=request.user,
            action=Action.SIGN_IN,
            obj=request.user,
            detail={"second_factor": "passkey"},
            route=_route(request),
        )
        return request.user

    def get_success_url(self) -> str:
        return self.get_redirect_url() or reverse("core:home")


def _route(request: HttpRequest) -> str:
    """A young person's or carer's own account is filed as "self", as in their space."""
    user = request.user
    return Route.SELF if isinstance(user, User) and user.role in SPACE_ROLES else Route.UI
