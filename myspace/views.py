"""The young person's own space. Thin: the record is reached through the one scope (the "self"
route, ``myspace.space``); which parts a page shows is this app's decision."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from core.forms import add_service_errors
from core.http import AuthenticatedHttpRequest
from myspace import invitations, space
from myspace.forms import AcceptForm
from people.access import record_page_opened


def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    child = space.own_child(request.user)
    if child is None:
        raise Http404  # a carer's space comes with their consent-based route (issue 14, next)
    record_page_opened(request, child, page="myspace:home")
    return render(request, "myspace/home.html", {"child": child, "workers": space.workers(child)})


@login_not_required
@never_cache
def accept(request: HttpRequest, token: str) -> HttpResponse:
    """The invitation link. Opening it (GET) only shows the form – mail scanners open links –
    and the POST that sets the password uses it. Then the young person signs in as anyone does."""
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
            with translation.override(user.preferred_language):
                messages.success(request, _("Your account is ready. Sign in with your user name and password."))
                login = reverse("accounts:login")
            return HttpResponseRedirect(login)
    return render(request, "myspace/accept.html", {"form": form, "reinvite": reinvite, "invitation": invitation})


@login_not_required
def exit_page(request: HttpRequest) -> HttpResponse:
    """Exit this page: end the session here, then leave for a neutral site, so Back or someone
    picking up the phone finds nothing signed in. A GET (the button is a link, and must work
    without JavaScript); signing someone out is all it can do."""
    logout(request)
    return HttpResponseRedirect(settings.NYTH_SPACE_EXIT_URL)
