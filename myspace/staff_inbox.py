"""Staff pages of the one care-team inbox (``myspace.inbox``): one page per young person with
everything from their space (alerts first, then unread, overdue marked), the list across the
reader's caseload, and marking an item read with a reply. Thin: the rule is ``inbox.mark_read``;
the record is reached through the reader's scope and every page is audited by their route.

The older addresses (a child's check-ins, notices; marking a check-in, a note, a request or a
notice read) are kept as thin wrappers, so links from other pages and branches keep working."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.models import Route
from audit.services import record_list
from core.forms import add_service_errors
from core.http import AuthenticatedHttpRequest
from myspace import inbox, seen, voice
from myspace.voice_forms import ReplyForm
from people.access import can_change, get_visible_or_404, record_page_opened, require_change
from people.models import Child

#: The list page's rows at most (each kind); the home panel gives the full counts.
WAITING_ROWS = 100


def _child(request: AuthenticatedHttpRequest, child_pk: int) -> Child:
    return get_visible_or_404(request, Child.objects.visible_to(request.user), pk=child_pk)


def _prefix(slug: str, pk: int) -> str:
    return f"{slug}-{pk}"


def _page(
    request: AuthenticatedHttpRequest, kid: Child, sent: tuple[str, int, ReplyForm] | None = None
) -> HttpResponse:
    """The young person's inbox page; ``sent`` is a reply form that came back with errors."""
    record_page_opened(request, kid, page="space_access:inbox")
    may_change = can_change(request.user, kid)
    rows = []
    for item in inbox.items_for_child(kid):
        form = None
        if may_change and item.read_at is None:
            if sent is not None and (sent[0], sent[1]) == (item.kind.slug, item.obj.pk):
                form = sent[2]
            else:
                form = ReplyForm(prefix=_prefix(item.kind.slug, item.obj.pk))
        rows.append((item, form))
    context = {
        "child": kid,
        "rows": rows,
        "alerts": list(voice.alerts_of(request.user, kid).order_by("-created_at", "-pk")),
        "read_within": settings.NYTH_SPACE_READ_WITHIN_WORKING_DAYS,
        "may_change": may_change,
        "may_withhold": seen.may_withhold(request.user, kid),
        # ``form``: the one sent with errors, so the page title starts "Error:" (base.html).
        "form": sent[2] if sent is not None else None,
    }
    return render(request, "myspace/inbox/staff_child.html", context, status=400 if sent is not None else 200)


def child_inbox(request: AuthenticatedHttpRequest, child_pk: int) -> HttpResponse:
    """Everything the young person sent from their space."""
    return _page(request, _child(request, child_pk))


@require_POST
def mark_read(request: AuthenticatedHttpRequest, child_pk: int, kind: str, item_pk: int) -> HttpResponse:
    """Mark one item read (a notice: done), with the optional reply the young person sees."""
    return _mark(request, child_pk, kind, item_pk)


def _mark(request: AuthenticatedHttpRequest, child_pk: int, slug: str, item_pk: int, back: str = "") -> HttpResponse:
    kid = _child(request, child_pk)
    require_change(request, kid)
    item = inbox.item_of(kid, slug, item_pk)
    if item is None:
        raise Http404  # not this young person's, or no such kind
    form = ReplyForm(request.POST, prefix=_prefix(slug, item_pk))
    if form.is_valid():
        try:
            inbox.mark_read(
                by=request.user,
                item=item,
                reply=form.cleaned_data["reply"],
                reply_language=form.cleaned_data["text_language"],
            )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):  # read already: nothing to keep on the form
                messages.info(request, " ".join(exc.messages))
                return _back(kid, back)
            add_service_errors(form, exc)
        else:
            if slug == "notice":
                messages.success(request, _("Marked as done."))
            elif inbox.KINDS[slug].answered:
                messages.success(request, _("Marked as read. The young person can see that you have read it."))
            else:
                messages.success(request, _("Marked as read."))
            return _back(kid, back)
    if back:  # from another page's button, which has no reply box: back to it, saying why
        messages.error(request, " ".join(str(m) for errors in form.errors.values() for m in errors))
        return _back(kid, back)
    return _page(request, kid, (slug, item_pk, form))


def _back(kid: Child, back: str) -> HttpResponse:
    # From the plan review form (the "before my review" fragment's button), back to it.
    if back == "review":
        return redirect("plans:review_add", child_pk=kid.pk)
    return redirect("space_access:inbox", child_pk=kid.pk)


def waiting(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What is waiting for this person from young people's spaces: alerts to pick up first,
    then everything to read on their caseload, the earliest due first. A list that names
    children: one LIST event naming them."""
    alerts = list(voice.alerts_for(request.user)[:WAITING_ROWS])
    items = inbox.waiting_for(request.user, limit=WAITING_ROWS)
    named = [a.child_id for a in alerts] + [i.child_id for i in items]
    record_list(actor=request.user, page="space_access:waiting", children=named, route=Route.UI)
    context = {"alerts": alerts, "items": items, "today": timezone.localdate()}
    return render(request, "myspace/inbox/staff_waiting.html", context)


# --- The older addresses, kept working ----------------------------------------------------------


def checkins(request: AuthenticatedHttpRequest, child_pk: int) -> HttpResponse:
    # Through the scope first: outside it the old address is a 404 too, never a redirect.
    return redirect("space_access:inbox", child_pk=_child(request, child_pk).pk)


def notices(request: AuthenticatedHttpRequest, child_pk: int) -> HttpResponse:
    return redirect("space_access:inbox", child_pk=_child(request, child_pk).pk)


@require_POST
def checkin_read(request: AuthenticatedHttpRequest, child_pk: int, checkin_pk: int) -> HttpResponse:
    return _mark(request, child_pk, "checkin", checkin_pk)


@require_POST
def review_note_read(request: AuthenticatedHttpRequest, child_pk: int, note_pk: int) -> HttpResponse:
    return _mark(request, child_pk, "review", note_pk, back="review" if request.POST.get("back") == "review" else "")


@require_POST
def request_read(request: AuthenticatedHttpRequest, child_pk: int, space_request_pk: int) -> HttpResponse:
    return _mark(request, child_pk, "request", space_request_pk)


@require_POST
def notice_done(request: AuthenticatedHttpRequest, child_pk: int, notice_pk: int) -> HttpResponse:
    return _mark(request, child_pk, "notice", notice_pk)
