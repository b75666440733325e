"""The navigation for the user's role, on every page. It links every app, so it lives at the top
of the stack (docs/architecture.md, "Layers"); the language links stay in core."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import SPACE_ROLES, Role, User
from accounts.signed_in import fully_signed_in


def _nav_items(request: HttpRequest) -> list[dict[str, Any]]:
    user = request.user
    if not isinstance(user, User) or not fully_signed_in(request):
        return []
    if user.role in SPACE_ROLES:
        # Their own space is all a young person or carer can open (myspace.middleware).
        path = request.path
        home = reverse("myspace:home")
        return [{"url": home, "label": _("My space"), "current": path == home}]
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


def navigation(request: HttpRequest) -> dict[str, Any]:
    return {"nav_items": _nav_items(request)}
