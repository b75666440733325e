"""Pages every user meets: health checks and error pages (the home page is the dashboard app's)."""

from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import DisallowedHost
from django.db import DatabaseError, InterfaceError, OperationalError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from core.health import database_answers, readiness

logger = logging.getLogger(__name__)


@login_not_required
@never_cache
@transaction.non_atomic_requests  # must answer even when a transaction cannot be opened
def healthz(request: HttpRequest) -> JsonResponse:
    """For the load balancer: is the database answering?"""
    if not database_answers():
        # Django drops the broken connection at the end of the request (conn_health_checks),
        # so the next check reconnects by itself.
        return JsonResponse({"status": "unavailable", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@login_not_required
@never_cache
@transaction.non_atomic_requests  # must answer even when a transaction cannot be opened
def readyz(request: HttpRequest) -> JsonResponse:
    """For the deployment and monitoring: can this process serve pages? 503 names the fatal
    check that failed; a degraded dependency (Redis) still answers 200. See core/health.py."""
    result = readiness()
    return JsonResponse(result.as_dict(), status=503 if result.fatal else 200)


def _error_page(request: HttpRequest, template: str, status: int, **context: object) -> HttpResponse:
    # Error pages must render even when the database is down: no context processors that
    # query it, only the language from the URL.
    language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
    with translation.override(language):
        body = loader.get_template(template).render(
            {"LANGUAGE_CODE": language, "request_path": request.path, **context}
        )
    return HttpResponse(body, status=status)


def _page_with_navigation(request: HttpRequest, template: str, status: int) -> HttpResponse:
    """403 and 404 are ordinary moments in a working service (a link to a record one cannot
    open, ADR 003): the page keeps the signed-in navigation and language links, so the person
    can carry on. That needs the session (the database); if anything fails while building the
    full page, the plain error page answers instead – an error page must never fail. 500 and
    503 always use the plain page (``_error_page``): the database may be the cause."""
    language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
    try:
        with translation.override(language):
            body = loader.render_to_string(
                template, {"base_template": "base.html", "request_path": request.path}, request=request
            )
    except (DatabaseError, InterfaceError):
        return _error_page(request, template, status)
    except Exception:  # noqa: BLE001 - any failure falls back to the page that needs nothing
        logger.exception("the %s page with navigation failed; served the plain one", status)
        return _error_page(request, template, status)
    return HttpResponse(body, status=status)


def service_unavailable(request: HttpRequest, *, after_view: bool = False) -> HttpResponse:
    """The 503 page. ``after_view``: the page's own work had finished (and was committed) when
    the database went away, so the page must not promise that nothing was saved."""
    response = _error_page(request, "errors/503.html", 503, after_view=after_view)
    response["Retry-After"] = "30"
    return response


def session_ended(request: HttpRequest) -> HttpResponse:
    """400: the session was ended (signed out elsewhere) while this request was running."""
    return _error_page(request, "errors/session_ended.html", 400)


@login_not_required
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """400: a request Django refused as malformed or suspicious (never shows why: the reason is
    in the security log, and it may be an attack)."""
    return _error_page(request, "errors/400.html", 400)


@login_not_required
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """403 for a form whose security token failed (``CSRF_FAILURE_VIEW``): usually a page left
    open past its session, or cookies blocked. Django has already logged ``reason`` to
    ``django.security.csrf``; the person needs to know nothing was saved and what to do."""
    return _error_page(request, "errors/csrf_failure.html", 403, back_url=_same_site_referer(request))


def _same_site_referer(request: HttpRequest) -> str:
    """The page the form was on, if it was one of ours (never an open redirect to elsewhere)."""
    referer = request.headers.get("referer", "")
    try:
        host = request.get_host()
    except DisallowedHost:
        return ""
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={host}, require_https=request.is_secure()):
        return referer
    return ""


@login_not_required
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page_with_navigation(request, "errors/403.html", 403)


@login_not_required
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page_with_navigation(request, "errors/404.html", 404)


@login_not_required
def server_error(request: HttpRequest) -> HttpResponse:
    """500, or 503 when the cause is the database being unreachable (the service recovers by
    itself: Django re-checks the connection on the next request)."""
    exc = sys.exc_info()[1]
    if isinstance(exc, (OperationalError, InterfaceError)):
        return service_unavailable(request)
    return _error_page(request, "errors/500.html", 500)
