"""Sharing and export pages (being written: see issue 4)."""

from django.http import Http404, HttpRequest, HttpResponse


def _todo(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


share_create = share_detail = export_create = _todo
