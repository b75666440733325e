"""Who may see a child's record: the one access-scoping mechanism.

``Child.objects.visible_to(user)`` calls ``child_access_filter`` and every other personal
model delegates to it. A user reaches a record only through a legitimate relationship:

* membership of the child's care team in the service (active, not ended);
* being a service manager of the service that holds the record;
* an active break-glass access (duty/on-call emergency access, time-limited);
* a grant from a registered provider – the hook by which other contexts join this same
  mechanism, not a check in a view.

Consent-based sharing (``consent.access``) registers a *shared* provider: it makes a child
reachable only for the parts a consent or an approved safeguarding share covers (the assessment
sections, later the plan and scores), never the whole record. ``visible_to(user)`` is the whole
record; ``visible_to(user, include_shared=True)`` adds children with shared parts, and the
app that owns those parts (``assessments.access``) decides which parts.

Commissioners never reach an identifiable record, whatever else is true.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils import timezone

from accounts.models import Role

if TYPE_CHECKING:
    from accounts.models import User
    from people.models import Child

#: A provider returns a Q over Child granting access, or None when it grants nothing.
AccessProvider = Callable[["User"], "Q | None"]

_providers: dict[str, AccessProvider] = {}
_shared_providers: dict[str, AccessProvider] = {}


def register_access_provider(name: str, provider: AccessProvider, *, whole_record: bool = True) -> None:
    """Add a route to records. Registered once, at app start-up (AppConfig.ready), so every
    view, export and API sees it. ``whole_record=False`` (consent-based sharing) reaches only
    the shared parts: see the module docstring."""
    (_providers if whole_record else _shared_providers)[name] = provider


def _care_team(user: User) -> Q:
    from people.models import CareTeamMembership

    return Q(pk__in=CareTeamMembership.objects.filter(user=user, ended_at__isnull=True).values("child_id"))


def _service_manager(user: User) -> Q | None:
    if user.role == Role.SERVICE_MANAGER and user.organisation_id:
        return Q(service_id=user.organisation_id)
    return None


def _break_glass(user: User) -> Q:
    from people.models import BreakGlassAccess

    active = BreakGlassAccess.objects.filter(user=user, ended_at__isnull=True, expires_at__gt=timezone.now())
    return Q(pk__in=active.values("child_id"))


_BUILT_IN: dict[str, AccessProvider] = {
    "care_team": _care_team,
    "service_manager": _service_manager,
    "break_glass": _break_glass,
}


def _grants(user: User, *, include_shared: bool = False) -> dict[str, Q]:
    grants: dict[str, Q] = {}
    providers = {**_BUILT_IN, **_providers, **(_shared_providers if include_shared else {})}
    for name, provider in providers.items():
        q = provider(user)
        if q is not None:
            grants[name] = q
    return grants


def child_access_filter(user: User, *, include_shared: bool = False) -> Q:
    """A Q over Child matching exactly the records ``user`` may see (with ``include_shared``,
    also those with parts shared with the user)."""
    nothing = Q(pk__in=[])
    if user is None or not user.is_authenticated or not user.is_active:
        return nothing
    # Commissioners see aggregates only; administrators manage accounts, never children's records
    # (even if someone mistakenly adds them to a care team).
    if user.role in (Role.COMMISSIONER, Role.ADMINISTRATOR) or not user.role:
        return nothing
    combined = nothing
    for q in _grants(user, include_shared=include_shared).values():
        combined |= q
    return combined


def access_routes(user: User, child: Child, *, include_shared: bool = False) -> list[str]:
    """The names of the routes by which ``user`` sees ``child`` (for the audit trail)."""
    from people.models import Child

    if not Child.objects.visible_to(user, include_shared=include_shared).filter(pk=child.pk).exists():
        return []
    return [
        name
        for name, q in _grants(user, include_shared=include_shared).items()
        if Child.objects.filter(q, pk=child.pk).exists()
    ]


def only_through_break_glass(user: User, child: Child) -> bool:
    return access_routes(user, child) == ["break_glass"]


def audit_route(user: User, child: Child) -> str:
    """How a read of ``child`` by ``user`` is filed in the audit trail: through emergency access
    when that is their only way in (so the manager's review lists it), else the web pages."""
    from audit.models import Route

    return Route.BREAK_GLASS if access_routes(user, child) == ["break_glass"] else Route.UI


def record_page_opened(request: Any, child: Child, obj: Any = None, page: str = "") -> None:
    """Record that a page showing ``child`` was opened (a GET; a POST records its own change).
    Form pages count: they show what is stored and the people around the young person."""
    if request.method != "GET":
        return
    from audit.models import Action
    from audit.services import record

    record(
        actor=request.user,
        action=Action.VIEW,
        obj=obj if obj is not None else child,
        child_id=child.pk,
        route=audit_route(request.user, child),
        detail={"page": page} if page else {},
    )
