"""The carer's space: what the young person agreed to share with them. Thin: the record is
reached through the one scope (the "carer" route); what is shown is ``myspace.carers``'s."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from core.http import AuthenticatedHttpRequest
from myspace import carers
from people.access import record_page_opened


def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    account = carers.carer_account(request.user)
    if account is None or account.related_person is None:
        # The placement ended or the consent was withdrawn: nothing is shared now. The page
        # says so without a word about the young person.
        return render(request, "myspace/carers/nothing_shared.html")
    child, person = account.child, account.related_person
    record_page_opened(request, child, page="myspace:home")
    context = {
        "person": person,
        "child": child,
        "actions": carers.carer_actions(child, person),
        "sessions": carers.carer_sessions(child, person),
        "help_now_url": carers.help_now_url(),
    }
    return render(request, "myspace/carers/home.html", context)
