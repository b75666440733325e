"""Young people and carers reach their own space and nothing else.

The staff pages are written for staff: each checks its own rules, but a young person's account
should never depend on every one of them getting it right. This middleware answers 404 (as for a
record out of scope, ADR 003) for any page outside the space, so a staff page, list or search
never opens for them however it is reached; the URL walk proves it for every pattern."""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve

from accounts.models import SPACE_ROLES, User

#: Outside the space, what a young person or carer may still open: signing out, their second
#: factor, changing their password, and the health checks.
ALLOWED = frozenset(
    {
        "accounts:logout",
        "accounts:two_factor",
        "accounts:two_factor_setup",
        "accounts:password_change",
        "healthz",
        "readyz",
    }
)


def space_may_open(view_name: str) -> bool:
    return view_name.startswith("myspace:") or view_name in ALLOWED


class SpaceOnlyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if isinstance(user, User) and user.role in SPACE_ROLES:
            try:
                match = resolve(request.path_info)
            except Resolver404:
                return self.get_response(request)  # a 404 anyway
            if match.view_name == "core:home":
                # Signing in lands on the home page (LOGIN_REDIRECT_URL): theirs is the space.
                return redirect("myspace:home")
            # Public pages (the referral form: a young person may refer too) are anyone's.
            public = getattr(match.func, "login_required", True) is False
            if not public and not space_may_open(match.view_name):
                raise Http404
        return self.get_response(request)
