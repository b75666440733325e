"""The email outbox: every email Nyth sends goes through here, from a background task.

Guarantee: **at least once** per (event, recipient). ``send_once`` enqueues (after commit) a task
that sends the email and then writes its sent-marker (``SentEmail``, unique on event and
recipient). Running the task again – a re-queued task after its worker was killed, or the same
event enqueued twice – skips every recipient already marked.

The duplicate window: a worker killed *after* the SMTP server accepted the message and *before*
the marker committed sends that one email again when the task is re-run. At most the email in
flight at the moment of the crash is duplicated; no recipient is ever skipped. (Exactly-once is
not possible with SMTP: the send and the marker cannot share a transaction.)

``event_key`` names what the email is about, stable across retries, for example
``"referral-decision:123"``; the recipient is part of the marker, so one event may go to many
people, each exactly once outside the window.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
from collections.abc import Iterator
from typing import Any

from django.core.mail import EmailMessage, send_mail
from django.db import IntegrityError, transaction
from django_tasks import task

from jobs.crash import crash_point
from jobs.models import SentEmail
from jobs.queue import enqueue_on_commit

logger = logging.getLogger(__name__)

# Set by ``not_sent`` while synthetic data is made: the seeds' referrers and managers are invented,
# so nothing is queued for them (they would be sent the moment the demo's worker starts).
_suppressed: contextvars.ContextVar[str | None] = contextvars.ContextVar("nyth_outbox_suppressed", default=None)


@contextlib.contextmanager
def not_sent(reason: str) -> Iterator[None]:
    """Within this block ``send_once`` and ``send_later`` queue nothing and logs what it did not send. Only for
    making synthetic demo data; never around real work."""
    token = _suppressed.set(reason)
    try:
        yield
    finally:
        _suppressed.reset(token)


def send_once(*, event_key: str, to: str | list[str], subject: str, body: str) -> None:
    """Send this email to each recipient once, in the background, after the current
    transaction commits (nothing is sent for a change that rolls back). The subject and body
    wait in the queue until the task runs: for an email that names a young person, use
    ``send_later`` with a task that builds it from ids instead."""
    recipients = [to] if isinstance(to, str) else list(to)
    for recipient in dict.fromkeys(r for r in recipients if r):
        send_later(deliver_email, event_key=event_key, to=recipient, subject=subject, body=body)


def send_later(task: Any, **kwargs: Any) -> None:
    """Enqueue, after commit, a task that sends email through ``deliver_once`` – unless inside
    ``not_sent`` (the demo seeds), where nothing is queued."""
    reason = _suppressed.get()
    if reason is not None:
        logger.info("email task %s not queued: %s", getattr(task, "name", task), reason)
        return
    enqueue_on_commit(task, **kwargs)


def already_sent(event_key: str, to: str) -> bool:
    return SentEmail.objects.filter(event_key=event_key, recipient=to).exists()


def deliver_once(*, event_key: str, to: str, subject: str, body: str) -> bool:
    """Send now unless the marker says it went already; returns whether it was sent. For code
    that is already running in a task (the morning report); others call ``send_once``."""
    if already_sent(event_key, to):
        return False
    # An SMTP failure raises: the task is recorded as failed and no marker is written.
    send_mail(subject=subject, message=body, from_email=None, recipient_list=[to])
    crash_point("email:after_send")  # the duplicate window: sent, not yet marked
    try:
        with transaction.atomic():
            SentEmail.objects.create(event_key=event_key[:200], recipient=to, subject=subject[:255])
    except IntegrityError:
        # Another run of the same event marked it while we were sending: that one was a duplicate.
        logger.warning("email %s to %s was sent twice (concurrent runs)", event_key, to)
    return True


def deliver_with_own_marker(*, to: str, subject: str, body: str, from_email: str) -> None:
    """Send now, for a caller in a task that keeps its own sent-marker on a row it holds locked
    (the young person's space: ``myspace.notify``) because this outbox's marker would keep the
    address, which the space must not keep. Raises on an SMTP failure (no marker is written by
    the caller, the task is retried); the duplicate window is the same as ``deliver_once``'s."""
    EmailMessage(subject=subject, body=body, from_email=from_email, to=[to]).send()
    crash_point("space-email:after_send")  # the duplicate window: sent, not yet marked


@task()
def deliver_email(*, event_key: str, to: str, subject: str, body: str) -> bool:
    return deliver_once(event_key=event_key, to=to, subject=subject, body=body)
