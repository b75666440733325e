"""Who may see a child's record: the one access-scoping mechanism.

``Child.objects.visible_to(user)`` calls ``child_access_filter`` and every other personal
model delegates to it. A user reaches a record only through a legitimate relationship:

* membership of the child's care team in the service (active, not ended);
* being a service manager of the service that holds the record;
* an active break-glass access with its second grant (duty/on-call emergency access,
  time-limited, the whole record asked for with its own reason);
* a grant from a registered provider – the hook by which other contexts join this same
  mechanism, not a check in a view.

Consent-based sharing (``consent.access``) registers a *shared* provider: it makes a child
reachable only for the parts a consent or an approved safeguarding share covers (the assessment
sections, later the plan and scores), never the whole record. ``visible_to(user)`` is the whole
record; ``visible_to(user, include_shared=True)`` adds children with shared parts, and the
app that owns those parts (``assessments.access``) decides which parts.

Emergency access starts on its first tier, part-reaching too: ``visible_to(user,
include_emergency=True)`` – asked for only by the safety plan and contacts pages – adds children
with a running emergency access; the whole record needs the second grant (ADR 014).

Commissioners never reach an identifiable record, whatever else is true.

Who may *change* a record is decided here too, once: ``can_change(user, child, *, purpose=None)``
and ``require_change`` (404 outside the scope, 403 inside it), with the deliberate exceptions
named in ``Purpose``. Nothing outside this module calls ``access_routes`` or names a route (the
scoping lint fails on it): pages ask ``can_change``, ``record_access``, ``audit_route``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db.models import F, Field, Model, Q, QuerySet
from django.db.models.lookups import In
from django.http import Http404
from django.utils import timezone

from accounts.models import SERVICE_ROLES, SPACE_ROLES, Role

if TYPE_CHECKING:
    from accounts.models import User
    from people.models import Child

_M = TypeVar("_M", bound=Model)

#: A provider returns a Q over Child granting access, or None when it grants nothing.
AccessProvider = Callable[["User"], "Q | None"]

_providers: dict[str, AccessProvider] = {}
_shared_providers: dict[str, AccessProvider] = {}


def register_access_provider(name: str, provider: AccessProvider, *, whole_record: bool = True) -> None:
    """Add a route to records. Registered once, at app start-up (AppConfig.ready), so every
    view, export and API sees it. ``whole_record=False`` (consent-based sharing) reaches only
    the shared parts: see the module docstring."""
    (_providers if whole_record else _shared_providers)[name] = provider


class _InArray(In):
    """``pk IN (subquery)``, written ``pk = ANY(ARRAY(subquery))`` on PostgreSQL.

    The routes are OR-ed together. PostgreSQL cannot answer ``id IN (subquery) OR service_id = …``
    from indexes: it tests every child against a hashed subquery (a sequential scan of the whole
    register, ~50 ms with 100,000 young people, in every scoped query of every page). ``ARRAY(…)``
    is computed once (an InitPlan), so the OR becomes a BitmapOr of index scans on the primary
    key and the service, and the row estimate is right. Same rows, same meaning (the ids are
    never NULL); other databases keep ``IN``."""

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, tuple]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)


def _pk_in(subquery: QuerySet) -> Q:
    return Q(_InArray(F("pk"), subquery.query))


def _care_team(user: User) -> Q:
    from people.models import CareTeamMembership

    return _pk_in(CareTeamMembership.objects.filter(user=user, ended_at__isnull=True).values("child_id"))


def _service_manager(user: User) -> Q | None:
    if user.role == Role.SERVICE_MANAGER and user.organisation_id:
        return Q(service_id=user.organisation_id)
    return None


def _active_break_glass(user: User) -> Any:
    from people.models import BreakGlassAccess

    return BreakGlassAccess.objects.filter(user=user, ended_at__isnull=True, expires_at__gt=timezone.now())


def _break_glass(user: User) -> Q:
    """The second tier of emergency access: the whole record, granted with its own reason."""
    return _pk_in(_active_break_glass(user).filter(whole_record_at__isnull=False).values("child_id"))


def _break_glass_first_tier(user: User) -> Q:
    """The first tier: every running emergency access reaches the safety plan and contacts
    (and records the out-of-hours contact) – a part-reaching route, as consent is (ADR 004):
    only pages that ask for ``include_emergency`` see it (ADR 014)."""
    return _pk_in(_active_break_glass(user).values("child_id"))


#: The built-in routes' names. They are stored in audit details and shown to young people
#: ("who has seen my story"), so other modules use these constants, never the strings (the
#: scoping lint, ``core/tests/test_scoping_lint.py``, fails on a route named elsewhere).
CARE_TEAM = "care_team"
SERVICE_MANAGER = "service_manager"
BREAK_GLASS = "break_glass"

_BUILT_IN: dict[str, AccessProvider] = {
    CARE_TEAM: _care_team,
    SERVICE_MANAGER: _service_manager,
    BREAK_GLASS: _break_glass,
}

#: Part-reaching routes of emergency access, seen only with ``include_emergency`` (the safety
#: plan and contacts pages). Same name as the whole-record tier: the audit files both as
#: emergency access, and a worker with both tiers has one route, not two.
_EMERGENCY: dict[str, AccessProvider] = {BREAK_GLASS: _break_glass_first_tier}

#: Routes through which a record may be changed. Emergency access (break-glass) reads.
CHANGE_ROUTES = frozenset({CARE_TEAM, SERVICE_MANAGER})


def _grants(user: User, *, include_shared: bool = False, include_emergency: bool = False) -> dict[str, Q]:
    grants: dict[str, Q] = {}
    providers = {
        **_BUILT_IN,
        **_providers,
        **(_shared_providers if include_shared else {}),
        **(_EMERGENCY if include_emergency else {}),
    }
    for name, provider in providers.items():
        q = provider(user)
        if q is not None:
            grants[name] = q
    return grants


def child_access_filter(user: User, *, include_shared: bool = False, include_emergency: bool = False) -> Q:
    """A Q over Child matching exactly the records ``user`` may see (with ``include_shared``,
    also those with parts shared with the user; with ``include_emergency``, also those on the
    first tier of the user's emergency access)."""
    nothing = Q(pk__in=[])
    if user is None or not user.is_authenticated or not user.is_active:
        return nothing
    # Commissioners see aggregates only; administrators manage accounts, never children's records
    # (even if someone mistakenly adds them to a care team).
    if user.role in (Role.COMMISSIONER, Role.ADMINISTRATOR) or not user.role:
        return nothing
    combined = nothing
    for q in _grants(user, include_shared=include_shared, include_emergency=include_emergency).values():
        combined |= q
    return combined


def access_routes(
    user: User, child: Child, *, include_shared: bool = False, include_emergency: bool = False
) -> list[str]:
    """The names of the routes by which ``user`` sees ``child`` (for the audit trail)."""
    from people.models import Child

    scope = {"include_shared": include_shared, "include_emergency": include_emergency}
    if not Child.objects.visible_to(user, **scope).filter(pk=child.pk).exists():
        return []
    return [name for name, q in _grants(user, **scope).items() if Child.objects.filter(q, pk=child.pk).exists()]


def only_through_break_glass(user: User, child: Child) -> bool:
    """Whether emergency access (either tier) is ``user``'s only way to ``child``."""
    return access_routes(user, child, include_emergency=True) == [BREAK_GLASS]


def audit_route(user: User | None, child: Child | int | None) -> str:
    """How a read or change of ``child`` by ``user`` is filed in the audit trail: through
    emergency access when that is their only way in (so the manager's review lists it), else the
    web pages; a young person's or carer's own space as "self". ``child`` may be the record or its id; an event about no child (a referral not yet
    linked to a record) is a web-page one."""
    from audit.models import Route
    from people.models import Child

    if child is None or user is None:
        return Route.UI
    if user.role in SPACE_ROLES:
        return Route.SELF  # a young person or carer in their own space
    if not isinstance(child, Child):
        child = Child(pk=child)
    return Route.BREAK_GLASS if only_through_break_glass(user, child) else Route.UI


def emergency_access(user: User, child: Child) -> Any:
    """The active emergency access (``BreakGlassAccess``, either tier) through which ``user``
    reads ``child``'s record when that is their only route (the page says so, with when it ends)."""
    from people.models import BreakGlassAccess

    if not only_through_break_glass(user, child):
        return None
    return (
        BreakGlassAccess.objects.visible_to(user)
        .active()
        .filter(user=user, child=child)
        .order_by("-expires_at")
        .first()
    )


# --- Who may change a record: the one rule ---------------------------------------------------


class Purpose(StrEnum):
    """The deliberate exceptions to "only the care team and the service's managers change a
    record", each named so a reader finds every one here.

    Assessment sections are the other exception, and not a purpose: which sections a consent
    recipient may contribute to is decided per section by ``assessments.access.section_access``,
    which uses ``can_change`` for the whole-record part."""

    #: A duty/on-call worker on emergency access records the out-of-hours contact that brought
    #: them to the record (and may correct it), and nothing else.
    OUT_OF_HOURS_CONTACT = "out_of_hours_contact"


#: The routes each purpose adds to ``CHANGE_ROUTES``.
_PURPOSE_ROUTES: dict[Purpose, frozenset[str]] = {
    Purpose.OUT_OF_HOURS_CONTACT: frozenset({BREAK_GLASS}),
}
#: Purposes served on the pages the first tier of emergency access reaches (ADR 014).
_EMERGENCY_PURPOSES = frozenset({Purpose.OUT_OF_HOURS_CONTACT})


@dataclass(frozen=True)
class RecordAccess:
    """How one user reaches one child's whole record, computed once (``record_access``) for a
    page that asks several questions of it."""

    user: Any
    #: The whole-record routes' names, e.g. ``(CARE_TEAM,)``; empty outside the scope.
    routes: tuple[str, ...]

    @property
    def whole_record(self) -> bool:
        return bool(self.routes)

    @property
    def only_through_break_glass(self) -> bool:
        return self.routes == (BREAK_GLASS,)

    @property
    def audit_route(self) -> str:
        from audit.models import Route

        return Route.BREAK_GLASS if self.only_through_break_glass else Route.UI

    @property
    def route_name(self) -> str:
        """The route recorded in audit details ("who has seen my story" explains it)."""
        return self.routes[0] if self.routes else ""

    def can_change(self, *, purpose: Purpose | None = None) -> bool:
        """See ``can_change``."""
        user = self.user
        if user is None or not user.is_authenticated or not user.is_active or user.role not in SERVICE_ROLES:
            return False
        allowed = CHANGE_ROUTES | (_PURPOSE_ROUTES[purpose] if purpose is not None else frozenset())
        return bool(allowed & set(self.routes))


def record_access(user: User, child: Child, *, include_emergency: bool = False) -> RecordAccess:
    """The whole-record routes (with ``include_emergency``, also the first tier of emergency
    access: for the pages that tier reaches)."""
    return RecordAccess(user=user, routes=tuple(access_routes(user, child, include_emergency=include_emergency)))


def can_change(user: User, child: Child, *, purpose: Purpose | None = None) -> bool:
    """Whether ``user`` may change ``child``'s record: service staff (practitioner, manager,
    duty worker) on its care team or managing the service that holds it. ``purpose`` names a
    declared exception (``Purpose``) that adds its own routes. Partners, commissioners and
    administrators change nothing here, whatever else is true (partners contribute through
    consent to assessment sections only, which ``assessments.access`` decides)."""
    return record_access(user, child, include_emergency=purpose in _EMERGENCY_PURPOSES).can_change(purpose=purpose)


def require_change(request_or_user: Any, child: Child, *, purpose: Purpose | None = None) -> None:
    """Refuse a change ``can_change`` does not allow: 404 when ``child`` is outside the user's
    whole-record scope (the record does not exist for them), 403 when they may see it but not
    change it (ADR 003)."""
    from people.models import Child

    user = getattr(request_or_user, "user", request_or_user)
    if can_change(user, child, purpose=purpose):
        return
    scope = Child.objects.visible_to(user, include_emergency=purpose in _EMERGENCY_PURPOSES)
    if not scope.filter(pk=child.pk).exists():
        raise Http404
    raise PermissionDenied


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


def unscoped_rows(model: type[_M]) -> QuerySet[_M]:
    """Every row of ``model``, outside any reader's scope: for the system's own bookkeeping
    that is not a person reading – moving a merged record's rows, checking a new reference is
    unique across all rows. The only way to a model's manager by a variable (``_default_manager``
    and ``_base_manager`` are not used outside this module: the scoping lint fails on them),
    so every use can be found and reviewed; views never call it (the lint fails on that too)."""
    return model._base_manager.all()


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
        raise RefusedAccess(
            actor=actor, object_type=model._meta.label_lower, object_id=str(requested)[:64], child_id=None, found=False
        )
    child_id = row["pk"] if child_ref == "pk" else row.get(child_ref) if child_ref else None
    raise RefusedAccess(
        actor=actor, object_type=model._meta.label_lower, object_id=str(row["pk"]), child_id=child_id, found=True
    )


def record_refused(
    *,
    actor: Any,
    object_type: str,
    object_id: str,
    child_id: int | None,
    found: bool,
    path: str,
    method: str,
    client_address: str,
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
