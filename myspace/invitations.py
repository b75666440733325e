"""Inviting a young person to their own space, accepting, and ending access.

Invitation only: a practitioner on the young person's care team invites (the record keeps who
and when). The link is single-use, expires after ``NYTH_SPACE_INVITATION_DAYS`` and is stored as
a keyed hash, like enrolment codes (ADR 009). Opening it uses nothing; the POST that sets the
password and the language does. A new invitation voids the earlier ones, so one link at most
works per young person. A forgotten password or a lost phone: the practitioner re-invites.

A carer is invited the same way, naming their person in the nest (``person``): only the
current carer on an open placement, never someone with a recorded contact restriction, and the
link stops working if either changes before it is used. What the carer then reaches is the
carer route's (``myspace.carers``), not the invitation's.
"""

from __future__ import annotations

import base64
import datetime
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tasks import task

from accounts import services as account_services
from accounts.models import Language, Role, User
from audit.models import Action, Route
from audit.services import record
from jobs.email import send_later
from myspace import carers
from myspace.models import Invitation, SpaceAccount
from myspace.notify import send_neutral
from people.access import audit_route, can_change
from people.models import CareTeamMembership, CareTeamRole, Child, RelatedPerson


def _hash(token: str) -> str:
    return salted_hmac("nyth.myspace.invitation", token, algorithm="sha256").hexdigest()


