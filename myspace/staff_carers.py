"""Staff pages about carers' access to the young person's space: invite a current carer, end a
carer's access. Thin: the rules are in myspace.invitations and myspace.carers."""

from __future__ import annotations

from dataclasses import dataclass

import segno
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.http import AuthenticatedHttpRequest
from myspace import carers, invitations
from myspace.forms import InviteForm
from myspace.models import Invitation, SpaceAccount
from myspace.staff_views import _child, child_page
from people.models import Child, RelatedPerson


@dataclass(frozen=True)
class CarerRow:
    person: RelatedPerson
    account: SpaceAccount | None
    invitation: Invitation | None
    refusal: str
    shared: bool


def carer_rows(child: Child) -> list[CarerRow]:
    """The current carers, each with their account, waiting link, why they cannot be invited
    (a contact restriction) and whether a consent for support at home names them. A few
    carers at most per young person: a few queries each."""
    return [
        CarerRow(
            person=person,
            account=invitations.current_account(child, person),
            invitation=invitations.live_invitation(child, person),
            refusal=invitations.carer_refusal(child, person),
            shared=bool(carers.support_consents(person)),
        )
        for person in carers.current_carers(child)
    ]


def _person(child: Child, person_pk: int) -> RelatedPerson:
    # The record was reached through the scope; its nest is part of it.
    return get_object_or_404(child.related_people.all(), pk=person_pk)


@require_POST
@never_cache  # the page holds the only copy of the link
def invite(request: AuthenticatedHttpRequest, child_pk: int, person_pk: int) -> HttpResponse:
    kid = _child(request, child_pk)
    person = _person(kid, person_pk)
    form = InviteForm(request.POST, prefix=f"carer-{person.pk}")
    if not form.is_valid():
        return child_page(request, kid, carer_form=form, carer_pk=person.pk)
    try:
        issued = invitations.invite(
            by=request.user,
            child=kid,
            person=person,
            email=form.cleaned_data["email"],
            email_language=form.cleaned_data["email_language"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("space_access:child", child_pk=kid.pk)
    link = request.build_absolute_uri(reverse("myspace:accept", kwargs={"token": issued.token}))
    qr = segno.make(link, error="m")
    context = {
        "child": kid,
        "person": person,
        "invitation": issued.invitation,
        "link": link,
        "qr_data_uri": qr.svg_data_uri(scale=5, dark="#0b0c0c"),
    }
    return render(request, "myspace/staff/invitation.html", context)


@require_POST
def revoke(request: AuthenticatedHttpRequest, child_pk: int, person_pk: int) -> HttpResponse:
    kid = _child(request, child_pk)
    person = _person(kid, person_pk)
    account = invitations.revoke(by=request.user, child=kid, person=person)
    if account is not None:
        messages.success(request, _("The carer's access has ended. They have been signed out."))
    else:
        messages.success(request, _("The invitation can no longer be used."))
    return redirect("space_access:child", child_pk=kid.pk)
