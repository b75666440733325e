"""One care-team inbox: whatever a young person sends from their space, with one read rule.

A check-in, a "before my review", a request (add someone to my nest, change a session) and a
notice (a consent withdrawn, a request to withdraw, "why did this person look?") each stay in
their own table, with the same fields from ``myspace.models.FromTheirSpace``: a read-by date
(``NYTH_SPACE_READ_WITHIN_WORKING_DAYS`` Welsh working days after it was sent, told to the young
person), who read it and when, and the practitioner's short reply. Every one is marked read (a
notice "done") here, by ``mark_read``: the care team only (``require_change``), once, audited
with the reader's route; the reply is shown back in the space where it was sent.

Alerts are not in the inbox: they have their own pick-up and escalation (``myspace.voice``), and
the pages list them first. Reads take the record already reached through the one scope, or the
reader's scope (``visible_to``); each list costs one query per table, whatever its length."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.models import Action
from audit.services import record
from core.forms import reject_markup
from core.text_language import TextLanguage, interface_language
from myspace.models import (
    REPLY_MAX,
    CareTeamNotice,
    CheckIn,
    FromTheirSpace,
    NoticeKind,
    RequestKind,
    ReviewNote,
    SpaceRequest,
)
from people.access import audit_route, require_change
from people.models import CareTeamMembership, Child

if TYPE_CHECKING:
    from accounts.models import User


@dataclass(frozen=True)
class Kind:
    """One of the four tables of the inbox, as the pages and the URLs name it."""

    slug: str
    #: One of the four tables (typed loosely: the plugin reads an abstract model's fields only).
    model: Any
    label: Any  # a lazy translation
    #: The related rows each page shows beside the item (one join, not a query per row).
    related: tuple[str, ...]
    #: The young person sees the reply on the page where they sent it. A check-in has no page
    #: of past check-ins yet, so it is only read, not answered there.
    answered: bool


KINDS: dict[str, Kind] = {
    kind.slug: kind
    for kind in (
        Kind("checkin", CheckIn, gettext_lazy("Check-in"), ("child", "read_by"), answered=False),
        Kind("review", ReviewNote, gettext_lazy("Before my review"), ("child", "read_by"), answered=True),
        Kind("request", SpaceRequest, gettext_lazy("Request"), ("child", "read_by", "contact"), answered=True),
        Kind(
            "notice",
            CareTeamNotice,
            gettext_lazy("Notice"),
            ("child", "read_by", "consent", "consent__recipient_organisation", "consent__recipient_person"),
            answered=True,
        ),
    )
}


def kind_of(item: FromTheirSpace) -> Kind:
    return next(kind for kind in KINDS.values() if isinstance(item, kind.model))


@dataclass(frozen=True)
class Item:
    """One row of the inbox, whatever its table (the template reads ``obj`` for its own fields)."""

    kind: Kind
    obj: Any
    overdue: bool

    @property
    def child_id(self) -> int:
        return int(self.obj.child_id)

    @property
    def read_at(self) -> datetime.datetime | None:
        value: datetime.datetime | None = self.obj.read_at
        return value


def _rows(querysets: Sequence[tuple[Kind, QuerySet[Any]]], today: datetime.date) -> list[Item]:
    """Unread first, the earliest due first; then what was read, newest first. Sorted here, not
    in SQL, so no database's order of NULLs decides it (PostgreSQL sorts them last, SQLite
    first)."""
    items = [Item(kind, obj, obj.is_overdue(today)) for kind, queryset in querysets for obj in queryset]
    unread = sorted(
        (i for i in items if i.read_at is None), key=lambda i: (i.obj.read_by_date, i.obj.created_at, i.kind.slug)
    )
    read = sorted((i for i in items if i.read_at is not None), key=lambda i: i.obj.created_at, reverse=True)
    return unread + read


def items_for_child(child: Child, *, today: datetime.date | None = None) -> list[Item]:
    """Everything ``child`` (a record already reached through the reader's scope) sent from
    their space, in the inbox's order. Four queries whatever their number."""
    today = today or timezone.localdate()
    return _rows(
        [(k, k.model.objects.filter(child=child).select_related(*k.related)) for k in KINDS.values()],
        today,
    )


def _caseload(user: User) -> QuerySet[Child]:
    """The records of ``user``'s care teams, through their scope: the inbox is the care team's."""
    mine = CareTeamMembership.objects.filter(user=user, ended_at__isnull=True).values("child_id")
    return Child.objects.visible_to(user).filter(pk__in=mine)


def waiting_for(user: User, *, limit: int, today: datetime.date | None = None) -> list[Item]:
    """What waits to be read on ``user``'s caseload, the earliest due first (at most ``limit``
    of each kind: the home panel has the full counts). Four queries whatever the caseload."""
    today = today or timezone.localdate()
    children = _caseload(user)
    querysets = [
        (
            k,
            k.model.objects.filter(child__in=children, read_at__isnull=True)
            .select_related(*k.related)
            .order_by("read_by_date", "created_at", "pk")[:limit],
        )
        for k in KINDS.values()
    ]
    return _rows(querysets, today)


@dataclass(frozen=True)
class Counts:
    unread: int
    overdue: int
    #: Notices are told at once (a consent withdrawn): the panel shows them as a warning.
    notices: int


def counts_for(user: User, *, today: datetime.date | None = None) -> Counts:
    """Unread and overdue on ``user``'s caseload: one aggregate query per table."""
    today = today or timezone.localdate()
    children = _caseload(user)
    unread = overdue = notices = 0
    for kind in KINDS.values():
        totals = kind.model.objects.filter(child__in=children, read_at__isnull=True).aggregate(
            unread=Count("pk"), overdue=Count("pk", filter=Q(read_by_date__lt=today))
        )
        unread += totals["unread"]
        overdue += totals["overdue"]
        if kind.model is CareTeamNotice:
            notices = totals["unread"]
    return Counts(unread, overdue, notices)


def item_of(child: Child, slug: str, pk: int) -> FromTheirSpace | None:
    """One of ``child``'s items by its kind and id, or None (another child's, or no such kind)."""
    kind = KINDS.get(slug)
    if kind is None:
        return None
    found: FromTheirSpace | None = kind.model.objects.filter(child=child, pk=pk).select_related("child").first()
    return found


def clean_reply(reply: str) -> str:
    reply = (reply or "").strip()
    errors: list[str] = []
    if len(reply) > REPLY_MAX:
        errors.append(_("Write %(max)d characters or fewer") % {"max": REPLY_MAX})
    try:
        reject_markup(reply)
    except ValidationError as exc:
        errors.extend(exc.messages)
    if errors:
        raise ValidationError({"reply": errors})
    return reply


@transaction.atomic
def mark_read(*, by: User, item: FromTheirSpace, reply: str = "", reply_language: str = "") -> FromTheirSpace:
    """The one rule: a member of the care team (or the service's managers: ``require_change``,
    404 outside the scope, 403 for a reader who may not change the record) has read ``item``,
    with an optional short reply the young person sees. Once: the first reader is kept and a
    second marking is refused (its reply would be lost). A refused reply saves nothing."""
    child = Child.objects.get(pk=item.child_id)  # type: ignore[attr-defined]  # every inbox table has a child
    require_change(by, child)
    reply = clean_reply(reply)
    kind = kind_of(item)
    locked = kind.model.objects.select_for_update().get(pk=item.pk)
    if locked.read_at is not None:
        raise ValidationError(_("This was already marked as read on %(date)s.") % {"date": _when(locked.read_at)})
    locked.read_at, locked.read_by = timezone.now(), by
    locked.reply = reply
    locked.reply_language = (
        (reply_language if reply_language in TextLanguage.values else interface_language()) if reply else ""
    )
    # notify: something new
    locked.save(update_fields=["read_at", "read_by", "reply", "reply_language"])
    record(
        actor=by,
        action=Action.REVIEW,
        obj=locked,
        child_id=child.pk,
        route=audit_route(by, child),
        detail={"read": True, "kind": kind.slug, "replied": bool(reply)},
    )
    item.read_at, item.read_by, item.reply, item.reply_language = (
        locked.read_at,
        by,
        locked.reply,
        locked.reply_language,
    )
    return locked


def _when(moment: datetime.datetime) -> str:
    return date_format(timezone.localtime(moment), "j F Y")


# --- What the young person sees back, on the page where they sent it -------------------------


def requests_sent(child: Child, kind: str) -> list[SpaceRequest]:
    """Their requests of one kind (my nest: add someone; my sessions: change a session),
    newest first, with who read each (one query)."""
    if kind not in RequestKind.values:
        return []
    return list(SpaceRequest.objects.filter(child=child, kind=kind).select_related("read_by", "contact"))


def notices_sent(child: Child, kinds: tuple[str, ...]) -> list[CareTeamNotice]:
    """Their notices of these kinds (my consents: stop sharing; who has seen my story: why did
    they look), newest first, with who read each (one query)."""
    return list(
        CareTeamNotice.objects.filter(
            child=child, kind__in=[k for k in kinds if k in NoticeKind.values]
        ).select_related("read_by")
    )
