"""Who may export which area (issue 15). Helper pages have their own rule in
``reporting/access.py``; the lead will unify the two.

* A **commissioner** of a Regional Partnership Board: that region as a whole, each of its local
  authorities, each service in it. Of a local authority: that authority.
* A **service manager**: their own service.
* Anyone else: nothing (the export pages do not exist for them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reporting.filters import Filters


@dataclass(frozen=True)
class Area:
    key: str  # "region:3", "local_authority:7", "service:12"
    label: str
    filters: Filters


def export_areas(user: Any) -> list[Area]:
    """The areas ``user`` may export, in the active language (empty: no exports at all)."""
    from accounts.models import Organisation, OrganisationType, Role

    organisation = getattr(user, "organisation", None)
    if not getattr(user, "is_authenticated", False) or organisation is None:
        return []
    if user.role == Role.SERVICE_MANAGER and organisation.type == OrganisationType.SERVICE:
        return [Area(f"service:{organisation.pk}", organisation.name, Filters(service_id=organisation.pk))]
    if user.role != Role.COMMISSIONER:
        return []
    if organisation.type == OrganisationType.LOCAL_AUTHORITY:
        return [
            Area(f"local_authority:{organisation.pk}", organisation.name, Filters(local_authority_id=organisation.pk))
        ]
    if organisation.type != OrganisationType.REGIONAL_PARTNERSHIP_BOARD:
        return []
    areas = [Area(f"region:{organisation.pk}", organisation.name, Filters(region_id=organisation.pk))]
    members = Organisation.objects.filter(region=organisation, is_active=True)
    for member in sorted(members, key=lambda o: (o.type, o.name)):
        if member.type == OrganisationType.LOCAL_AUTHORITY:
            areas.append(Area(f"local_authority:{member.pk}", member.name, Filters(local_authority_id=member.pk)))
        elif member.type == OrganisationType.SERVICE:
            areas.append(Area(f"service:{member.pk}", member.name, Filters(service_id=member.pk)))
    return areas


def area_for(user: Any, key: str) -> Area | None:
    """The area ``key`` if ``user`` may export it, else None."""
    return next((a for a in export_areas(user) if a.key == key), None)
