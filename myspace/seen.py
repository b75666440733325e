"""Who has seen my story, in the young person's own space: the assessment's log
(``assessments.seen``, the same sentences the staff page reads with them), with two things kept
out so the young person is never tipped off about worries for their safety:

- a safeguarding share, and anything read through one, is never listed to them;
- a manager may withhold an entry, with a reason, until a review date
  (``myspace.models.WithheldLogEntry``); from that day it shows again unless renewed.

And a "why did this person look?" request to the practitioner, about one line.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from assessments import seen as story
from audit.models import Action, Route
from audit.services import record
from myspace.consents import tell_care_team
from myspace.models import CareTeamNotice, NoticeKind, WithheldLogEntry
from people.access import audit_route, can_change

if TYPE_CHECKING:
    from accounts.models import User
    from audit.models import AuditEventQuerySet
    from people.models import Child

#: A withheld entry is looked at again within this many days at most.
MAX_WITHHOLD_DAYS = 180


def _never_to_them(child: Child) -> Q:
    """Safeguarding: the share itself, a copy of the assessment made under it, and anyone reading
    through one (the route recorded with the event)."""
    from assessments.models import AssessmentShare

    under_safeguarding = [
        str(pk)
        for pk in AssessmentShare.objects.filter(child=child, safeguarding__isnull=False).values_list("pk", flat=True)
    ]
    return (
        Q(object_type=story.SAFEGUARDING)
        | Q(object_type=story.SHARE, object_id__in=under_safeguarding)
        | Q(detail__route="safeguarding")
        | Q(detail__basis="safeguarding")
    )


def withheld_now(child: Child, today: datetime.date | None = None) -> QuerySet[WithheldLogEntry]:
    """What a manager keeps from ``child``'s view today (before each review date)."""
    today = today or timezone.localdate()
    return WithheldLogEntry.objects.filter(child=child, review_on__gt=today)


def _without_safeguarding(events: AuditEventQuerySet, child: Child) -> AuditEventQuerySet:
    # By primary key: a plain ``exclude`` on a JSON key would also drop every event without
    # that key (NOT of NULL is not true in SQL).
    return events.exclude(pk__in=events.filter(_never_to_them(child)).values("pk"))


def their_events(child: Child) -> AuditEventQuerySet:
    """The events the young person may see, newest first."""
    return _without_safeguarding(story.story_events(child), child).exclude(
        pk__in=withheld_now(child).values("event_id")
    )


def their_lines(user: User, child: Child) -> list[story.StoryLine]:
    """The lines of "who has seen my story" for the young person (queries constant in size)."""
    return story.describe(user, child, list(their_events(child)))


def staff_lines(user: User, child: Child) -> tuple[list[story.StoryLine], dict[int, WithheldLogEntry]]:
    """For the manager's page: every line the young person could be shown (safeguarding never),
    and the withholdings by event, current or past their review date."""
    events = list(_without_safeguarding(story.story_events(child), child))
    withheld = {entry.event_id: entry for entry in WithheldLogEntry.objects.filter(child=child)}
    return story.describe(user, child, events), withheld


def line_for(user: User, child: Child, event_pk: int, *, staff: bool = False) -> story.StoryLine | None:
    """The line whose newest event is ``event_pk``, among those the reader may see, or None."""
    lines = staff_lines(user, child)[0] if staff else their_lines(user, child)
    return next((line for line in lines if line.event.pk == event_pk), None)


def may_withhold(user: User, child: Child) -> bool:
    """A service manager who may change the record: the decision not to tell is a manager's."""
    return user.role == Role.SERVICE_MANAGER and can_change(user, child)


@transaction.atomic
def withhold(
    *, by: User, child: Child, line: story.StoryLine, reason: str, review_on: datetime.date
) -> list[WithheldLogEntry]:
    """Keep ``line`` from the young person's view until ``review_on`` (or renew it with a new
    date and reason). Every event of the line is withheld, so the line does not come back as a
    smaller count."""
    if not may_withhold(by, child):
        raise PermissionDenied
    reason = (reason or "").strip()
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    if len(reason) < 10:
        errors["reason"] = [_("Say why they should not see this yet")]
    if review_on <= today:
        errors["review_on"] = [_("The review date must be in the future")]
    elif review_on > today + datetime.timedelta(days=MAX_WITHHOLD_DAYS):
        errors["review_on"] = [_("The review date must be within %(days)s days") % {"days": MAX_WITHHOLD_DAYS}]
    if errors:
        raise ValidationError(errors)
    entries = []
    for event_id in line.event_ids:
        entry, created = WithheldLogEntry.objects.update_or_create(
            event_id=event_id,
            defaults={
                "child": child,
                "reason": reason,
                "review_on": review_on,
                "withheld_by": by,
                "withheld_at": timezone.now(),
            },
        )
        entries.append(entry)
    record(
        actor=by,
        action=Action.UPDATE,
        obj=entries[0] if entries else None,
        child_id=child.pk,
        reason=reason,
        detail={"withheld_from_young_person": True, "events": list(line.event_ids), "review_on": review_on.isoformat()},
        route=audit_route(by, child),
    )
    return entries


@transaction.atomic
def ask_why(*, by: User, child: Child, line: story.StoryLine, words: str = "") -> CareTeamNotice:
    """ "Why did this person look?": a notice for the care team about one line, told at once."""
    notice = CareTeamNotice.objects.create(
        child=child,
        kind=NoticeKind.WHY_LOOK,
        event_id=line.event.pk,
        about=line.what,
        words=(words or "").strip(),
        created_by=by,
    )
    record(
        actor=by,
        action=Action.CREATE,
        obj=notice,
        child_id=child.pk,
        detail={"kind": NoticeKind.WHY_LOOK, "event": line.event.pk},
        route=Route.SELF,
    )
    tell_care_team(notice)
    return notice
