"""Refused attempts, recorded after the response (issue 11 §3, ADR 013).

``people.access.get_visible_or_404`` raises ``RefusedAccess`` (a 404) for an object outside the
reader's scope. By the time Django calls ``process_exception`` the request's transaction
(ATOMIC_REQUESTS) has been rolled back, so an event written in the view would be lost; and the
reader must not be kept waiting by the write either, or the response time would tell a record
that exists from one that does not. So the refusal is kept on the request and written by a
closer on the response: the WSGI server calls ``close()`` after the last byte of the body is
sent, and the closer runs before ``request_finished`` returns the database connection, in a
transaction of its own on the same connection (SQLite's IMMEDIATE transactions forbid a second
writer while a request's transaction is open; here it is already over)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from core.net import client_address
from people.access import RefusedAccess, record_refused

logger = logging.getLogger("nyth.refused")

_ATTRIBUTE = "_nyth_refused"


class RefusedAttemptMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        refused: RefusedAccess | None = getattr(request, _ATTRIBUTE, None)
        if refused is not None:
            details = {
                "actor": refused.actor if getattr(refused.actor, "is_authenticated", False) else None,
                "object_type": refused.object_type,
                "object_id": refused.object_id,
                "child_id": refused.child_id,
                "found": refused.found,
                "path": request.path,
                "method": request.method or "",
                "client_address": client_address(request),
            }
            # Django's own hook for work after the response is sent (private, not in the stubs).
            response._resource_closers.append(lambda: _record_after_response(details))  # type: ignore[attr-defined]
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, RefusedAccess):
            setattr(request, _ATTRIBUTE, exception)
        # None: Django turns the Http404 into the usual 404 page.


def _record_after_response(details: dict[str, Any]) -> None:
    # HttpResponse.close() swallows a closer's exception: log it, or a lost event goes unseen.
    try:
        record_refused(**details)
    except Exception:
        logger.exception("A refused attempt could not be recorded")
