"""What every page needs: the navigation for the user's role and the language links."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse, translate_url
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_otp import user_has_device

from accounts.models import Role, User

LANGUAGE_NAMES = {"en": "English", "cy": "Cymraeg"}


def fully_signed_in(request: HttpRequest) -> bool:
    """Signed in and past the second factor (or, in the demo, an account the middleware lets
    through without one): only then does a page show the service's navigation."""
    user = request.user
    if not isinstance(user, User):  # anonymous
        return False
    if user.is_verified():
        return True
    return not settings.NYTH_REQUIRE_2FA and not user_has_device(user, confirmed=True)


def _nav_items(request: HttpRequest) -> list[dict[str, Any]]:
    user = request.user
    if not isinstance(user, User) or not fully_signed_in(request):
        return []
    items = [(reverse("core:home"), _("Home"))]
    if user.role == Role.DUTY_WORKER:
        # What an on-call worker comes for, first; while an access runs, the banner on every
        # page links its safety plan, contacts and the out-of-hours contact form.
        items.append((reverse("people:break_glass"), _("Emergency access")))
    if user.role and user.role != Role.COMMISSIONER and user.role != Role.ADMINISTRATOR:
        items.append((reverse("people:list"), _("Children and young people")))
    if user.role == Role.PARTNER:
        # Partners reach children through what is shared with them (consent, safeguarding).
        items.append((reverse("assessments:shared_with_me"), _("Shared with me")))
    if user.role in (Role.PRACTITIONER, Role.SERVICE_MANAGER, Role.DUTY_WORKER, Role.PARTNER):
        items.append((reverse("referrals:list"), _("Referrals")))
    if user.role in (Role.PRACTITIONER, Role.SERVICE_MANAGER, Role.DUTY_WORKER):
        items.append((reverse("referrals:waiting_list"), _("Waiting list")))
        items.append((reverse("contacts:caseload"), _("My caseload")))
        items.append((reverse("contacts:diary"), _("Diary")))
    if user.role == Role.SERVICE_MANAGER:
        items.append((reverse("contacts:team"), _("Team")))
    if user.role == Role.SERVICE_MANAGER:
        items.append((reverse("people:break_glass"), _("Emergency access")))
    if user.role == Role.SERVICE_MANAGER:
        items.append((reverse("people:break_glass_review"), _("Emergency access reviews")))
    if user.role == Role.ADMINISTRATOR:
        items.append((reverse("accounts:user_list"), _("Accounts")))
    items.append((reverse("accounts:account"), _("Your account")))
    # The current item is the longest navigation address the page's address starts with.
    path = request.path
    matches = [url for url, _label in items if path == url or (url != items[0][0] and path.startswith(url))]
    current = max(matches, key=len) if matches else None
    return [{"url": url, "label": label, "current": url == current} for url, label in items]


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
        "nav_items": _nav_items(request),
    }
