"""Who may read and change a service's self-assessment (no personal data: a round is about a
service, so this is not ``people.access``'s scope, but it follows the same shape – one function
that narrows, used by every page, and a 404 for what is outside it).

* A **service manager** assesses their own service: reads and changes its rounds.
* **Practitioners and duty workers** of the service read its rounds (the evidence is their
  practice; reading it is part of improving it) and change nothing.
* A **commissioner** reads – never changes – the rounds of the services in the region their
  organisation covers: a Regional Partnership Board covers the services in its region; a
  commissioner elsewhere (a local authority, say) the services of that organisation's region.
* Everyone else – partners, administrators, other services' staff – sees nothing.
"""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import SERVICE_ROLES, Organisation, OrganisationType, Role, User
from selfassess.models import Round


def services_visible_to(user: User) -> QuerySet[Organisation]:
    services = Organisation.objects.filter(type=OrganisationType.SERVICE)
    if not user.is_authenticated or not user.is_active or not user.organisation_id:
        return services.none()
    if user.role in SERVICE_ROLES:
        return services.filter(pk=user.organisation_id)
    if user.role == Role.COMMISSIONER:
        organisation = user.organisation
        assert organisation is not None  # organisation_id checked above
        if organisation.type == OrganisationType.REGIONAL_PARTNERSHIP_BOARD:
            return services.filter(region_id=organisation.pk)
        if organisation.region_id:
            return services.filter(region_id=organisation.region_id)
    return services.none()


def rounds_visible_to(user: User) -> QuerySet[Round]:
    return Round.objects.filter(service__in=services_visible_to(user))


def can_manage(user: User, service: Organisation) -> bool:
    """Change the service's rounds: its own service managers only."""
    return (
        user.is_authenticated
        and user.is_active
        and user.role == Role.SERVICE_MANAGER
        and user.organisation_id == service.pk
        and service.type == OrganisationType.SERVICE
    )


def owners_for(service: Organisation) -> QuerySet[User]:
    """Who may own an action: an active staff member of the service."""
    return User.objects.filter(organisation=service, role__in=SERVICE_ROLES, is_active=True).order_by(
        "last_name", "first_name"
    )
