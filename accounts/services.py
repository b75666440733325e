"""Account administration: every change is audited, and nobody grants access alone (ADR 009).

A change that would give an account a route to children's records – a record role
(``RECORD_ROLES``), a new organisation, a new e-mail address or re-activation for an account
with such a role, or a new account with one – is stored as an ``AccessRequest`` and applied
only when a service manager of the service concerned, who is neither the requester nor the
account holder, approves it. Changes that only reduce access apply at once. Nobody changes
their own role or organisation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypedDict

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from accounts import enrolment
from accounts.models import (
    ACCESS_FIELDS,
    RECORD_ROLES,
    SERVICE_ROLES,
    SPACE_ROLES,
    AccessRequest,
    AccessRequestOutcome,
    Organisation,
    OrganisationType,
    Role,
    User,
)
from audit.models import Action, Route
from audit.services import record
from jobs.email import send_once


class AccountValues(TypedDict, total=False):
    """An account's details as an administrator writes them (``create_user``, ``update_user``).
    Its keys are written once, here: UserDetailsForm takes its fields from them, in this order.
    Only these are applied: any other key is ignored, never written to the account."""

    first_name: str
    last_name: str
    email: str
    organisation: Organisation | None
    role: str
    job_title: str
    preferred_language: str
    is_active: bool


class NewAccountValues(AccountValues, total=False):
    """A new account: its user name too (NewUserForm asks it first)."""

    username: str


ACCOUNT_FIELDS = tuple(AccountValues.__annotations__)
NEW_ACCOUNT_FIELDS = ("username", *ACCOUNT_FIELDS)


class SelfChangeRefused(PermissionDenied):
    """Nobody changes their own role or organisation."""


class DecisionRefused(Exception):
    """The request cannot be decided (by this person, or any longer); ``message`` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _require_admin(by: User) -> None:
    if by.role != Role.ADMINISTRATOR or not by.is_active:
        raise PermissionDenied


def _refuse_space_role(role: object) -> None:
    """Staff account pages never make or change a young person's or carer's account: those come
    only from an invitation by the young person's practitioner (myspace)."""
    if role in SPACE_ROLES:
        raise PermissionDenied


def _access_values(user: User) -> dict[str, Any]:
    return {
        "role": user.role,
        "organisation": user.organisation_id,
        "is_active": user.is_active,
        "email": user.email,
    }


def _normalise(values: dict[str, Any]) -> dict[str, Any]:
    out = dict(values)
    if isinstance(out.get("organisation"), Organisation):
        out["organisation"] = out["organisation"].pk
    return out


def gives_record_route(before: dict[str, Any] | None, after: dict[str, Any]) -> bool:
    """Whether going from ``before`` (None: a new account) to ``after`` opens a route to records
    that needs a second person. Only an active account with a record role has one; any change of
    role, organisation, e-mail or activation that ends there counts (a practitioner made duty
    worker gains break-glass; a new address receives the enrolment code and password reset)."""
    if after.get("role") not in RECORD_ROLES or not after.get("is_active"):
        return False
    if before is None:
        return True
    return any(before.get(field) != after.get(field) for field in ACCESS_FIELDS)


def service_concerned(*, role: str, organisation_id: int | None, requested_by: User | None) -> Organisation | None:
    """Whose managers decide (ADR 009): a service role in a service → that service. A partner
    (or a service role outside a service) → the requester's own service when they work in one;
    otherwise None, meaning any active service manager of the deployment."""
    if role in SERVICE_ROLES and organisation_id is not None:
        organisation = Organisation.objects.filter(pk=organisation_id).first()
        if organisation is not None and organisation.type == OrganisationType.SERVICE:
            return organisation
    if requested_by is not None and requested_by.organisation is not None:
        if requested_by.organisation.type == OrganisationType.SERVICE:
            return requested_by.organisation
    return None


def deciders(access_request: AccessRequest) -> models.QuerySet[User]:
    """The service managers who may decide ``access_request``."""
    managers = User.objects.filter(
        role=Role.SERVICE_MANAGER, is_active=True, organisation__type=OrganisationType.SERVICE
    )
    if access_request.service_id is not None:
        managers = managers.filter(organisation_id=access_request.service_id)
    managers = managers.exclude(pk=access_request.account_id)
    if access_request.requested_by_id is not None:
        managers = managers.exclude(pk=access_request.requested_by_id)
    return managers


