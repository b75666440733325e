"""Whether a page may show the service's navigation (used by the context processors)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django_otp import user_has_device

from accounts.models import User


def two_factor_required(user: User) -> bool:
    """Whether ``user`` must pass a second factor: every account outside the demo, except the
    roles for which it is offered but optional (``NYTH_2FA_OPTIONAL_ROLES``, ADR 019)."""
    return settings.NYTH_REQUIRE_2FA and user.role not in settings.NYTH_2FA_OPTIONAL_ROLES


def fully_signed_in(request: HttpRequest) -> bool:
    """Signed in and past the second factor (or an account the middleware lets through without
    one: in the demo, or a role for which it is optional and not set up): only then does a page show the service's navigation."""
    user = request.user
    if not isinstance(user, User):  # anonymous
        return False
    if user.is_verified():
        return True
    return not two_factor_required(user) and not user_has_device(user, confirmed=True)
