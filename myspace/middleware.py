"""Young people and carers reach their own space and nothing else.

The staff pages are written for staff: each checks its own rules, but a young person's account
should never depend on every one of them getting it right. This middleware answers 404 (as for a
record out of scope, ADR 003) for any page outside the space, so a staff page, list or search
never opens for them however it is reached; the URL walk proves it for every pattern.

It also signs them out after ``NYTH_SPACE_IDLE_MINUTES`` idle (shorter than staff: a phone left
on a table at home), and sends every page of the space – and every page to them – with
``Cache-Control: no-store``, so Back after Exit this page or a sign-out shows nothing."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from accounts.models import SPACE_ROLES, User

#: Outside the space, what a young person or carer may still open: signing out, their second
#: factor, changing their password, and the health checks.
ALLOWED = frozenset(
    {
        "accounts:logout",
        "accounts:two_factor",
        "accounts:two_factor_setup",
        # Passkeys (ADR 020): the set-up page and the ceremonies, for their own account only.
        "accounts:passkey_setup",
        "otp_webauthn:credential-registration-begin",
        "otp_webauthn:credential-registration-complete",
        "otp_webauthn:credential-authentication-begin",
        "otp_webauthn:credential-authentication-complete",
        "otp_webauthn:js-i18n-catalog",
        "accounts:password_change",
        "healthz",
        "readyz",
    }
)
#: Space posts whose fields are never kept as a draft: the invitation sets a password, a button
#: such as the alert is a choice, not writing, and must be pressed again by whoever is there.
DRAFTLESS = frozenset({"myspace:accept", "myspace:exit", "myspace:raise_alert"})
#: The session key holding the time of a space user's last request.
LAST_SEEN = "nyth_space_last_seen"


def space_may_open(view_name: str) -> bool:
    return view_name.startswith("myspace:") or view_name in ALLOWED


class SpaceOnlyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        try:
            match = resolve(request.path_info)
        except Resolver404:
            match = None
        space_page = match is not None and match.view_name.startswith("myspace:")
        if isinstance(user, User) and user.role in SPACE_ROLES:
            idle = self._idle_sign_out(request)
            if idle is not None:
                return idle
            if match is not None:
                if match.view_name == "core:home":
                    # Signing in lands on the home page (LOGIN_REDIRECT_URL): theirs is the space.
                    return redirect("myspace:home")
                # Public pages (the referral form: a young person may refer too) are anyone's.
                public = getattr(match.func, "login_required", True) is False
                if not public and not space_may_open(match.view_name):
                    raise Http404
            response = self.get_response(request)
            add_never_cache_headers(response)
            return response
        response = self.get_response(request)
        if space_page:
            add_never_cache_headers(response)  # the invitation page, Exit this page
        return response

    def _idle_sign_out(self, request: HttpRequest) -> HttpResponse | None:
        """Sign out a space user idle for longer than their limit; else note this request."""
        now = time.time()
        last = request.session.get(LAST_SEEN)
        if isinstance(last, (int, float)) and now - last > settings.NYTH_SPACE_IDLE_MINUTES * 60:
            if request.method == "POST" and isinstance(request.user, User):
                self._keep_draft(request, request.user)
            logout(request)
            messages.info(request, _("You were signed out because you had not done anything for a while."))
            response = redirect_to_login(request.get_full_path())
            add_never_cache_headers(response)
            return response
        request.session[LAST_SEEN] = now
        return None

    @staticmethod
    def _keep_draft(request: HttpRequest, user: User) -> None:
        """A post to a page of the space that arrives after the idle limit is not acted on (the
        person may not be who wrote it), but what was written is kept as a draft – never a
        password or the CSRF token – and offered back on that form after signing in again."""
        from myspace.voice import keep_draft

        try:
            match = resolve(request.path_info)
        except Resolver404:
            return
        if not match.view_name.startswith("myspace:") or match.view_name in DRAFTLESS:
            return
        keep_draft(user=user, path=request.path, data={key: request.POST.getlist(key) for key in request.POST})
