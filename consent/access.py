"""Consent as a route to the parts of a record it covers.

Registered with ``people.access`` at start-up as a *shared* provider (``ConsentConfig.ready``):
a recipient reaches a child only for what an in-force consent (for a working purpose) or an
approved, unexpired safeguarding share covers. Withdrawal or expiry therefore takes effect at
once, for every route – page, share, export, later the API – because nothing else grants it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from accounts.models import Role

if TYPE_CHECKING:
    from accounts.models import Organisation, User
    from consent.models import ConsentDecision, SafeguardingShare
    from people.models import Child

#: Roles that can never be a recipient of a share (no identifiable data, whatever a consent says).
_NEVER = frozenset({Role.COMMISSIONER, Role.ADMINISTRATOR, ""})


def consents_for(user: User, child: Child, *, purposes: frozenset[str] | None = None) -> list[ConsentDecision]:
    """In-force consents for ``child`` whose recipient is the user (organisation, its type, or
    their profession), optionally only those allowing one of ``purposes``."""
    from consent.models import WORKING_PURPOSES, ConsentDecision

    if not user.is_authenticated or user.role in _NEVER:
        return []
    wanted = WORKING_PURPOSES if purposes is None else purposes
    found = ConsentDecision.objects.in_force().for_recipient(user).filter(child=child)
    return [c for c in found if set(c.purposes) & set(wanted)]


def safeguarding_for(user: User, child: Child) -> list[SafeguardingShare]:
    from consent.models import SafeguardingShare

    if not user.is_authenticated or user.role in _NEVER or not user.organisation_id:
        return []
    return list(
        SafeguardingShare.objects.in_force().filter(child=child, recipient_organisation_id=user.organisation_id)
    )


def consent_covering(
    child: Child, organisation: Organisation, purpose: str, sections: list[str]
) -> ConsentDecision | None:
    """An in-force consent for sharing ``sections`` of ``child``'s assessment with
    ``organisation`` for ``purpose`` (for shares and exports: the recipient is an organisation).
    Returns the consent covering the most of them, or None when none covers any."""
    from consent.models import ConsentDecision

    best, best_count = None, 0
    for consent in ConsentDecision.objects.in_force().covering_organisation(organisation).filter(child=child):
        if purpose not in consent.purposes:
            continue
        count = sum(1 for key in sections if consent.covers_section(key))
        if count > best_count:
            best, best_count = consent, count
    return best


def _shared_child_ids(user: User, item: str | None = None) -> set[int] | None:
    """Ids of children with something (or, given ``item``, that item) shared with the user by an
    in-force consent for a working purpose or an approved, unexpired safeguarding share; None
    for users who can never receive a share."""
    from consent.models import WORKING_PURPOSES, ConsentDecision, SafeguardingShare

    if not user.is_authenticated or user.role in _NEVER or not user.organisation_id:
        return None
    consents = ConsentDecision.objects.in_force().for_recipient(user).values_list("child_id", "purposes", "items")
    # Purposes and items are JSON lists; JSON containment is not portable to SQLite, so the (few)
    # in-force consents are filtered here.
    ids = {
        child_id
        for child_id, purposes, items in consents
        if set(purposes) & WORKING_PURPOSES and (item is None or item in items)
    }
    safeguarding = SafeguardingShare.objects.in_force().filter(recipient_organisation_id=user.organisation_id)
    ids |= {
        child_id for child_id, items in safeguarding.values_list("child_id", "items") if item is None or item in items
    }
    return ids


def shared_children(user: User) -> Q | None:
    """Children with some part shared with the user (the provider registered with people.access)."""
    ids = _shared_child_ids(user)
    return None if ids is None else Q(pk__in=sorted(ids))


def item_shared_children(user: User, item: str) -> Q:
    """Q over Child: children whose ``item`` (``consent.models.Item``, e.g. the plan) is shared
    with the user. Used by the app owning that item (plans), always alongside the whole
    record's scope, never instead of it."""
    ids = _shared_child_ids(user, item)
    return Q(pk__in=sorted(ids)) if ids else Q(pk__in=[])


def withdrawn_while_working(user: User, child_id: int, section: str) -> ConsentDecision | None:
    """The withdrawn consent that let ``user`` contribute to ``section`` of the child's
    assessment, when none in force does now: a partner whose access ended mid-edit is told why
    (and keeps their unsaved text) instead of a bare 404. Grants nothing."""
    from consent.models import ConsentDecision, Purpose

    if not user.is_authenticated or user.role in _NEVER:
        return None
    working = ConsentDecision.objects.for_recipient(user).filter(child_id=child_id)
    if any(Purpose.JOINT_ASSESSMENT in c.purposes and c.covers_section(section) for c in working.in_force()):
        return None
    withdrawn = working.filter(withdrawn_at__isnull=False).order_by("-withdrawn_at")
    return next((c for c in withdrawn if Purpose.JOINT_ASSESSMENT in c.purposes and c.covers_section(section)), None)
