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
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, ValidationError
from django.db.models import Field, Model, Q, QuerySet
from django.http import Http404
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


# --- Fetching one record through the scope, and recording a refusal -------------------------------


_M = TypeVar("_M", bound=Model)


class RefusedAccess(Http404):
    """The 404 of ``get_visible_or_404``: what was asked for and whether it exists, for
    ``people.middleware.RefusedAttemptMiddleware`` to record after the response is sent. The
    user sees the same 404 page either way (ADR 003)."""

    def __init__(self, *, actor: Any, object_type: str, object_id: str, child_id: int | None, found: bool) -> None:
        super().__init__()
        self.actor = actor
        self.object_type = object_type
        self.object_id = object_id
        self.child_id = child_id
        self.found = found


def _child_reference(model: type[Model], child_path: str | None) -> str | None:
    from people.models import Child

    if child_path:
        return child_path  # values("plan__child") gives the child's id
    if issubclass(model, Child):
        return "pk"
    try:
        field = model._meta.get_field("child")
    except FieldDoesNotExist:
        return None
    return field.attname if isinstance(field, Field) and field.is_relation else None


def get_visible_or_404(
    request_or_user: Any, queryset: QuerySet[_M], child_path: str | None = None, **lookup: Any
) -> _M:
    """``queryset.get(**lookup)`` where ``queryset`` is already scoped (``visible_to``);
    otherwise a 404 – and when the object exists outside the reader's scope, a refused attempt
    for the audit trail (``Action.REFUSED``, the managers' emergency-access review).

    The refusal is not written here: the request's transaction is rolled back on 404
    (ATOMIC_REQUESTS), and the client must have its 404 before any extra write. It is raised as
    ``RefusedAccess`` and recorded by ``people.middleware`` after the body is sent. Both 404s
    (exists outside the scope, no such record) run the same two queries – the scoped miss, then
    one unscoped look-up by the same keys – and both are recorded afterwards, so neither the
    response time nor the work before it tells the reader whether the record exists (ADR 013).

    ``child_path`` names the relation to the child when the model has no ``child`` field
    (e.g. ``"plan__child"`` for a goal)."""
    actor = getattr(request_or_user, "user", request_or_user)
    try:
        return queryset.get(**lookup)
    except ObjectDoesNotExist:
        pass
    except (ValueError, TypeError, ValidationError):
        # A malformed id ("abc" for a number): nothing to look up, nothing to record.
        raise Http404 from None
    model = queryset.model
    child_ref = _child_reference(model, child_path)
    fields = ["pk", *([child_ref] if child_ref and child_ref != "pk" else [])]
    row = model._base_manager.filter(**lookup).values(*fields).order_by().first()
    requested = lookup.get("pk", lookup.get("id", next(iter(lookup.values()), "")))
    if row is None:
        raise RefusedAccess(actor=actor, object_type=model._meta.label_lower, object_id=str(requested)[:64], child_id=None, found=False)
    child_id = row["pk"] if child_ref == "pk" else row.get(child_ref) if child_ref else None
    raise RefusedAccess(actor=actor, object_type=model._meta.label_lower, object_id=str(row["pk"]), child_id=child_id, found=True)


def record_refused(
    *, actor: Any, object_type: str, object_id: str, child_id: int | None, found: bool, path: str, method: str, client_address: str
) -> None:
    """Write one refused attempt to the audit trail, in its own transaction (called after the
    request's transaction has ended). A request for a record that does not exist is recorded
    too, marked ``found: false``: probing for ids is itself worth a manager's look."""
    from django.apps import apps
    from django.db import transaction

    from audit.models import Action, Route
    from audit.services import record

    # The event names the object asked for (its type and id) when it exists; an unsaved
    # instance carries both to ``record`` without reading the row again.
    obj = apps.get_model(object_type)(pk=object_id) if found else None
    with transaction.atomic():
        record(
            actor=actor,
            action=Action.REFUSED,
            obj=obj,
            child_id=child_id,
            route=Route.API if "/api/" in path else Route.UI,
            detail={
                "object_type": object_type,
                "object_id": object_id,
                "found": found,
                "path": path[:300],
                "method": method,
                "client_address": client_address,
            },
        )
