"""The home page: each role's starting point, built from the apps' panels (dashboard/panels.py)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from core.http import AuthenticatedHttpRequest
from dashboard.panels import panels_for


def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Commissioners see no identifiable data here or anywhere."""
    return render(request, "dashboard/home.html", {"panels": panels_for(request)})
