"""A form of the space filled in again after the idle sign-out caught its post: the views' side
of ``voice.keep_draft`` / ``voice.take_draft`` (the middleware keeps what was typed)."""

from __future__ import annotations

from django.http import QueryDict

from core.http import AuthenticatedHttpRequest
from myspace import voice


def posted_or_draft(request: AuthenticatedHttpRequest) -> tuple[QueryDict | None, bool]:
    """The form's data: what was posted, else a draft kept when the idle sign-out caught their
    last post to this page (``myspace.middleware``), else nothing. The second value says the
    data is a draft: the page says so, and shows it as it was, not judged until it is sent."""
    if request.method == "POST":
        return request.POST, False
    draft = voice.take_draft(request.user, request.path)
    if draft is None:
        return None, False
    data = QueryDict(mutable=True)
    for key, values in draft.items():
        data.setlist(key, values)
    return data, True
