"""Django's session middleware, with the two ways a session save can fail told apart.

Django's database session store turns *any* database error while updating a session into
``UpdateError``, and the middleware turns that into ``SessionInterrupted`` – a bare 400. Two
very different things end there:

- the database went away while the request was being answered (found in the outage test: a
  400 instead of the 503 page that tells people the service will come back by itself);
- the session row was deleted by another request – signing out in another tab – while this
  one was running (its change may have been saved; the person must sign in again).

The first gets the 503 page (with ``Retry-After``; the session cookie is kept, the session is
still valid once the database is back); the second its own translated 400 page, and the cookie
of the ended session is removed so the next page goes to sign-in. See ADR 008.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.sessions.exceptions import SessionInterrupted
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.db import InterfaceError, OperationalError, router
from django.http import HttpRequest, HttpResponse

from core.health import database_answers
from core.views import service_unavailable, session_ended

_OUTAGE = (OperationalError, InterfaceError)


def caused_by_outage(error: BaseException) -> bool:
    """Whether a database connection failure is behind ``error`` (in its chain of causes)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, _OUTAGE):
            return True
        seen.add(id(current))
        if current.__cause__ is not None:
            current = current.__cause__
        else:
            current = None if current.__suppress_context__ else current.__context__
    return False


class SessionMiddleware(DjangoSessionMiddleware):
    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        try:
            return super().process_response(request, response)
        except SessionInterrupted as interrupted:
            alias = router.db_for_write(self._session_model(request))
            if caused_by_outage(interrupted) or not database_answers(alias):
                return service_unavailable(request, after_view=True)
            ended = session_ended(request)
            ended.delete_cookie(
                settings.SESSION_COOKIE_NAME,
                path=settings.SESSION_COOKIE_PATH,
                domain=settings.SESSION_COOKIE_DOMAIN,
                samesite=settings.SESSION_COOKIE_SAMESITE,  # type: ignore[arg-type]  # "Lax", "Strict" or "None" (Django's own middleware passes it so)
            )
            return ended

    @staticmethod
    def _session_model(request: HttpRequest) -> type:
        get_model = getattr(request.session, "get_model_class", None)
        if get_model is not None:
            return get_model()
        from django.contrib.sessions.models import Session

        return Session
