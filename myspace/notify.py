"""Emails to young people and carers: the emailed invitation's sender, and "there is something
new" – off unless they turn it on.

Whatever we send to them may be read by someone else (a shared family address, a phone someone
manages), so it is **neutral**: from ``NYTH_SPACE_NOTIFY_FROM`` (or ``DEFAULT_FROM_EMAIL``),
with a subject that says nothing about care or therapy, and a body that says only that there is
something new and where to sign in – never a name, never what it is.

**At most one email every ``NYTH_SPACE_NOTIFY_EVERY_HOURS``.** ``something_new(child, kind)``
marks each account that asked to be told (``notify_pending_at``, once: later news while it waits
changes nothing) and queues the sending task. The task sends only when the last email is older
than the window; otherwise the news waits and ``send_due`` (``manage.py send_space_notifications``,
every 15 minutes) sends it when the window reopens. The account row is the sent-marker: the task
locks it, sends, clears ``notify_pending_at`` and sets ``notify_sent_at`` in one transaction, so a
retried or twice-queued task finds nothing pending and sends nothing. As in the outbox
(``jobs.email``), only a worker killed between the SMTP server accepting and the commit can send
one email twice.

Never to a revoked account or an inactive user, and never to a carer whose access has ended (the
carer's route, ``myspace.carers``, is asked again when the email is sent).
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from accounts.models import Role
from audit.models import Action, Route
from audit.services import record
from jobs.email import deliver_with_own_marker, send_later
from myspace import carers
from myspace.models import SpaceAccount
from people.models import Child

logger = logging.getLogger(__name__)

#: What can be new for someone. The kind decides who is told (a carer sees sessions and the
#: plan's actions, never what the young person wrote); it never reaches the email.
YOUNG_PERSON_ONLY = frozenset({"reply"})
KINDS = frozenset({"reply", "session", "plan"})


def neutral_sender() -> str:
    return settings.NYTH_SPACE_NOTIFY_FROM or settings.DEFAULT_FROM_EMAIL


def send_neutral(*, to: str, subject: str, body: str) -> None:
    """Send one email from the neutral sender. Raises on an SMTP failure (the task fails and is
    retried; the caller's marker is not written)."""
    deliver_with_own_marker(to=to, subject=subject, body=body, from_email=neutral_sender())


def _window() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.NYTH_SPACE_NOTIFY_EVERY_HOURS)


def _may_be_told(account: SpaceAccount) -> bool:
    """Still someone we may email: turned on, with an address, not revoked, able to sign in, and
    – for a carer – still reaching the record by the carer's route."""
    if not (account.notify_on and account.notify_email) or account.revoked_at is not None:
        return False
    if not account.user.is_active:
        return False
    if account.user.role == Role.CARER:
        return account.child_id in carers.reached_child_ids(account.user)
    return account.user.role == Role.YOUNG_PERSON


def something_new(child: Child | int, kind: str) -> int:
    """Something new appeared for ``child`` in their space (a reply, a session booked or changed,
    their plan changed or reviewed). Marks every account that asked to be told and queues the
    sending after commit. Returns how many accounts were marked."""
    if kind not in KINDS:
        raise ValueError(kind)
    child_id = child if isinstance(child, int) else child.pk
    accounts = SpaceAccount.objects.filter(
        child_id=child_id, notify_on=True, revoked_at__isnull=True, user__is_active=True
    ).exclude(notify_email="")
    if kind in YOUNG_PERSON_ONLY:
        accounts = accounts.filter(user__role=Role.YOUNG_PERSON)
    now = timezone.now()
    marked = 0
    for account_id in accounts.values_list("pk", flat=True):
        # Only the first news of a window is marked and queued; later news waits with it.
        if SpaceAccount.objects.filter(pk=account_id, notify_pending_at__isnull=True).update(notify_pending_at=now):
            send_later(send_something_new, account_id=account_id)
            marked += 1
    return marked


@task()
def send_something_new(*, account_id: int) -> bool:
    return deliver_something_new(account_id)