def waiting_for(manager: User) -> models.QuerySet[AccessRequest]:
    """Pending requests ``manager`` may decide (the "requests waiting" page); none for anyone else."""
    if not (manager.is_authenticated and manager.is_active and manager.role == Role.SERVICE_MANAGER):
        return AccessRequest.objects.none()
    if manager.organisation is None or manager.organisation.type != OrganisationType.SERVICE:
        return AccessRequest.objects.none()
    return (
        AccessRequest.objects.filter(outcome=AccessRequestOutcome.PENDING)
        .filter(models.Q(service=manager.organisation) | models.Q(service=None))
        .exclude(account=manager)
        .exclude(requested_by=manager)
        .select_related("account", "account__organisation", "requested_by")
    )


def pending_request(user: User) -> AccessRequest | None:
    return AccessRequest.objects.filter(account=user, outcome=AccessRequestOutcome.PENDING).first()


def _open_request(*, by: User | None, user: User, requested: dict[str, Any], creates: bool) -> AccessRequest:
    """Store a request, replacing the account's pending one (the newer asks for what is wanted
    now; the replaced one is closed and audited), and tell the managers."""
    previous_pending = AccessRequest.objects.select_for_update().filter(
        account=user, outcome=AccessRequestOutcome.PENDING
    )
    for old in previous_pending:
        # Replacing the request that created the account keeps it a creation (the approver
        # then chooses how the new holder gets their enrolment code).
        creates = creates or old.creates_account
        old.outcome = AccessRequestOutcome.REPLACED
        old.decided_at = timezone.now()
        old.save(update_fields=["outcome", "decided_at"])
        record(actor=by, action=Action.UPDATE, obj=old, detail={"access_request": "replaced"}, route=Route.UI)
    access_request = AccessRequest.objects.create(
        account=user,
        creates_account=creates,
        requested=requested,
        previous=_access_values(user),
        service=service_concerned(role=requested["role"], organisation_id=requested["organisation"], requested_by=by),
        requested_by=by,
    )
    record(
        actor=by,
        action=Action.CREATE,
        obj=access_request,
        route=Route.UI if by is not None else Route.SYSTEM,
        detail={"access_request_for": user.pk, "requested": requested, "new_account": creates},
    )
    _tell_managers(access_request)
    return access_request


def _tell_managers(access_request: AccessRequest) -> None:
    """One email per manager who may decide, in their language, naming no child (and no
    account either: the page behind sign-in shows what is asked)."""
    link = settings.NYTH_SITE_URL + _requests_path()
    for manager in deciders(access_request).exclude(email=""):
        with translation.override(manager.preferred_language or "en"):
            subject = _("Nyth: an account change is waiting for your approval")
            body = _(
                "An administrator has asked for an account change that gives access to records. It "
                "takes effect only when a service manager approves it. See the requests waiting: %(link)s"
            ) % {"link": link}
        send_once(event_key=f"access-request:{access_request.pk}", to=manager.email, subject=subject, body=body)


def _requests_path() -> str:
    from django.urls import reverse

    return reverse("accounts:access_requests")


@transaction.atomic
def create_user(*, by: User, values: NewAccountValues) -> tuple[User, AccessRequest | None]:
    """Create an account with no usable password: only the holder ever sets one (through the
    enrolment code). An account with a record role is created inactive and waits for approval;
    any other gets its enrolment code by email at once."""
    _require_admin(by)
    given: dict[str, Any] = {field: value for field, value in values.items() if field in NEW_ACCOUNT_FIELDS}
    _refuse_space_role(given.get("role"))
    requested_active = bool(given.pop("is_active", True))
    user = User(**given)
    user.set_unusable_password()
    after = _normalise(
        {field: getattr(user, field if field != "organisation" else "organisation_id") for field in ACCESS_FIELDS}
    )
    after["is_active"] = requested_active
    needs_approval = gives_record_route(None, after)
    user.is_active = requested_active and not needs_approval
    user.full_clean(exclude=["password"])
    user.save()
    record(
        actor=by,
        action=Action.CREATE,
        obj=user,
        detail={"role": user.role, "waiting_for_approval": needs_approval},
        route=Route.UI,
    )
    if needs_approval:
        return user, _open_request(by=by, user=user, requested=after, creates=True)
    if user.is_active:
        enrolment.issue(user=user, by=by, deliver="email")
    return user, None


