"""What the space contributes to the plan review page: what the young person wants to say at
this review ("Before my review"), the way ``outcomes/plan_review.py`` contributes the outcomes.
Reads through the reader's whole-record scope (the review page is the care team's)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import F

from myspace.models import ReviewNote

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from accounts.models import User
    from people.models import Child


def for_plan_review(user: User, child: Child) -> QuerySet[ReviewNote]:
    """Unread notes first, then the newest read ones, so what is new is at the top."""
    return (
        ReviewNote.objects.visible_to(user)
        .filter(child=child)
        .select_related("read_by")
        # Unread first on every database (PostgreSQL sorts NULLs last by default, SQLite first).
        .order_by(F("read_at").asc(nulls_first=True), "-created_at", "-pk")[:10]
    )
