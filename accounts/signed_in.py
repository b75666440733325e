"""Whether a page may show the service's navigation (used by the context processors)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django_otp import user_has_device

from accounts.models import User


def fully_signed_in(request: HttpRequest) -> bool:
    """Signed in and past the second factor (or, in the demo, an account the middleware lets
    through without one): only then does a page show the service's navigation."""
    user = request.user
    if not isinstance(user, User):  # anonymous
        return False
    if user.is_verified():
        return True
    return not settings.NYTH_REQUIRE_2FA and not user_has_device(user, confirmed=True)
