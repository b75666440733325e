"""Count every failed sign-in per user name (accounts.throttle), whatever address it came from."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver

from accounts import throttle


@receiver(user_login_failed)
def count_failed_sign_in(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    username = credentials.get("username")
    if username:
        throttle.record_failure(username)
