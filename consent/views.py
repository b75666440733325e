"""Consent pages (being written: see issue 4)."""

from django.http import Http404, HttpRequest, HttpResponse


def _todo(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


consent_list = consent_create = consent_detail = consent_withdraw = _todo
safeguarding_create = safeguarding_review = safeguarding_detail = _todo
