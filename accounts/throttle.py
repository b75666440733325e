"""The per-user sign-in slow-down that django-axes lacks (ADR 006).

Axes locks an *address* after too many failures (any user names). Guessing one worker's password
from many addresses would then be unbounded, so failures are also counted per user name, from
every address, in the database (the same table for every process; it does not depend on Redis).
After ``NYTH_LOGIN_USER_FAILURE_LIMIT`` failures within the window the account cools off: sign-in
is refused, without looking at the password, for ``NYTH_LOGIN_USER_COOLOFF_SECONDS``, doubling
with every further failure up to the window. It is never a hard lock: whoever guesses cannot keep a
named worker out for longer than the cool-off their own failures earn. The service's managers are
told once per window per account, in their own language, with no password material, through the
email outbox (``jobs.email.send_once``): the email is sent by a worker after the failure is
committed, never inside the sign-in request, and a re-run task does not tell a manager twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Role, SignInThrottle, User
from jobs.email import send_once


@dataclass(frozen=True)
class CoolOff:
    until: datetime

    @property
    def minutes(self) -> int:
        return max(1, -(-int((self.until - timezone.now()).total_seconds()) // 60))


def _key(username: str) -> str:
    return (username or "").strip().casefold()[:150]


def cooling_off(username: str) -> CoolOff | None:
    """The cool-off this user name is in now, if any."""
    row = SignInThrottle.objects.filter(username=_key(username)).first()
    if row is not None and row.blocked_until is not None and row.blocked_until > timezone.now():
        return CoolOff(row.blocked_until)
    return None


def record_failure(username: str) -> SignInThrottle:
    """Count one failed sign-in for ``username`` (from any address); start or lengthen a
    cool-off past the limit, and tell managers once per window."""
    key = _key(username)
    now = timezone.now()
    window = timedelta(minutes=settings.NYTH_LOGIN_USER_WINDOW_MINUTES)
    with transaction.atomic():
        SignInThrottle.objects.get_or_create(username=key, defaults={"window_started": now})
        row = SignInThrottle.objects.select_for_update().get(username=key)
        if row.window_started <= now - window:
            row.failures, row.window_started = 0, now
        row.failures += 1
        over = row.failures - settings.NYTH_LOGIN_USER_FAILURE_LIMIT
        if over >= 0:
            seconds = min(settings.NYTH_LOGIN_USER_COOLOFF_SECONDS * 2 ** min(over, 20), window.total_seconds())
            row.blocked_until = now + timedelta(seconds=seconds)
            if row.alerted_at is None or row.alerted_at <= now - window:
                row.alerted_at = now
                # Queued on the outbox: sent only if this failure commits, by a worker.
                notify_managers_of_attack(key, window_key=f"{now.timestamp():.6f}")
        row.save()
    return row


def record_success(username: str) -> None:
    SignInThrottle.objects.filter(username=_key(username)).update(failures=0, blocked_until=None)


def notify_managers_of_attack(username: str, *, window_key: str) -> int:
    """Queue an email to each manager of the account's service that someone is guessing its
    password. ``window_key`` names the alert window (when it was raised), so the outbox's
    sent-marker keeps it to one email per manager per window even if the task runs again.
    Returns how many were queued. An unknown user name tells nobody anything."""
    user = User.objects.filter(username__iexact=username).select_related("organisation").first()
    if user is None or user.organisation_id is None:
        return 0
    managers = User.objects.filter(
        models.Q(role=Role.SERVICE_MANAGER), organisation_id=user.organisation_id, is_active=True
    ).exclude(email="")
    queued = 0
    for manager in managers:
        # Rendered now, in the manager's language: the worker has no request or user to go by.
        with translation.override(manager.preferred_language or "en"):
            subject = _("Nyth: repeated wrong sign-ins for %(name)s") % {"name": user.get_full_name() or user.username}
            body = _(
                "There have been %(count)s or more wrong sign-in attempts for the account of %(name)s "
                "(user name %(username)s) within %(minutes)s minutes. Sign-in for that account is "
                "slowed down for a while. If %(name)s did not make these attempts, someone may be "
                "guessing the password: speak to them and to your administrator.\n\n%(site)s"
            ) % {
                "count": settings.NYTH_LOGIN_USER_FAILURE_LIMIT,
                "name": user.get_full_name() or user.username,
                "username": user.username,
                "minutes": settings.NYTH_LOGIN_USER_WINDOW_MINUTES,
                "site": settings.NYTH_SITE_URL,
            }
        send_once(event_key=f"sign-in-attack:{user.pk}:{window_key}", to=manager.email, subject=subject, body=body)
        queued += 1
    return queued
