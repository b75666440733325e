"""Outcome pages. Thin: scoring is in ``outcomes.scoring``, writes in ``outcomes.services``.

The instruments page is reference data (no personal data) for service managers, who decide which
measures their service uses and must see each parameter with its source."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import Role
from outcomes.models import Instrument


def instrument_list(request: HttpRequest) -> HttpResponse:
    if request.user.role != Role.SERVICE_MANAGER:
        raise PermissionDenied
    instruments = Instrument.objects.filter(active=True).annotate(wording_items=Count("wording"))
    rows = [{"instrument": i, "rule": i.change_rule()} for i in instruments]
    return render(request, "outcomes/instrument_list.html", {"rows": rows})
