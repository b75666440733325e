"""The young person's own space. Thin: the record is reached through the one scope (the "self"
route, ``myspace.space``); which parts a page shows is this app's decision."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render

from core.http import AuthenticatedHttpRequest
from myspace import space
from people.access import record_page_opened


def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    child = space.own_child(request.user)
    if child is None:
        raise Http404  # a carer's space comes with their consent-based route (issue 14, next)
    record_page_opened(request, child, page="myspace:home")
    return render(request, "myspace/home.html", {"child": child, "workers": space.workers(child)})
