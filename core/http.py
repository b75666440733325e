"""The request type of a signed-in page.

Every page is private unless its view is marked ``@login_not_required``
(``LoginRequiredMiddleware``, config/settings.py), so a view without that mark only ever sees a
signed-in ``accounts.User``. django-stubs types ``request.user`` as ``User | AnonymousUser``
for every request; views annotated with this class say what the middleware guarantees, and mypy
then checks what they do with the user instead of flagging every ``request.user.role``. Views
marked ``@login_not_required`` (sign-in, the public referral form, health and error pages) keep
``HttpRequest`` and must handle the anonymous visitor.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User
