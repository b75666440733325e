"""The help-now numbers, from one place. Every page that tells someone where to get help now
(Help now, "I need help", the alert sent, the public feedback pages) renders the same
``myspace.HelpLine`` rows through one inclusion tag (``{% help_now_lines %}``,
``myspace/templatetags/help_now.py``); 999 is fixed text in that one template, because it is not a
help line a manager keeps, and it is shown even when no line is listed.

The lines are not personal data and change a few times a year, while the feedback pages are
public (anyone, or a bot, may open them). So the rows are kept in memory for
``LINES_CACHE_SECONDS`` in each process: a page costs no query while they are fresh. A change
saved in this process is seen at once (the cache is dropped on every save or delete of a line);
another process sees it within the same time at most.

Help now also lists the service directory's out-of-hours entries that fit the young person
(``out_of_hours_entries``): read from the record the page already reached through the scope."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from myspace.models import HelpLine

if TYPE_CHECKING:
    from people.models import Child
    from referrals.models import DirectoryService

#: How long a process keeps the lines before reading them again.
LINES_CACHE_SECONDS = 60

_lock = threading.Lock()
_cached: tuple[float, list[HelpLine]] | None = None


def national_lines() -> list[HelpLine]:
    """The listed lines in their order: one query at most every ``LINES_CACHE_SECONDS``.
    Each row localises its own name and purpose when rendered (``HelpLine.name``), so one list
    serves both languages."""
    global _cached
    now = time.monotonic()
    with _lock:
        if _cached is not None and now - _cached[0] < LINES_CACHE_SECONDS:
            return _cached[1]
    lines = list(HelpLine.objects.filter(is_active=True).order_by("order", "pk"))
    with _lock:
        _cached = (now, lines)
    return lines


def forget_lines() -> None:
    """Drop the kept lines: the next page reads them again."""
    global _cached
    with _lock:
        _cached = None


@receiver([post_save, post_delete], sender=HelpLine)
def _line_changed(sender: Any, **kwargs: Any) -> None:
    # A signal, not an explicit call in the service: a number corrected in the admin, a data
    # migration or a test must not leave the old number on a page. (The audit stays explicit.)
    forget_lines()


def out_of_hours_entries(child: Child) -> list[DirectoryService]:
    """The service directory's entries available out of hours that fit ``child`` (a record
    already reached through the scope): listed, for their age today, and run by their own
    service or covering their local authority (an entry with no areas covers all of Wales)."""
    from referrals.models import DirectoryService

    age = child.age_on(timezone.localdate())
    fits_area = (
        Q(organisation_id=child.service_id) | Q(areas__isnull=True) | Q(areas=child.responsible_local_authority_id)
    )
    ids = (
        DirectoryService.objects.active()
        .filter(fits_area, out_of_hours=True, min_age__lte=age, max_age__gte=age)
        .values("pk")
    )
    return list(DirectoryService.objects.filter(pk__in=ids).order_by("name_en", "pk"))
