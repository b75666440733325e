"""My consents and who has seen my story, in the young person's own space. Thin: the rules are
in ``myspace.consents`` and ``myspace.seen`` (and the consent app's own withdrawal service)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from consent.services import OwnWithdrawal, own_decision_withdrawal
from core.forms import add_service_errors
from core.http import AuthenticatedHttpRequest
from myspace import consents, drafts, inbox, seen, space
from myspace.forms import WordsForm
from myspace.models import NoticeKind
from people.access import record_page_opened
from people.models import Child


def _own(request: AuthenticatedHttpRequest) -> Child:
    child = space.own_child(request.user)
    if child is None:
        raise Http404
    return child


def my_consents(request: AuthenticatedHttpRequest) -> HttpResponse:
    child = _own(request)
    record_page_opened(request, child, page="myspace:consents")
    sent = inbox.notices_sent(child, (NoticeKind.WITHDRAWN, NoticeKind.WITHDRAWAL_REQUEST))
    return render(request, "myspace/consents/list.html", {"rows": consents.my_consents(child), "sent": sent})


def stop_sharing(request: AuthenticatedHttpRequest, consent_pk: int) -> HttpResponse:
    """Stop sharing: at once when the decision was theirs to undo, else a request to the
    practitioner. The page says which before they press the button."""
    child = _own(request)
    consent = consents.my_consent(child, consent_pk)
    if consent is None:
        raise Http404
    record_page_opened(request, child, consent, page="myspace:stop_sharing")
    rule = own_decision_withdrawal(consent)
    data, from_draft = drafts.posted_or_draft(request)
    form = WordsForm(data)
    if request.method == "POST" and form.is_valid():
        try:
            notice = consents.stop_sharing(
                by=request.user, child=child, consent=consent, words=form.cleaned_data["words"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if notice.kind == NoticeKind.WITHDRAWN:
                messages.success(request, _("Done. It is not shared any more. Your worker has been told."))
            else:
                messages.success(request, _("We have asked your worker. They will talk to you about it."))
            return redirect("myspace:consents")
    if from_draft:
        form.errors.clear()  # a draft is shown as it was, not judged until it is sent
    context = {"consent": consent, "form": form, "now": rule == OwnWithdrawal.ALLOWED, "from_draft": from_draft}
    return render(request, "myspace/consents/stop.html", context)


def who_has_seen(request: AuthenticatedHttpRequest) -> HttpResponse:
    child = _own(request)
    record_page_opened(request, child, page="myspace:seen")
    lines = seen.their_lines(request.user, child)
    sent = inbox.notices_sent(child, (NoticeKind.WHY_LOOK,))
    return render(request, "myspace/consents/seen.html", {"lines": lines, "sent": sent})


def ask_why(request: AuthenticatedHttpRequest, event_pk: int) -> HttpResponse:
    child = _own(request)
    line = seen.line_for(request.user, child, event_pk)
    if line is None:
        raise Http404
    record_page_opened(request, child, page="myspace:ask_why")
    data, from_draft = drafts.posted_or_draft(request)
    form = WordsForm(data)
    if request.method == "POST" and form.is_valid():
        seen.ask_why(by=request.user, child=child, line=line, words=form.cleaned_data["words"])
        messages.success(request, _("We have asked your worker. They will tell you why."))
        return redirect("myspace:seen")
    if from_draft:
        form.errors.clear()
    context = {"line": line, "form": form, "from_draft": from_draft}
    return render(request, "myspace/consents/ask_why.html", context)