@transaction.atomic
def update_user(*, by: User, user: User, values: AccountValues) -> tuple[User, AccessRequest | None]:
    """Apply ``values``; those that would open a route to records wait in an AccessRequest
    (returned) while the rest apply at once."""
    _require_admin(by)
    user = User.objects.select_for_update().get(pk=user.pk)
    given = _normalise({field: value for field, value in values.items() if field in ACCOUNT_FIELDS})
    _refuse_space_role(user.role)
    _refuse_space_role(given.get("role"))
    if "organisation" in given:
        given["organisation_id"] = given.pop("organisation")
    if user.pk == by.pk and (
        ("role" in given and given["role"] != user.role)
        or ("organisation_id" in given and given["organisation_id"] != user.organisation_id)
    ):
        raise SelfChangeRefused(_("You cannot change your own role or organisation."))
    before = _access_values(user)
    after = dict(before)
    for field in ACCESS_FIELDS:
        key = "organisation_id" if field == "organisation" else field
        if key in given:
            after[field] = given[key]
    access_request = None
    if gives_record_route(before, after):
        for field in ACCESS_FIELDS:
            given.pop("organisation_id" if field == "organisation" else field, None)
        access_request = _open_request(by=by, user=user, requested=after, creates=False)
    changed = [field for field, value in given.items() if getattr(user, field) != value]
    for field in changed:
        setattr(user, field, given[field])
    if changed:
        user.full_clean(exclude=["password"])
        user.save()
        record(
            actor=by,
            action=Action.UPDATE,
            obj=user,
            detail={"fields": [f.removesuffix("_id") for f in changed]},
            route=Route.UI,
        )
    return user, access_request


@dataclass(frozen=True)
class Approval:
    access_request: AccessRequest
    #: The clear enrolment code when the approver chose to hand it over (shown once), else None.
    code: str | None
    #: The account changed after the request: it was closed (STALE), nothing applied.
    stale: bool = False


def _check_decider(*, by: User, access_request: AccessRequest) -> None:
    if not deciders(access_request).filter(pk=by.pk).exists():
        raise PermissionDenied


@transaction.atomic
def approve(*, by: User, request_pk: int, deliver: str = "email") -> Approval:
    """Apply a pending request. The request and account rows are locked, so two managers
    approving at once apply it once (the second finds it decided). A request whose account
    changed since it was made is closed as stale."""
    access_request = AccessRequest.objects.select_for_update().get(pk=request_pk)
    _check_decider(by=by, access_request=access_request)
    if not access_request.is_pending:
        raise DecisionRefused(_("This request has already been decided or replaced."))
    user = User.objects.select_for_update().get(pk=access_request.account_id)
    now = timezone.now()
    if _access_values(user) != access_request.previous:
        access_request.outcome, access_request.decided_by, access_request.decided_at = (
            AccessRequestOutcome.STALE,
            by,
            now,
        )
        access_request.save(update_fields=["outcome", "decided_by", "decided_at"])
        record(actor=by, action=Action.REVIEW, obj=access_request, detail={"access_request": "stale"}, route=Route.UI)
        _tell_requester(access_request)
        # Returned, not raised: the closing must commit.
        return Approval(access_request=access_request, code=None, stale=True)
    requested = access_request.requested
    user.role = requested["role"]
    user.organisation_id = requested["organisation"]
    user.is_active = requested["is_active"]
    user.email = requested["email"]
    user.full_clean(exclude=["password"])
    user.save()
    access_request.outcome, access_request.decided_by, access_request.decided_at = (
        AccessRequestOutcome.APPROVED,
        by,
        now,
    )
    access_request.save(update_fields=["outcome", "decided_by", "decided_at"])
    record(
        actor=by,
        action=Action.REVIEW,
        obj=access_request,
        detail={"access_request": "approved", "applied": requested},
        route=Route.UI,
    )
    record(
        actor=by,
        action=Action.UPDATE,
        obj=user,
        detail={"fields": list(ACCESS_FIELDS), "access_request": access_request.pk},
        route=Route.UI,
    )
    code = None
    # A new account (no password yet), or one without an authenticator and no usable code, needs
    # a code to enrol; an account that already signs in with two factors does not.
    has_device = user_has_device(user, confirmed=True)  # an app or a passkey
    if not user.has_usable_password() or (not has_device and enrolment.outstanding(user) is None):
        code = enrolment.issue(user=user, by=by, deliver="shown" if deliver == "shown" else "email")
    _tell_requester(access_request)
    return Approval(access_request=access_request, code=code)