def _emailed_token(seed: str) -> str:
    """An emailed link's token, derived from a seed the invitation keeps only until the email is
    sent: the task rebuilds the link from it, so the link itself is never in the queue."""
    digest = salted_hmac("nyth.myspace.invitation.emailed", seed, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def may_invite(by: User, child: Child) -> bool:
    """A practitioner (or lead) on the young person's care team who may change the record: the
    people the young person knows. Managers and duty workers behind them do not invite."""
    on_team = CareTeamMembership.objects.filter(
        child=child, user=by, ended_at__isnull=True, role__in=[CareTeamRole.LEAD, CareTeamRole.PRACTITIONER]
    ).exists()
    return on_team and can_change(by, child)


def age_refusal(child: Child, today: datetime.date) -> str:
    """Why this young person cannot be invited today because of their age, or ""."""
    age = child.age_on(today)
    if age < settings.NYTH_SPACE_MIN_AGE:
        return _("Young people can have their own space from the age of %(age)s.") % {
            "age": settings.NYTH_SPACE_MIN_AGE
        }
    if age > settings.NYTH_SPACE_MAX_AGE:
        return _("The service supports young people up to the age of %(age)s.") % {"age": settings.NYTH_SPACE_MAX_AGE}
    return ""


def carer_refusal(child: Child, person: RelatedPerson, today: datetime.date | None = None) -> str:
    """Why ``person`` cannot be invited as ``child``'s carer today, or "": only the current carer
    on an open placement, and never someone with a recorded contact restriction."""
    if person.child_id != child.pk:
        return _("Only a person in this young person's nest can be invited.")
    if person.contact_restricted:
        return _("A person with a recorded contact restriction cannot be invited.")
    if not carers.is_current_carer(person, today):
        return _("Only the young person's current carer on an open placement can be invited.")
    return ""


def _whose(child: Child, person: RelatedPerson | None) -> dict[str, object]:
    """The rows of one invitee: the young person themself, or one carer."""
    if person is None:
        return {"child": child, "role": Role.YOUNG_PERSON}
    return {"child": child, "role": Role.CARER, "related_person": person}


def current_account(child: Child, person: RelatedPerson | None = None) -> SpaceAccount | None:
    """The young person's own account (or, given ``person``, that carer's) that still works."""
    if person is None:
        found = SpaceAccount.objects.filter(child=child, user__role=Role.YOUNG_PERSON)
    else:
        found = SpaceAccount.objects.filter(child=child, user__role=Role.CARER, related_person=person)
    return found.filter(revoked_at__isnull=True).select_related("user").first()


def live_invitation(child: Child, person: RelatedPerson | None = None) -> Invitation | None:
    return (
        Invitation.objects.filter(
            **_whose(child, person),
            used_at__isnull=True,
            voided_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .order_by("-created_at")
        .first()
    )


@dataclass(frozen=True)
class Issued:
    invitation: Invitation
    #: The clear token: shown once, on the page that issued it, and never stored.
    token: str


@transaction.atomic
def invite(
    *, by: User, child: Child, person: RelatedPerson | None = None, email: str = "", email_language: str = ""
) -> Issued:
    """A new link for ``child`` – or, given ``person``, for that carer – voiding any earlier one;
    a re-invitation when they already have an account. Given ``email`` (an address they gave the
    practitioner), the link is also emailed, in ``email_language`` first, from the background."""
    if not may_invite(by, child):
        raise PermissionDenied
    now = timezone.now()
    if person is None:
        refusal = age_refusal(child, timezone.localdate(now))
    else:
        refusal = carer_refusal(child, person, timezone.localdate(now))
    if refusal:
        raise ValidationError(refusal)
    Child.objects.select_for_update().filter(pk=child.pk).first()  # one invitation at a time per young person
    Invitation.objects.filter(**_whose(child, person), used_at__isnull=True, voided_at__isnull=True).update(
        voided_at=now,
        email_to="",
        email_seed="",  # a void link is never emailed
    )
    email = email.strip()
    if email and email_language not in Language.values:
        raise ValidationError({"email_language": _("Choose the language of the email")})
    seed = secrets.token_hex(32) if email else ""
    token = _emailed_token(seed) if email else secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        token_hash=_hash(token),
        email_to=email,
        email_seed=seed,
        email_language=email_language if email else "",
        **_whose(child, person),
        account=current_account(child, person),
        created_by=by,
        created_at=now,
        expires_at=now + datetime.timedelta(days=settings.NYTH_SPACE_INVITATION_DAYS),
    )
    record(
        actor=by,
        action=Action.CREATE,
        obj=invitation,
        child_id=child.pk,
        route=audit_route(by, child),
        detail={
            "invitation": "re-invite" if invitation.account_id else "invite",
            "expires": invitation.expires_at.isoformat(),
            **({"carer": person.pk} if person is not None else {}),
            **({"emailed": invitation.email_language} if email else {}),  # never the address
        },
    )
    if email:
        send_later(send_invitation_email, invitation_id=invitation.pk)
    return Issued(invitation=invitation, token=token)


def _usable(invitation: Invitation, now: datetime.datetime) -> bool:
    return invitation.used_at is None and invitation.voided_at is None and invitation.expires_at > now


def _invitation_email(invitation: Invitation, token: str) -> tuple[str, str]:
    """Subject and body in both languages, the one chosen at invite first. The link only (no QR
    code) and its expiry date; nothing about the service or the young person."""
    first = invitation.email_language or "en"
    subjects, bodies = [], []
    for language in [first, *(code for code in Language.values if code != first)]:
        with translation.override(language):
            link = settings.NYTH_SITE_URL + reverse("myspace:accept", kwargs={"token": token})
            until = formats.date_format(timezone.localtime(invitation.expires_at), "j F Y")
            subjects.append(_("Your Nyth invitation"))
            bodies.append(render_to_string("myspace/email/invitation.txt", {"link": link, "until": until}).strip())
    return " / ".join(subjects), "\n\n----------\n\n".join(bodies) + "\n"


@task()
def send_invitation_email(*, invitation_id: int) -> bool:
    return deliver_invitation_email(invitation_id)


def deliver_invitation_email(invitation_id: int) -> bool:
    """Email the link once. The invitation row is the sent-marker: locked while sending, then
    marked emailed with the address and the seed cleared, so a retry sends nothing. A link that
    can no longer be used is not sent, and its address is forgotten."""
    now = timezone.now()
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().filter(pk=invitation_id).first()
        if invitation is None or invitation.emailed_at is not None or not invitation.email_to:
            return False
        if not _usable(invitation, now) or not invitation.email_seed:
            invitation.email_to = invitation.email_seed = ""
            invitation.save(update_fields=["email_to", "email_seed"])
            return False
        subject, body = _invitation_email(invitation, _emailed_token(invitation.email_seed))
        send_neutral(to=invitation.email_to, subject=subject, body=body)
        invitation.emailed_at, invitation.email_to, invitation.email_seed = now, "", ""
        invitation.save(update_fields=["emailed_at", "email_to", "email_seed"])
        record(
            actor=None,
            action=Action.UPDATE,
            obj=invitation,
            child_id=invitation.child_id,
            route=Route.SYSTEM,
            detail={"invitation_emailed": invitation.email_language},
        )
    return True


def forget_unsent_addresses(now: datetime.datetime | None = None) -> int:
    """Clear the address and seed of invitations never emailed that can no longer be used (an
    email that kept failing): kept only for sending, never beyond the link's life."""
    now = now or timezone.now()
    stale = Invitation.objects.exclude(email_to="", email_seed="").filter(
        Q(used_at__isnull=False) | Q(voided_at__isnull=False) | Q(expires_at__lte=now)
    )
    return stale.update(email_to="", email_seed="")


def find(token: str) -> Invitation | None:
    """The invitation a link names, if it can still be used (opening the link changes nothing)."""
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.filter(
            token_hash=_hash(token), used_at__isnull=True, voided_at__isnull=True, expires_at__gt=timezone.now()
        )
        .select_related("child", "account__user", "related_person")
        .first()
    )


