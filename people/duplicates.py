"""Possible duplicates of a record, as a service manager sees them: the identity matcher's
candidates, kept to the records that manager may see (the one scope)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from people.identity import Candidate, find_candidates
from people.models import Child

if TYPE_CHECKING:
    from accounts.models import User


def duplicates_for(user: User, child: Child, limit: int = 10) -> list[Candidate]:
    found = find_candidates(
        given_name=child.given_name,
        family_name=child.family_name,
        date_of_birth=child.date_of_birth,
        nhs_number=child.nhs_number,
        local_authority_id=child.responsible_local_authority_id,
        postcode=getattr(child, "postcode", ""),
        former_names=child.former_names,
        exclude_id=child.pk,
        limit=limit * 2,
    )
    visible = set(
        Child.objects.visible_to(user).filter(pk__in=[c.child.pk for c in found]).values_list("pk", flat=True)
    )
    return [candidate for candidate in found if candidate.child.pk in visible][:limit]
