"""Account administration: every change is audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role, User
from audit.models import Action
from audit.services import record


def _require_admin(by: User) -> None:
    if by.role != Role.ADMINISTRATOR:
        raise PermissionDenied


@transaction.atomic
def create_user(*, by: User, values: dict[str, Any], password: str) -> User:
    _require_admin(by)
    user = User(**values)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    record(actor=by, action=Action.CREATE, obj=user, detail={"role": user.role})
    return user


@transaction.atomic
def update_user(*, by: User, user: User, values: dict[str, Any]) -> User:
    _require_admin(by)
    changed = [field for field, value in values.items() if getattr(user, field) != value]
    for field in changed:
        setattr(user, field, values[field])
    if changed:
        user.full_clean(exclude=["password"])
        user.save()
        record(actor=by, action=Action.UPDATE, obj=user, detail={"fields": changed})
    return user


@transaction.atomic
def reset_two_factor(*, by: User, user: User) -> int:
    """Remove the user's authenticator devices: they set up a new one at their next sign-in."""
    _require_admin(by)
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    record(actor=by, action=Action.UPDATE, obj=user, detail={"two_factor_reset": True})
    return removed


@transaction.atomic
def set_language(*, user: User, language: str) -> None:
    """The person's own choice of language (sign-in form or their account page), audited when it changes."""
    if user.preferred_language == language:
        return
    user.preferred_language = language
    user.full_clean(exclude=["password"])
    user.save(update_fields=["preferred_language"])
    record(actor=user, action=Action.UPDATE, obj=user, detail={"fields": ["preferred_language"]})
