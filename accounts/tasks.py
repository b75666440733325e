"""Background email for accounts: the enrolment code, sealed while it waits in the queue."""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django_tasks import task


def _fernet() -> Fernet:
    # A key of its own derived from SECRET_KEY (held outside the database): someone who can read
    # the task table (or Redis, with RQ) cannot read the code waiting there.
    raw = salted_hmac("nyth.accounts.enrolment-email", "fernet-key", algorithm="sha256").digest()
    return Fernet(base64.urlsafe_b64encode(raw))


def seal(code: str) -> str:
    return _fernet().encrypt(code.encode()).decode("ascii")


@task()
def email_enrolment_code(*, code_id: int, sealed: str) -> bool:
    """Send the holder their enrolment code, once (the outbox's marker), unless it has been used,
    voided or has expired meanwhile (a newer code supersedes it)."""
    from accounts.enrolment import enrol_link
    from accounts.models import EnrolmentCode
    from jobs.email import deliver_once

    entry = EnrolmentCode.objects.select_related("user").get(pk=code_id)
    if entry.used_at or entry.voided_at or entry.expires <= timezone.now() or not entry.user.email:
        return False
    try:
        code = _fernet().decrypt(sealed.encode("ascii")).decode()
    except InvalidToken:
        return False  # SECRET_KEY changed since: the holder is issued a new code
    user = entry.user
    with translation.override(user.preferred_language or "en"):
        subject = _("Nyth: your code to set up your account")
        body = _(
            "Your enrolment code for Nyth is %(code)s (user name %(username)s). It works once and "
            "expires in %(hours)s hours. Open %(link)s, enter it, and set up your authenticator app. "
            "If you did not expect this email, tell your service manager."
        ) % {"code": code, "username": user.username, "hours": settings.NYTH_ENROLMENT_CODE_HOURS, "link": enrol_link()}
    return deliver_once(event_key=f"enrolment-code:{entry.pk}", to=user.email, subject=subject, body=body)
