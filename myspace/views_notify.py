"""Emails from Nyth: the young person (or carer) turns "email me when there is something new"
on, gives or changes the address, or turns it off in one click. Thin: the rules are in
``myspace.notify``; every change is audited with the route self."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from core.http import AuthenticatedHttpRequest
from myspace import carers, notify, space
from myspace.forms import NotifyForm
from myspace.models import SpaceAccount
from people.access import record_page_opened


def _account(request: AuthenticatedHttpRequest) -> SpaceAccount:
    """Their own account, reached with their record through the scope; else 404 (a revoked
    account, a carer whose access ended)."""
    if request.user.role == Role.CARER:
        account = carers.carer_account(request.user)
    else:
        child = space.own_child(request.user)
        account = None
        if child is not None:
            account = SpaceAccount.objects.filter(user=request.user, child=child, revoked_at__isnull=True).first()
    if account is None:
        raise Http404
    return account


def emails(request: AuthenticatedHttpRequest) -> HttpResponse:
    account = _account(request)
    form = NotifyForm(request.POST or None, initial={"email": account.notify_email})
    if request.method == "POST" and form.is_valid():
        notify.set_notifications(account=account, on=True, email=form.cleaned_data["email"])
        messages.success(request, _("We will email you when there is something new."))
        return redirect("myspace:emails")
    record_page_opened(request, account.child, page="myspace:emails")
    status = 400 if form.errors else 200
    return render(
        request,
        "myspace/emails.html",
        {"account": account, "form": form, "hours": settings.NYTH_SPACE_NOTIFY_EVERY_HOURS},
        status=status,
    )


@require_POST
def emails_off(request: AuthenticatedHttpRequest) -> HttpResponse:
    account = _account(request)
    notify.set_notifications(account=account, on=False)
    messages.success(request, _("We will not email you. We have deleted your email address."))
    return redirect("myspace:emails")
