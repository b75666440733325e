"""Staff pages about a young person's own space. Thin: the rules are in myspace.invitations."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.http import AuthenticatedHttpRequest
from myspace import invitations, reviews
from myspace.forms import InviteForm
from people.access import get_visible_or_404, record_page_opened
from people.models import Child


def _child(request: AuthenticatedHttpRequest, child_pk: int) -> Child:
    return get_visible_or_404(request, Child.objects.visible_to(request.user), pk=child_pk)


def child(request: AuthenticatedHttpRequest, child_pk: int) -> HttpResponse:
    kid = _child(request, child_pk)
    return child_page(request, kid)


def child_page(
    request: AuthenticatedHttpRequest,
    kid: Child,
    *,
    invite_form: InviteForm | None = None,
    carer_form: InviteForm | None = None,
    carer_pk: int | None = None,
) -> HttpResponse:
    """The page *Their own space*, with an invite form sent back with its errors (the young
    person's, or one carer's) when the address typed was not right."""
    from myspace.staff_carers import carer_rows  # imports this module's _child

    record_page_opened(request, kid, page="space_access:child")
    context = {
        "invite_form": invite_form or InviteForm(prefix="invite"),
        "carer_form": carer_form,
        "carer_form_pk": carer_pk,
        "child": kid,
        "account": invitations.current_account(kid),
        "invitation": invitations.live_invitation(kid),
        "may_invite": invitations.may_invite(request.user, kid),
        "age_refusal": invitations.age_refusal(kid, timezone.localdate()),
        "carers": (rows := carer_rows(kid)),
        "carer_invites": [
            (
                row,
                carer_form
                if carer_form is not None and row.person.pk == carer_pk
                else InviteForm(prefix=f"carer-{row.person.pk}"),
            )
            for row in rows
        ],
        # Accounts put to a manager for review (myspace.reviews): never a silent loss of access.
        "reviews_waiting": reviews.reviews_for(request.user).filter(child=kid).exists(),
    }
    status = 400 if (invite_form is not None or carer_form is not None) else 200
    return render(request, "myspace/staff/child.html", context, status=status)


@require_POST
@never_cache  # the page holds the only copy of the link: not kept by the browser or a proxy
def invite(request: AuthenticatedHttpRequest, child_pk: int) -> HttpResponse:
    kid = _child(request, child_pk)
    form = InviteForm(request.POST, prefix="invite")
    if not form.is_valid():
        return child_page(request, kid, invite_form=form)  # what was typed is kept; nothing made
    try:
        issued = invitations.invite(
            by=request.user,
            child=kid,
            email=form.cleaned_data["email"],
            email_language=form.cleaned_data["email_language"],
        )
    except PermissionDenied:
        raise
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("space_access:child", child_pk=kid.pk)
    # The link opens in the language the young person chooses on it; the page below is in the
    # practitioner's language.
    link = request.build_absolute_uri(reverse("myspace:accept", kwargs={"token": issued.token}))
    qr = segno.make(link, error="m")
    context = {
        "child": kid,
        "invitation": issued.invitation,
        "link": link,
        "qr_data_uri": qr.svg_data_uri(scale=5, dark="#0b0c0c"),
    }
    return render(request, "myspace/staff/invitation.html", context)


@require_POST
def revoke(request: AuthenticatedHttpRequest, child_pk: int) -> HttpResponse:
    kid = _child(request, child_pk)
    account = invitations.revoke(by=request.user, child=kid)
    if account is not None:
        messages.success(request, _("Their access to their own space has ended. They have been signed out."))
    else:
        messages.success(request, _("The invitation can no longer be used."))
    return redirect("space_access:child", child_pk=kid.pk)
