"""The young person's route to their own record (registered as the part-reaching route "self")."""

from __future__ import annotations

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
