"""Reviewing access to the space: never a silent loss.

The service is for young people up to ``NYTH_SPACE_MAX_AGE`` (25). A young person older than that,
or whose last episode of support closed more than ``NYTH_SPACE_REVIEW_AFTER_CLOSE_DAYS`` (180)
ago with none open since, is put to the service's managers for review – by the daily
``manage.py review_space_access`` (``deploy/systemd/nyth-space-reviews.timer``), audited with
the route *system*, idempotent: at most one open review per account, and none while a kept
review's next date has not come. The account keeps working meanwhile. A service manager then
keeps it, with a reason and a next review date, or ends it (the same ending as the
practitioner's, ``invitations.end_access``). The lead practitioner sees the prompt too.

Carers' accounts are reviewed the same way: their access follows the young person's record.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from audit.models import Action, Route
from audit.services import record
from episodes.models import Episode, EpisodeEvent, EpisodeStatus, EventKind
from myspace import invitations
from myspace.models import AccessReview, ReviewDecision, ReviewReason, SpaceAccount
from people.access import audit_route, can_change
from people.models import CareTeamMembership, CareTeamRole, Child
from people.services import reason_has_words

#: A kept account is looked at again within a year at most.
MAX_KEEP_DAYS = 366


def due_reason(child: Child, has_open_episode: bool, last_closed: datetime.date | None, today: datetime.date) -> str:
    """Why a young person's space accounts are due for review today, or "": older than the
    service's upper age, or their last episode closed long enough ago with none open since."""
    if child.date_of_birth is not None and child.age_on(today) > settings.NYTH_SPACE_MAX_AGE:
        return ReviewReason.AGE
    if has_open_episode:
        return ""
    if last_closed is not None and last_closed <= today - datetime.timedelta(
        days=settings.NYTH_SPACE_REVIEW_AFTER_CLOSE_DAYS
    ):
        return ReviewReason.EPISODE_CLOSED
    return ""


def _due_accounts() -> QuerySet[SpaceAccount]:
    """Working accounts without an open review, with what ``due_reason`` needs and the next
    date of their last kept review – one query, whatever the number of accounts."""
    last_closed = (
        EpisodeEvent.objects.filter(episode__child=OuterRef("child"), kind=EventKind.CLOSED)
        .order_by("-on")
        .values("on")[:1]
    )
    kept_until = (
        AccessReview.objects.filter(account=OuterRef("pk"), decision=ReviewDecision.KEEP)
        .order_by("-decided_at", "-pk")
        .values("next_review_on")[:1]
    )
    return (
        SpaceAccount.objects.filter(revoked_at__isnull=True, user__is_active=True)
        # One open review at a time.
        .exclude(pk__in=AccessReview.objects.filter(decided_at__isnull=True).values("account_id"))
        .annotate(
            _open=Exists(Episode.objects.filter(child=OuterRef("child")).exclude(status=EpisodeStatus.CLOSED)),
            _last_closed=Subquery(last_closed),
            _kept_until=Subquery(kept_until),
        )
        .select_related("child")
        .order_by("pk")
    )


def sweep(today: datetime.date | None = None) -> int:
    """Open a review for every working account now due (daily; running it again opens none).
    Returns how many were opened. One query finds the due accounts; only an opened review writes."""
    today = today or timezone.localdate()
    opened = 0
    for account in _due_accounts():
        found = account.__dict__  # the annotations of _due_accounts
        reason = due_reason(account.child, found["_open"], found["_last_closed"], today)
        if not reason:
            continue
        if found["_kept_until"] is not None and found["_kept_until"] > today:
            continue
        try:
            with transaction.atomic():
                review = AccessReview.objects.create(account=account, child=account.child, reason=reason)
                record(
                    actor=None,
                    action=Action.CREATE,
                    obj=review,
                    child_id=account.child_id,
                    route=Route.SYSTEM,
                    detail={"space_review": reason},
                )
        except IntegrityError:
            continue  # another sweep opened it meanwhile (the constraint keeps one)
        opened += 1
    return opened


def may_decide(user: User, child: Child) -> bool:
    """A service manager of the service holding the record decides."""
    return user.role == Role.SERVICE_MANAGER and can_change(user, child)


def reviews_for(user: User) -> QuerySet[AccessReview]:
    """Open reviews the user is prompted with: the service's managers, and the lead practitioner
    of each young person. Records through the one scope."""
    children = Child.objects.visible_to(user)
    if user.role != Role.SERVICE_MANAGER:
        leads = CareTeamMembership.objects.filter(user=user, ended_at__isnull=True, role=CareTeamRole.LEAD)
        children = children.filter(pk__in=leads.values("child_id"))
    return (
        AccessReview.objects.filter(child__in=children, decided_at__isnull=True, account__revoked_at__isnull=True)
        .select_related("child", "account__user", "account__related_person")
        .order_by("created_at", "pk")
    )


def _open(review: AccessReview) -> AccessReview:
    locked = AccessReview.objects.select_for_update().select_related("account", "child").get(pk=review.pk)
    if locked.decided_at is not None:
        raise ValidationError(_("Someone has already decided this review."))
    return locked


@transaction.atomic
def keep(*, by: User, review: AccessReview, why: str, next_review_on: datetime.date) -> AccessReview:
    """Keep the account, saying why, until a next review date within a year."""
    if not may_decide(by, review.child):
        raise PermissionDenied
    errors: dict[str, str] = {}
    if not reason_has_words(why):
        errors["why"] = _("Say why they keep their access, in a sentence")
    today = timezone.localdate()
    if next_review_on <= today:
        errors["next_review_on"] = _("The next review date must be in the future")
    elif next_review_on > today + datetime.timedelta(days=MAX_KEEP_DAYS):
        errors["next_review_on"] = _("The next review date must be within a year")
    if errors:
        raise ValidationError(errors)
    locked = _open(review)
    locked.decided_at, locked.decided_by, locked.decision = timezone.now(), by, ReviewDecision.KEEP
    locked.why, locked.next_review_on = why.strip(), next_review_on
    locked.save(update_fields=["decided_at", "decided_by", "decision", "why", "next_review_on"])
    record(
        actor=by,
        action=Action.REVIEW,
        obj=locked,
        child_id=locked.child_id,
        route=audit_route(by, locked.child),
        detail={"space_review": "keep", "next_review_on": next_review_on.isoformat()},
    )
    return locked


@transaction.atomic
def end(*, by: User, review: AccessReview) -> AccessReview:
    """End the account's access (at once, as the practitioner's ending does) and close the review."""
    if not may_decide(by, review.child):
        raise PermissionDenied
    locked = _open(review)
    account = locked.account
    invitations.end_access(by=by, child=locked.child, person=account.related_person, detail={"space_review": locked.pk})
    locked.decided_at, locked.decided_by, locked.decision = timezone.now(), by, ReviewDecision.END
    locked.save(update_fields=["decided_at", "decided_by", "decision"])
    record(
        actor=by,
        action=Action.REVIEW,
        obj=locked,
        child_id=locked.child_id,
        route=audit_route(by, locked.child),
        detail={"space_review": "end"},
    )
    return locked