def deliver_something_new(account_id: int, now: datetime.datetime | None = None) -> bool:
    """Send the "something new" email to one account if it is due; returns whether it was sent."""
    now = now or timezone.now()
    with transaction.atomic():
        account = (
            # Only the account row is locked (PostgreSQL cannot lock the nullable side of a join).
            SpaceAccount.objects.select_for_update(of=("self",))
            .select_related("user", "related_person")
            .filter(pk=account_id)
            .first()
        )
        if account is None or account.notify_pending_at is None:
            return False  # sent already (a retry, or queued twice)
        if not _may_be_told(account):
            account.notify_pending_at = None
            account.save(update_fields=["notify_pending_at"])
            return False
        if account.notify_sent_at is not None and now < account.notify_sent_at + _window():
            return False  # waits for send_due, when the window reopens
        with translation.override(account.user.preferred_language or "en"):
            subject = _("New on Nyth")
            body = render_to_string(
                "myspace/email/something_new.txt",
                {"link": settings.NYTH_SITE_URL + reverse("accounts:login")},
            )
        send_neutral(to=account.notify_email, subject=subject, body=body)
        account.notify_pending_at, account.notify_sent_at = None, now
        account.save(update_fields=["notify_pending_at", "notify_sent_at"])
        record(
            actor=None,
            action=Action.UPDATE,
            obj=account,
            child_id=account.child_id,
            route=Route.SYSTEM,
            detail={"space_notified": True},
        )
    return True


def send_due(now: datetime.datetime | None = None) -> int:
    """Send the news that waited for its window to reopen (idempotent: each account's marker is
    its row). Also forgets the addresses of emailed invitations that can no longer be used."""
    from myspace.invitations import forget_unsent_addresses

    now = now or timezone.now()
    forget_unsent_addresses(now)
    due = SpaceAccount.objects.filter(notify_pending_at__isnull=False).filter(
        Q(notify_sent_at__isnull=True) | Q(notify_sent_at__lte=now - _window())
    )
    return sum(deliver_something_new(pk, now) for pk in due.values_list("pk", flat=True))


@transaction.atomic
def set_notifications(*, account: SpaceAccount, on: bool, email: str = "") -> SpaceAccount:
    """Turn "email me when there is something new" on (with the address they give) or off.
    Off forgets the address and anything waiting. Audited with the route self, never the address."""
    locked = SpaceAccount.objects.select_for_update().get(pk=account.pk)
    if on:
        locked.notify_on, locked.notify_email = True, email.strip()
    else:
        locked.notify_on, locked.notify_email, locked.notify_pending_at = False, "", None
    locked.save(update_fields=["notify_on", "notify_email", "notify_pending_at"])
    record(
        actor=locked.user,
        action=Action.UPDATE,
        obj=locked,
        child_id=locked.child_id,
        route=Route.SELF,
        detail={"space_notify": "on" if on else "off"},
    )
    return locked


# --- What counts as something new ---------------------------------------------------------------
# Hooked with signals on the rows themselves, so every service that saves them (the care team's
# inbox, the contacts and the plan, and any later one) is covered without each having to call
# here. A service may also call ``something_new(child, kind)`` directly (the inbox's answers).


def _reply_seen(sender: type, instance: object, update_fields: frozenset[str] | None = None, **kwargs: object) -> None:
    """A practitioner read what they sent (a check-in, a request, before my review)."""
    if update_fields and "read_at" in update_fields and getattr(instance, "read_at", None) is not None:
        something_new(instance.child_id, "reply")  # type: ignore[attr-defined]


def _session_changed(sender: type, instance: object, **kwargs: object) -> None:
    """A session booked, moved or cancelled that is still to come (recording one that took
    place is not news for them)."""
    starts_at = getattr(instance, "starts_at", None)
    if starts_at is not None and starts_at >= timezone.now():
        something_new(instance.child_id, "session")  # type: ignore[attr-defined]


def _plan_changed(sender: type, instance: object, **kwargs: object) -> None:
    child_id = getattr(instance, "child_id", None) or instance.plan.child_id  # type: ignore[attr-defined]
    something_new(child_id, "plan")


def connect() -> None:
    from django.db.models.signals import post_save

    from contacts.models import Contact
    from myspace.models import CheckIn, ReviewNote, SpaceRequest
    from plans.models import Plan, PlanReview

    for model in (CheckIn, ReviewNote, SpaceRequest):
        post_save.connect(_reply_seen, sender=model, dispatch_uid=f"myspace.notify.reply.{model.__name__}")
    post_save.connect(_session_changed, sender=Contact, dispatch_uid="myspace.notify.session")
    for plan_model in (Plan, PlanReview):
        post_save.connect(_plan_changed, sender=plan_model, dispatch_uid=f"myspace.notify.plan.{plan_model.__name__}")
