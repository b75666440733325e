"""Who may read and write which section of a child's assessment: the only place this is decided.

Built on the one scope (``people.access``) and consent (``consent.access``):

* the whole-record routes (care team, service manager of the holding service, break-glass) read
  every section; those who may change the record (``people.access.can_change``) write;
  break-glass is read-only;
* an in-force consent for a working purpose (joint assessment, transition) whose recipient is
  the user's organisation, its type or their profession reads the sections it covers; with the
  joint-assessment purpose the user may also contribute to those sections;
* an approved, unexpired safeguarding share to the user's organisation reads what it covers;
* a **restricted** section is read only by the people named on the restriction (and only if they
  have a route to the child at all) – never through consent or a share, never in an export.

Views, shares, exports (and later the API) all call ``section_access``; none decides by itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Q

from accounts.models import Role
from assessments.sections import SECTION_KEYS

if TYPE_CHECKING:
    from accounts.models import User
    from people.access import RecordAccess
    from people.models import Child


@dataclass
class SectionAccess:
    #: section key → the route by which the user reads it ("care_team", "consent", …).
    readable: dict[str, str] = field(default_factory=dict)
    writable: set[str] = field(default_factory=set)
    #: Sections the user may not read because they are restricted (shown as "withheld").
    restricted: set[str] = field(default_factory=set)
    #: Whole-record routes the user has (empty for a consent-only recipient).
    record_routes: list[str] = field(default_factory=list)
    #: How the user reaches the whole record (``people.access``): whether they may change it,
    #: how their reads are filed.
    record: RecordAccess | None = None

    @property
    def any(self) -> bool:
        return bool(self.readable) or bool(self.restricted)

    @property
    def whole_record(self) -> bool:
        return bool(self.record_routes)

    @property
    def via_break_glass(self) -> bool:
        return self.record is not None and self.record.only_through_break_glass

    @property
    def can_change_record(self) -> bool:
        """May change the whole record (share it, for one): ``people.access.can_change``."""
        return self.record is not None and self.record.can_change()

    def can_read(self, key: str) -> bool:
        return key in self.readable

    def can_write(self, key: str) -> bool:
        return key in self.writable


def restricted_sections(child: Child) -> dict[str, set[int]]:
    """Active restrictions on the child's assessment: section key → ids of the people named."""
    from assessments.models import SectionRestriction

    found: dict[str, set[int]] = {}
    rows = SectionRestriction.objects.filter(assessment__child=child, lifted_at__isnull=True).prefetch_related(
        "allowed_users"
    )
    for restriction in rows:
        found[restriction.section] = {user.pk for user in restriction.allowed_users.all()}
    return found


def section_access(user: User, child: Child) -> SectionAccess:
    """Everything ``user`` may do with ``child``'s assessment, and by which route."""
    from consent.access import consents_for, safeguarding_for
    from consent.models import Purpose
    from people.access import record_access

    access = SectionAccess()
    if user is None or not user.is_authenticated or not user.is_active:
        return access
    if user.role in (Role.COMMISSIONER, Role.ADMINISTRATOR) or not user.role:
        return access

    # The whole-record part is people.access's: every section is read through a whole-record
    # route, and written by those who may change the record.
    record = record_access(user, child)
    access.record = record
    access.record_routes = list(record.routes)
    routes = access.record_routes
    readable: dict[str, str] = {}
    writable: set[str] = set()
    if record.whole_record:
        for key in SECTION_KEYS:
            readable[key] = record.route_name
        if record.can_change():
            writable.update(SECTION_KEYS)
    for consent in consents_for(user, child):
        for key in SECTION_KEYS:
            if consent.covers_section(key):
                readable.setdefault(key, "consent")
                if Purpose.JOINT_ASSESSMENT in consent.purposes:
                    writable.add(key)
    for share in safeguarding_for(user, child):
        for key in SECTION_KEYS:
            if share.covers_section(key):
                readable.setdefault(key, "safeguarding")

    for key, named in restricted_sections(child).items():
        if user.pk in named and key in readable:
            # Named people keep the access their route gives them; nobody else has any.
            continue
        if key in readable or routes:
            access.restricted.add(key)
        readable.pop(key, None)
        writable.discard(key)
    access.readable = readable
    access.writable = writable & set(readable)
    return access


def share_filter(user: User) -> Q:
    """Q over AssessmentShare: the sharer's side (the child's whole record is visible) or the
    recipient organisation's side while the consent or safeguarding share behind it is in force."""
    from django.utils import timezone

    from people.models import Child

    nothing = Q(pk__in=[])
    if user is None or not user.is_authenticated or not user.is_active:
        return nothing
    if user.role in (Role.COMMISSIONER, Role.ADMINISTRATOR) or not user.role:
        return nothing
    sharer_side = Q(child__in=Child.objects.visible_to(user))
    if not user.organisation_id:
        return sharer_side
    today = timezone.localdate()
    recipient_side = Q(recipient_organisation_id=user.organisation_id) & (
        Q(consent__withdrawn_at__isnull=True, consent__given_on__lte=today)
        | Q(safeguarding__status="approved", safeguarding__expires_on__gte=today)
    )
    return sharer_side | recipient_side
