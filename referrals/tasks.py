"""Background tasks of the referrals context."""

from __future__ import annotations

from django_tasks import task


@task()
def email_referrer_decision(decision_id: int) -> bool:
    """Tell the referrer the outcome, once (the outbox's sent-marker), at least once.

    The task carries only the decision's id and builds the email here: the queue (the task table,
    or Redis with RQ) never holds the young person's name that the message contains."""
    from jobs.email import deliver_once
    from referrals.models import Decision
    from referrals.services import referrer_email_subject

    decision = Decision.objects.select_related("referral").get(pk=decision_id)
    referral = decision.referral
    if not referral.referrer_email:
        return False
    return deliver_once(
        event_key=f"referral-decision:{decision.pk}",
        to=referral.referrer_email,
        subject=referrer_email_subject(referral),
        body=decision.referrer_message,
    )
