from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from accounts.models import Role
from audit import queries
from audit.labels import name_organisations
from audit.models import Action
from audit.services import record
from core.http import AuthenticatedHttpRequest
from people.access import audit_route
from people.views import get_visible_child


def child_audit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Every access to and change of one child's record, for the service manager."""
    child = get_visible_child(request, pk)
    if request.user.role != Role.SERVICE_MANAGER:
        raise PermissionDenied
    page = Paginator(queries.child_trail(request.user, child), 50).get_page(request.GET.get("page"))
    name_organisations(page.object_list)
    record(
        actor=request.user,
        action=Action.VIEW,
        obj=child,
        child_id=child.pk,
        detail={"page": "audit"},
        route=audit_route(request.user, child),
    )
    return render(request, "audit/child_audit.html", {"child": child, "page": page})
