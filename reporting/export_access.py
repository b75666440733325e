"""Who may export which area (issue 15): the same rule as the report pages
(``reporting.access``), listed as the areas an export form offers.

* A **commissioner**: each area their organisation covers – ``access.area_of``, the one rule the
  report pages use too, never a second one here: a Regional Partnership Board's region and its
  member local authorities, the same for a health board (its region's footprint); a local
  authority itself.
* A **service manager**: their own service (exports are suppressed for everyone).
* Anyone else: nothing (the export pages do not exist for them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from reporting.access import Audience, area_of, audience_of
from reporting.filters import Filters

if TYPE_CHECKING:
    from accounts.models import User


@dataclass(frozen=True)
class Area:
    key: str  # "region:3", "local_authority:7", "service:12"
    label: str
    filters: Filters


def export_areas(user: User) -> list[Area]:
    """The areas ``user`` may export, in the active language (empty: no exports at all)."""
    audience = audience_of(user)
    if audience is Audience.MANAGER and user.organisation is not None:
        org = user.organisation
        return [Area(f"service:{org.pk}", org.name, Filters(service_id=org.pk))]
    if audience is not Audience.COMMISSIONER:
        return []
    area = area_of(user)
    return [Area(f"region:{o.pk}", o.name, Filters(region_id=o.pk)) for o in area.regions] + [
        Area(f"local_authority:{o.pk}", o.name, Filters(local_authority_id=o.pk)) for o in area.authorities
    ]


def area_for(user: User, key: str) -> Area | None:
    """The area ``key`` if ``user`` may export it, else None."""
    return next((a for a in export_areas(user) if a.key == key), None)
