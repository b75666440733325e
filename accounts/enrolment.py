"""One-time enrolment codes: setting up an authenticator needs more than the password (ADR 009).

A code is delivered to the holder – by email to the account's own address, or shown once to the
approving manager to hand over – and stored only as a keyed hash. It is single-use, expires
after ``NYTH_ENROLMENT_CODE_HOURS`` and is void after ``MAX_FAILURES`` wrong tries. Issuing a
new code voids the old ones, so at most one is usable per account.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Literal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts.models import EnrolmentCode, EnrolmentDelivery, User
from audit.models import Action, Route
from audit.services import record
from jobs.email import send_later

MAX_FAILURES = 5
# No 0/O, 1/I/L: the code may be read out or copied from paper.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_LENGTH = 12  # about 59 bits; five tries per code


def _hash(code: str) -> str:
    normalised = code.replace("-", "").replace(" ", "").upper()
    return salted_hmac("nyth.accounts.enrolment", normalised, algorithm="sha256").hexdigest()


def _generate() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, _LENGTH, 4))


def outstanding(user: User) -> EnrolmentCode | None:
    """The account's usable code, if any."""
    return (
        EnrolmentCode.objects.filter(user=user, used_at=None, voided_at=None, expires__gt=timezone.now())
        .order_by("-created")
        .first()
    )


@transaction.atomic
def issue(*, user: User, by: User | None, deliver: Literal["email", "shown"]) -> str | None:
    """Issue a new code for ``user`` (voiding older ones). With ``deliver="email"`` it is emailed
    to the account's own address and ``None`` is returned: the caller never sees it. With
    ``"shown"`` the clear code is returned, once, for the caller to hand over."""
    now = timezone.now()
    EnrolmentCode.objects.filter(user=user, used_at=None, voided_at=None).update(voided_at=now)
    code = _generate()
    entry = EnrolmentCode.objects.create(
        user=user,
        code_hash=_hash(code),
        expires=now + timedelta(hours=settings.NYTH_ENROLMENT_CODE_HOURS),
        issued_by=by,
        delivery=EnrolmentDelivery(deliver),
    )
    record(
        actor=by,
        action=Action.CREATE,
        obj=entry,
        route=Route.UI if by is not None else Route.SYSTEM,
        detail={"enrolment_code_for": user.pk, "delivery": deliver},
    )
    if deliver == EnrolmentDelivery.EMAIL.value:
        from accounts.tasks import email_enrolment_code, seal

        # To the holder's own address; the code waits in the queue sealed (accounts.tasks), and
        # nobody who asked for it sees it.
        send_later(email_enrolment_code, code_id=entry.pk, sealed=seal(code))
        return None
    return code


def enrol_link() -> str:
    from django.urls import reverse

    return settings.NYTH_SITE_URL + reverse("accounts:enrol")


@transaction.atomic
def redeem(user: User, code: str) -> bool:
    """Use ``user``'s outstanding code if ``code`` matches (constant-time). A wrong code counts
    against it; after ``MAX_FAILURES`` it is void and a new one must be issued."""
    entry = (
        EnrolmentCode.objects.select_for_update()
        .filter(user=user, used_at=None, voided_at=None, expires__gt=timezone.now())
        .order_by("-created")
        .first()
    )
    if entry is None:
        return False
    now = timezone.now()
    if constant_time_compare(entry.code_hash, _hash(code)):
        entry.used_at = now
        entry.save(update_fields=["used_at"])
        record(actor=user, action=Action.UPDATE, obj=entry, detail={"enrolment_code_used": True}, route=Route.UI)
        return True
    entry.failures += 1
    if entry.failures >= MAX_FAILURES:
        entry.voided_at = now
    entry.save(update_fields=["failures", "voided_at"])
    # Not attributed to the holder: whoever typed it may not be them.
    record(
        actor=None,
        action=Action.UPDATE,
        obj=entry,
        detail={"enrolment_code_wrong": entry.failures, "voided": entry.voided_at is not None},
        route=Route.UI,
    )
    return False