class InvitationUnusable(Exception):
    """The link was used, replaced, withdrawn or has expired."""


@transaction.atomic
def accept(*, token: str, username: str, password: str, language: str) -> User:
    """Use the invitation: make the young person's account (or, for a re-invitation, set a new
    password on it), in the language they chose. Returns the account, ready to sign in.

    Raises ``InvitationUnusable`` for a link that cannot be used and ``ValidationError`` (keyed
    by field) for a user name taken or a password Django's validators refuse."""
    found = find(token)
    if found is None:
        raise InvitationUnusable
    invitation = Invitation.objects.select_for_update().get(pk=found.pk)
    if invitation.used_at is not None or invitation.voided_at is not None:
        raise InvitationUnusable  # used by a request that got here first
    child = invitation.child
    person = invitation.related_person
    # A carer's link works only while they could still be invited: the placement may have
    # ended, or a contact restriction been recorded, since it was made.
    if invitation.role == Role.CARER and (person is None or carer_refusal(child, person)):
        raise InvitationUnusable
    account = invitation.account
    if account is not None:
        account = SpaceAccount.objects.select_for_update().select_related("user").get(pk=account.pk)
        if account.revoked_at is not None:
            raise InvitationUnusable
        user = account.user
    else:
        username = username.strip()
        if not username:
            raise ValidationError({"username": _("Choose a user name")})
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError({"username": _("That user name is taken: choose another")})
        user = User(
            username=username,
            first_name=(person.name if person is not None else child.preferred_name or child.given_name)[:150],
            role=Role.CARER if person is not None else Role.YOUNG_PERSON,
            preferred_language=language,
        )
        try:
            user.full_clean(exclude=["password"])
        except ValidationError as exc:
            raise ValidationError(
                {"username": exc.message_dict.get("username", [_("Choose another user name")])}
            ) from exc
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password1": exc.messages}) from exc
    user.set_password(password)
    user.preferred_language = language
    user.save()
    if invitation.account_id is not None:
        # A lost phone may hold their authenticator: the new invitation sets up a new one.
        TOTPDevice.objects.filter(user=user).delete()
        account_services.remove_passkeys(user)  # and any passkey on it (ADR 020)
    if account is None:
        account = SpaceAccount.objects.create(
            user=user, child=child, related_person=person, created_by=invitation.created_by
        )
    # A re-invitation (a lost phone): the new password ends every other session of the account,
    # because Django checks each session against the password's hash.
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    record(
        actor=user,
        action=Action.UPDATE if invitation.account_id else Action.CREATE,
        obj=account,
        child_id=child.pk,
        route=Route.SELF,
        detail={"invitation_used": invitation.pk, "language": language},
    )
    return user


@transaction.atomic
def revoke(*, by: User, child: Child, person: RelatedPerson | None = None) -> SpaceAccount | None:
    """End the young person's access at once: the account can no longer sign in, its sessions
    end at their next request and any waiting invitation is void. The record keeps who had access, until when, and
    who ended it. Returns the account, or None when there was none."""
    if not may_invite(by, child):
        raise PermissionDenied
    return end_access(by=by, child=child, person=person)


def end_access(
    *, by: User, child: Child, person: RelatedPerson | None = None, detail: dict[str, object] | None = None
) -> SpaceAccount | None:
    """``revoke`` without its check of who may: for callers that check their own rule (a
    manager's decision on an access review, ``myspace.reviews``). Call inside a transaction."""
    if person is not None and person.child_id != child.pk:
        raise PermissionDenied
    now = timezone.now()
    Invitation.objects.filter(**_whose(child, person), used_at__isnull=True, voided_at__isnull=True).update(
        voided_at=now,
        email_to="",
        email_seed="",  # a void link is never emailed
    )
    account = current_account(child, person)
    if account is None:
        return None
    account = SpaceAccount.objects.select_for_update().select_related("user").get(pk=account.pk)
    account.revoked_at, account.revoked_by = now, by
    account.save(update_fields=["revoked_at", "revoked_by"])
    # An inactive account's sessions end at their next request (Django's backend refuses it).
    account.user.is_active = False
    account.user.save(update_fields=["is_active"])
    record(
        actor=by,
        action=Action.UPDATE,
        obj=account,
        child_id=child.pk,
        route=audit_route(by, child),
        detail={"revoked": True, **({"carer": person.pk} if person is not None else {}), **(detail or {})},
    )
    return account
