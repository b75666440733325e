"""What django-simple-history writes on a row's next historical version.

simple-history takes the version's author, date and change reason from private attributes set
on the instance before ``save()`` (``_history_user``, ``_history_date``, ``_change_reason``).
They are set here, in one typed place, rather than as untyped attribute writes in every app.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from accounts.models import User


def mark_version(
    instance: models.Model,
    *,
    by: User | None = None,
    at: datetime.datetime | None = None,
    reason: str | None = None,
) -> None:
    """Attribute the version the next ``instance.save()`` records: who, when (default: now)
    and why (simple-history keeps 100 characters)."""
    if by is not None:
        instance._history_user = by  # type: ignore[attr-defined]
    if at is not None:
        instance._history_date = at  # type: ignore[attr-defined]
    if reason is not None:
        instance._change_reason = reason  # type: ignore[attr-defined]
