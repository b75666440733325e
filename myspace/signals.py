"""A fresh sign-in starts the idle clock again (myspace.middleware)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from myspace.middleware import LAST_SEEN


@receiver(user_logged_in)
def restart_idle_clock(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session.pop(LAST_SEEN, None)
