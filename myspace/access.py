"""The young person's route to their own record (registered as the part-reaching route "self")."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db.models import Q

from accounts.models import Role

if TYPE_CHECKING:
    from accounts.models import User


def own_record(user: User) -> Q | None:
    """A young person's own record, while their account is not revoked. A carer's route (what
    the young person's consent shares with them) is ``carer_record``."""
    if user.role != Role.YOUNG_PERSON:
        return None
    from myspace.models import SpaceAccount

    return Q(pk__in=SpaceAccount.objects.filter(user=user, revoked_at__isnull=True).values("child_id"))


def carer_record(user: User) -> Q | None:
    """A carer's route (registered as the part-reaching route "carer"): the young person's
    record while the carer's account is not revoked, they are the carer on an open placement
    and a consent in force names them for support at home (the rule: ``myspace.carers``)."""
    if user.role != Role.CARER:
        return None
    from myspace.carers import reached_child_ids

    return Q(pk__in=reached_child_ids(user))


#: How long after it was picked up an alert still opens for the duty worker who may need to
#: read what was done (the next shift).
ALERT_OPEN_HOURS = 24


def alert_responders(user: User) -> Q | None:
    """The service's duty workers (and the worker on call) reach a young person's record while
    an alert from their space is waiting, and a day after it was picked up: the part they need
    to respond – the alert – and nothing else (the page decides; a duty worker not on the care
    team still uses emergency access for the record itself)."""
    from django.db.models import Q as Query
    from django.utils import timezone

    from myspace.models import Alert

    if user.role != Role.DUTY_WORKER or not user.organisation_id:
        return None
    since = timezone.now() - datetime.timedelta(hours=ALERT_OPEN_HOURS)
    open_alerts = Alert.objects.filter(Query(picked_up_at__isnull=True) | Query(picked_up_at__gte=since))
    return Q(
        pk__in=open_alerts.filter(Query(child__service_id=user.organisation_id) | Query(on_call=user)).values(
            "child_id"
        )
    )
