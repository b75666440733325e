"""Who sees which report (issue 15, "Who sees what"): plain typed functions, no queries of
personal data (they read the user's organisation and the reference list of organisations only).

- A **commissioner** sees aggregates for the area their organisation covers, always suppressed,
  fixed periods only, one breakdown at a time. A Regional Partnership Board covers its region
  (the services in it: ``Filters.region_id``) and each local authority that is a member of it
  (young people it is responsible for: ``Filters.local_authority_id``). A **health board** covers
  its region exactly as that region's board does: in Wales each Regional Partnership Board's
  footprint is a health board's area (the seven regions follow the seven health boards, and each
  health board is stored with its region, ``accounts.reference``), so ``covered_region`` gives
  both the same region and ``area_of`` the same area. A local authority covers itself. A
  commissioner of any other organisation (a school, a youth justice service…) covers nothing:
  Nyth has no rule for what their area would be, so they are given no report rather than a
  guessed one (docs/reporting.md).
- A **service manager** sees their own service (``user.organisation``), unsuppressed, any period.
- A **practitioner** sees the figures of their own caseload (``Filters.caseload_of``).
- Everyone else: no report (the views answer 404, as for an area a commissioner does not cover:
  ADR 003 – what is outside someone's reach does not exist for them).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from accounts.models import Organisation, OrganisationType, Role

if TYPE_CHECKING:
    from accounts.models import User


class Audience(StrEnum):
    COMMISSIONER = "commissioner"
    MANAGER = "manager"
    PRACTITIONER = "practitioner"


@dataclass(frozen=True)
class Area:
    """What a commissioner may be shown: regions (by the services in them) and local
    authorities (by the young people they are responsible for)."""

    regions: tuple[Organisation, ...] = ()
    authorities: tuple[Organisation, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.regions and not self.authorities

    def region_ids(self) -> set[int]:
        return {o.pk for o in self.regions}

    def authority_ids(self) -> set[int]:
        return {o.pk for o in self.authorities}


def audience_of(user: User) -> Audience | None:
    """The report ``user`` may open, or None (no report for them at all)."""
    if not user.is_authenticated or not user.is_active or user.organisation_id is None:
        return None
    if user.role == Role.COMMISSIONER:
        return Audience.COMMISSIONER if not area_of(user).empty else None
    if user.role == Role.SERVICE_MANAGER and user.works_in_service:
        return Audience.MANAGER
    if user.role == Role.PRACTITIONER and user.works_in_service:
        return Audience.PRACTITIONER
    return None


def covered_region(org: Organisation) -> Organisation | None:
    """The region (a Regional Partnership Board) an organisation's commissioners cover whole: a
    board its own, a health board the one it is stored with; None for any other organisation, a
    health board without a region, or an inactive region."""
    if org.type == OrganisationType.REGIONAL_PARTNERSHIP_BOARD:
        return org
    if org.type == OrganisationType.HEALTH_BOARD and org.region_id is not None:
        region = org.region
        if region is not None and region.is_active and region.type == OrganisationType.REGIONAL_PARTNERSHIP_BOARD:
            return region
    return None


def area_of(user: User) -> Area:
    """The area a commissioner's organisation covers (empty for anyone else). The one rule for
    the report pages, the exports (``reporting.export_access``) and their audit."""
    org = user.organisation
    if user.role != Role.COMMISSIONER or org is None or not org.is_active:
        return Area()
    region = covered_region(org)
    if region is not None:
        members = Organisation.objects.filter(
            region=region, type=OrganisationType.LOCAL_AUTHORITY, is_active=True
        ).order_by("name_en")
        return Area(regions=(region,), authorities=tuple(members))
    if org.type == OrganisationType.LOCAL_AUTHORITY:
        return Area(authorities=(org,))
    return Area()


def may_see_region(area: Area, region_id: int) -> bool:
    return region_id in area.region_ids()


def may_see_authority(area: Area, authority_id: int) -> bool:
    return authority_id in area.authority_ids()


def suppressed_only(audience: Audience) -> bool:
    """Commissioners are only ever given suppressed figures (``reporting.report.SuppressedReport``)."""
    return audience is Audience.COMMISSIONER


def custom_ranges_allowed(audience: Audience) -> bool:
    """Custom ranges could be differenced down to single people: the service's own people only."""
    return audience is not Audience.COMMISSIONER
