"""What every page needs: the language links (the navigation for the user's role is the
dashboard app's, dashboard/context_processors.py: it links every app)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.translation import get_language

LANGUAGE_NAMES = {"en": "English", "cy": "Cymraeg"}


def nyth(request: HttpRequest) -> dict[str, Any]:
    current = (get_language() or settings.LANGUAGE_CODE)[:2]
    links = []
    for code, _name in settings.LANGUAGES:
        # The same page in the other language, query string kept: a plain link that stores
        # nothing (ADR 010). The account's language changes only by a POST (accounts:account).
        url = translate_url(request.get_full_path(), code)
        links.append({"code": code, "name": LANGUAGE_NAMES[code], "current": code == current, "url": url})
    return {
        "nyth_demo": settings.NYTH_DEMO,
        "language_links": links,
    }
