"""Assessment pages (being written: see issue 4)."""

from django.http import Http404, HttpRequest, HttpResponse


def _todo(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


assessment = section_edit = section_history = section_restrict = compare = who_has_seen = shared_with_me = _todo
