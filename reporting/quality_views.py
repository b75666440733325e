"""The manager's data-quality page and its lists (rules in ``reporting.quality``).

Thin views: who may open them, the page of rows, the audit event. The counts and rows come
through the one scope (``visible_to``) in ``reporting.quality``; each list page view records
one LIST event naming the children it shows (``audit.services.record_list``)."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from audit.models import Action, Route
from audit.services import record, record_list
from core.http import AuthenticatedHttpRequest
from reporting import quality

#: Rows per page of a list (a fixed number of queries per page, whatever the total).
PAGE_SIZE = 50


def _require_manager(request: AuthenticatedHttpRequest) -> None:
    # 404, not 403: the page does not exist for anyone but a service manager, as the reporting
    # pages do not for a role they are not meant for (ADR 003).
    if not quality.may_see_quality(request.user):
        raise Http404


def summary(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Each check's count for the manager's service, with its definition and a link to its list."""
    _require_manager(request)
    counts = quality.summary(request.user, timezone.now())
    # Counts only, no record named; still recorded, as every report view is.
    record(
        actor=request.user,
        action=Action.VIEW,
        route=Route.UI,
        detail={"page": "data_quality", "counts": {row.check.slug: row.count for row in counts}},
    )
    return render(
        request,
        "reporting/quality.html",
        {"counts": counts, "undecided_days": quality.undecided_working_days()},
    )


def check_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The rows of one check, paginated, each linked to its record."""
    _require_manager(request)
    check = quality.CHECKS_BY_SLUG.get(slug)
    if check is None:
        raise Http404
    rows = quality.list_rows(check, request.user, timezone.now())
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    extra: dict[str, Any] = {}
    if check.kind == quality.RowKind.REFERRALS:
        # Referrals not yet linked to a record name a child too: kept by reference id.
        extra["referrals"] = sorted(row.pk for row in shown)
    record_list(
        actor=request.user,
        page=f"data_quality:{slug}",
        children=quality.children_of(check, shown),
        route=Route.UI,
        **extra,
    )
    return render(
        request,
        "reporting/quality_list.html",
        {"check": check, "page": page, "rows": shown, "undecided_days": quality.undecided_working_days()},
    )
