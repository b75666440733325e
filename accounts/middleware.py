"""Two-factor authentication for every account (mandatory outside the demo, optional for the roles
in ``NYTH_2FA_OPTIONAL_ROLES``; once set up, always asked)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import resolve, reverse
from django.urls.exceptions import Resolver404
from django_otp import user_has_device

from accounts.models import User
from accounts.signed_in import two_factor_required

# Pages a signed-in but not yet verified user may open.
_ALLOWED = {
    "accounts:two_factor",
    "accounts:two_factor_setup",
    "accounts:passkey_setup",
    "accounts:logout",
    "healthz",
    # The passkey ceremonies (accounts/passkeys.py checks who may use them) and their messages.
    "otp_webauthn:credential-registration-begin",
    "otp_webauthn:credential-registration-complete",
    "otp_webauthn:credential-authentication-begin",
    "otp_webauthn:credential-authentication-complete",
    "otp_webauthn:js-i18n-catalog",
}


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if isinstance(user, User) and not user.is_verified() and not request.path.startswith(settings.STATIC_URL):
            has_device = user_has_device(user, confirmed=True)
            if two_factor_required(user) or has_device:
                try:
                    name = resolve(request.path_info).view_name
                except Resolver404:
                    name = ""
                if name not in _ALLOWED:
                    target = reverse("accounts:two_factor" if has_device else "accounts:two_factor_setup")
                    return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