@transaction.atomic
def refuse(*, by: User, request_pk: int, reason: str) -> AccessRequest:
    access_request = AccessRequest.objects.select_for_update().get(pk=request_pk)
    _check_decider(by=by, access_request=access_request)
    if not access_request.is_pending:
        raise DecisionRefused(_("This request has already been decided or replaced."))
    if not reason.strip():
        raise DecisionRefused(_("Enter why you are refusing this request."))
    access_request.outcome, access_request.decided_by, access_request.decided_at = (
        AccessRequestOutcome.REFUSED,
        by,
        timezone.now(),
    )
    access_request.reason = reason.strip()
    access_request.save(update_fields=["outcome", "decided_by", "decided_at", "reason"])
    record(
        actor=by,
        action=Action.REVIEW,
        obj=access_request,
        reason=access_request.reason,
        detail={"access_request": "refused"},
        route=Route.UI,
    )
    _tell_requester(access_request)
    return access_request


def _tell_requester(access_request: AccessRequest) -> None:
    requester = access_request.requested_by
    if requester is None or not requester.email:
        return
    with translation.override(requester.preferred_language or "en"):
        subject = _("Nyth: your account change request was decided")
        body = _("Your request to change the account of %(name)s: %(outcome)s.%(reason)s") % {
            "name": access_request.account,
            "outcome": access_request.get_outcome_display(),
            "reason": ("\n\n" + access_request.reason) if access_request.reason else "",
        }
    send_once(event_key=f"access-request-outcome:{access_request.pk}", to=requester.email, subject=subject, body=body)


def remove_passkeys(user: User) -> int:
    """Remove the account's passkeys (ADR 020): with a lost phone they go with the app's key."""
    removed, _ = WebAuthnCredential.objects.filter(user=user).delete()
    return removed


@transaction.atomic
def reset_two_factor(*, by: User, user: User) -> int:
    """Remove the user's authenticator devices and email them a new enrolment code: they set
    up a new device at their next sign-in, and the administrator never sees the code."""
    _require_admin(by)
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    removed += remove_passkeys(user)
    record(actor=by, action=Action.UPDATE, obj=user, detail={"two_factor_reset": True}, route=Route.UI)
    if user.is_active:
        enrolment.issue(user=user, by=by, deliver="email")
    return removed


@transaction.atomic
def set_language(*, user: User, language: str) -> None:
    """The person's own choice of language (sign-in form or their account page), audited when it changes."""
    if user.preferred_language == language:
        return
    user.preferred_language = language
    user.full_clean(exclude=["password"])
    user.save(update_fields=["preferred_language"])
    record(actor=user, action=Action.UPDATE, obj=user, detail={"fields": ["preferred_language"]}, route=Route.UI)


def create_first_manager(
    *, service: Organisation, username: str, email: str, first_name: str, last_name: str
) -> tuple[User, str]:
    """The operator command's write: the first manager of a service with none. No password is
    set; the returned enrolment code is for the operator to hand over, once."""
    if service.type != OrganisationType.SERVICE:
        raise DecisionRefused(_("%(code)s is not a therapeutic support service.") % {"code": service.code})
    Organisation.objects.select_for_update().get(pk=service.pk)
    if User.objects.filter(organisation=service, role=Role.SERVICE_MANAGER, is_active=True).exists():
        raise DecisionRefused(
            _("%(code)s already has an active service manager: they approve new accounts.") % {"code": service.code}
        )
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        organisation=service,
        role=Role.SERVICE_MANAGER,
        is_active=True,
    )
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    record(
        actor=None,
        action=Action.CREATE,
        obj=user,
        route=Route.SYSTEM,
        detail={"role": user.role, "operator_command": "create_first_manager", "service": service.code},
    )
    code = enrolment.issue(user=user, by=None, deliver="shown")
    if code is None:  # "shown" always returns the code; a real check, not an assert (python -O)
        raise RuntimeError("enrolment.issue returned no code for delivery 'shown'")
    return user, code
