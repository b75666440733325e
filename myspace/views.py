"""The young person's own space. Thin: the record is reached through the one scope (the "self"
route, ``myspace.space``); which parts a page shows is this app's decision."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_otp import user_has_device

from accounts.models import Role, User
from accounts.sessions import ENROLMENT_OK
from accounts.signed_in import two_factor_required
from audit.models import Action, Route
from audit.services import record
from core.forms import add_service_errors
from core.http import AuthenticatedHttpRequest
from myspace import invitations, space
from myspace.forms import AcceptForm
from people.access import record_page_opened


def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.user.role == Role.CARER:
        from myspace import views_carer

        return views_carer.home(request)  # what the young person shares with their carer
    child = space.own_child(request.user)
    if child is None:
        raise Http404
    record_page_opened(request, child, page="myspace:home")
    context = {
        "child": child,
        "workers": space.workers(child),
        # Offered, not required, for young people (ADR 019): until they have set one up.
        "offer_second_step": not user_has_device(request.user, confirmed=True),
    }
    return render(request, "myspace/home.html", context)


@login_not_required
@never_cache
def accept(request: HttpRequest, token: str) -> HttpResponse:
    """The invitation link. Opening it (GET) only shows the form – mail scanners open links –
    and the POST that sets the password uses it and signs them in: the link handed over in person
    is what an enrolment code is for staff (ADR 009), so it may lead on to the second factor."""
    invitation = invitations.find(token)
    if invitation is None:
        return render(request, "myspace/accept_unusable.html", status=404)
    if request.user.is_authenticated:
        return render(request, "myspace/accept_signed_in.html")
    reinvite = invitation.account_id is not None
    form = AcceptForm(request.POST or None, reinvite=reinvite, initial={"language": translation.get_language()})
    if request.method == "POST" and form.is_valid():
        data: dict[str, Any] = form.cleaned_data
        try:
            user = invitations.accept(
                token=token,
                username=data.get("username", ""),
                password=data["password1"],
                language=data["language"],
            )
        except invitations.InvitationUnusable:
            return render(request, "myspace/accept_unusable.html", status=404)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _signed_in(request, user)
    return render(request, "myspace/accept.html", {"form": form, "reinvite": reinvite, "invitation": invitation})


@login_not_required
def exit_page(request: HttpRequest) -> HttpResponse:
    """Exit this page: end the session here, then leave for a neutral site, so Back or someone
    picking up the phone finds nothing signed in. A GET (the button is a link, and must work
    without JavaScript); signing someone out is all it can do."""
    logout(request)
    return HttpResponseRedirect(settings.NYTH_SPACE_EXIT_URL)


def _signed_in(request: HttpRequest, user: User) -> HttpResponse:
    """Sign in the account an invitation has just made (or reset), then on, in the language they
    chose: to set up the second factor where their role requires it, else to their space."""
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    record(actor=user, action=Action.SIGN_IN, obj=user, detail={"invitation": True}, route=Route.SELF)
    request.session[ENROLMENT_OK] = user.pk
    with translation.override(user.preferred_language):
        if two_factor_required(user):
            return HttpResponseRedirect(reverse("accounts:two_factor_setup"))
        messages.success(request, _("Your account is ready. This is your own space."))
        return HttpResponseRedirect(reverse("myspace:home"))
