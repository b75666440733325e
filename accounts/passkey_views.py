"""The passkey set-up page (the question about the phone, then the button): ADR 020."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django_otp import user_has_device

from accounts import passkeys
from accounts.forms import SharedPhoneForm
from accounts.models import SPACE_ROLES
from accounts.signed_in import two_factor_required
from accounts.views import _next_query, _safe_next
from core.http import AuthenticatedHttpRequest


def passkey_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Ask whether anyone else uses or manages the phone. "No" shows the button that makes the
    passkey (it needs JavaScript: the browser's WebAuthn API has no form to post); "yes" advises
    against it and offers the authenticator app, or – where the second step is optional – none."""
    user = request.user
    next_url = _safe_next(request, reverse("core:home"))
    if not user.is_verified() and user_has_device(user, confirmed=True):
        return redirect(f"{reverse('accounts:two_factor')}?{_next_query(next_url)}")
    if not user.is_verified() and passkeys.needs_enrolment_code(request, user):
        # The enrolment code first, on the authenticator page, which then links back here.
        return redirect(f"{reverse('accounts:two_factor_setup')}?{_next_query(next_url)}")
    form = SharedPhoneForm(request.POST if request.method == "POST" else None)
    answer = ""
    if request.method == "POST" and form.is_valid():
        answer = form.cleaned_data["shared"]
        if answer == "no":
            request.session[passkeys.NOBODY_ELSE] = user.pk
        else:
            request.session.pop(passkeys.NOBODY_ELSE, None)
    context = {
        "form": form,
        "answer": answer,
        "next": next_url,
        "next_query": _next_query(next_url),
        "optional": not two_factor_required(user) and not user_has_device(user, confirmed=True),
        # Reached from the young person's home page: keep Exit this page there (a shared phone).
        "base_template": "myspace/space_base.html" if user.role in SPACE_ROLES else "base.html",
    }
    return render(request, "accounts/passkey_setup.html", context)
