"""The manager's data-quality checks (issue 15, "Data quality"; docs/data-quality.md).

Each check is a named queryset builder over the manager's own service's records, reached
through the one scope (``visible_to``): this is *not* an aggregate door like
``reporting.queries`` – the page counts the rows of each check and lists them, linked to the
records, so a manager can put them right. Each builder returns the rows; the page's count is
that queryset's ``count()`` (one query per check, whatever the size of the register), and the
list pages paginate the same queryset, so the number a manager clicks is the number of rows
the list holds.

Every check has a definition in both languages (``Check.definition``), shown beside its count.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from contacts.models import Attendance, Contact
from core.workdays import add_working_days
from outcomes import schedule
from outcomes.models import MeasurementPoint
from people.models import ActiveOfferResponse, Child, Ethnicity
from referrals.models import Referral, Status

if TYPE_CHECKING:
    from accounts.models import User

#: The ten repeated-digit numbers (0000000000 … 9999999999). Each passes the modulus-11 check
#: (10·d ≡ −d mod 11, so the check digit of d…d is d), so validation lets them through; they are
#: typed when the real number is not to hand, and they would match unrelated children to each
#: other (issue 18 needs them found).
PLACEHOLDER_NHS_NUMBERS: tuple[str, ...] = tuple(str(digit) * 10 for digit in range(10))


class RowKind(StrEnum):
    """What a check lists: the list page shows each kind with its own columns."""

    CHILDREN = "children"
    REFERRALS = "referrals"
    POINTS = "points"
    CONTACTS = "contacts"


@dataclass(frozen=True)
class Check:
    """One data-quality check: its address (``slug``, also its URL name), its title and
    definition in both languages, what it lists, and the builder of its rows for a manager
    on a day."""

    slug: str
    title: Promise
    definition: Promise
    kind: RowKind
    rows: Callable[[User, datetime.datetime], QuerySet[Any]]


def may_see_quality(user: Any) -> bool:
    """Service managers of a service only. Duty workers triage referrals but do not own the
    service's records; practitioners see their caseload's gaps on their own pages."""
    return bool(getattr(user, "is_authenticated", False) and user.role == Role.SERVICE_MANAGER and user.organisation_id)


def undecided_working_days() -> int:
    """How many working days a referral may wait for a decision before the check lists it
    (``NYTH_DATA_QUALITY_UNDECIDED_DAYS``, by default the referrals module's own target for an
    initial consultation, ``NYTH_INITIAL_CONSULTATION_WORKING_DAYS``)."""
    return int(settings.NYTH_DATA_QUALITY_UNDECIDED_DAYS)


# --- Records of the service ----------------------------------------------------------------------


def service_children(user: User) -> QuerySet[Child]:
    """The records the manager's service holds and still uses (not merged away), through the
    one scope."""
    return Child.objects.visible_to(user).current().filter(service_id=user.organisation_id)


def missing_nhs_number(user: User, now: datetime.datetime) -> QuerySet[Child]:
    return service_children(user).filter(nhs_number="")


def placeholder_nhs_number(user: User, now: datetime.datetime) -> QuerySet[Child]:
    return service_children(user).filter(nhs_number__in=PLACEHOLDER_NHS_NUMBERS)


def missing_legal_status(user: User, now: datetime.datetime) -> QuerySet[Child]:
    # The form requires it, but imports and records made before the field was required can
    # hold an empty value.
    return service_children(user).filter(legal_status="")


def ethnicity_not_recorded(user: User, now: datetime.datetime) -> QuerySet[Child]:
    return service_children(user).filter(ethnicity="")


def ethnicity_declined(user: User, now: datetime.datetime) -> QuerySet[Child]:
    # "Not stated" (Ethnicity.NOT_STATED) is the young person's answer that they would rather
    # not say: recorded, not missing. It is counted apart so nobody "corrects" a refusal.
    return service_children(user).filter(ethnicity=Ethnicity.NOT_STATED)


def active_offer_not_recorded(user: User, now: datetime.datetime) -> QuerySet[Child]:
    # "Not made yet" is the field's default: nothing has been recorded about the offer.
    return service_children(user).filter(active_offer=ActiveOfferResponse.NOT_MADE)


def possible_duplicates(user: User, now: datetime.datetime) -> QuerySet[Child]:
    """Records sharing, with another record of the service, a real NHS number, or the date of
    birth and both sound-alike name keys (``people.identity``'s blocking keys). A quick rule
    the database answers for the whole register; the record's own "Possible duplicates" page
    then runs the full matcher with its reasons."""
    others = service_children(user).exclude(pk=OuterRef("pk"))
    same_number = others.filter(nhs_number=OuterRef("nhs_number"))
    same_person = others.filter(
        date_of_birth=OuterRef("date_of_birth"),
        name_key_given=OuterRef("name_key_given"),
        name_key_family=OuterRef("name_key_family"),
    )
    real_number = ~Q(nhs_number="") & ~Q(nhs_number__in=PLACEHOLDER_NHS_NUMBERS)
    named = ~Q(name_key_given="") & ~Q(name_key_family="")
    return service_children(user).filter((real_number & Exists(same_number)) | (named & Exists(same_person)))


# --- Referrals, measures, contacts ------------------------------------------------------------


def decision_cutoff(today: datetime.date, days: int) -> datetime.datetime:
    """The first moment of the first day whose referrals are *not* yet overdue: a referral
    received before it has waited more than ``days`` working days by ``today`` (today is after
    the day ``days`` working days after it was received – the referrals module's rule for an
    overdue initial consultation, ``referrals.services.consultations_overdue``)."""
    # add_working_days never decreases as its start moves later: walk back to the last day
    # whose due date is before today (a few steps: ``days`` working days and the weekends).
    last_start = today - datetime.timedelta(days=1)
    while add_working_days(last_start, days) >= today:
        last_start -= datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(last_start + datetime.timedelta(days=1), datetime.time.min))


def undecided_referrals(user: User, now: datetime.datetime) -> QuerySet[Referral]:
    cutoff = decision_cutoff(timezone.localdate(now), undecided_working_days())
    return (
        Referral.objects.visible_to(user)
        .filter(service_id=user.organisation_id, status=Status.RECEIVED, received_at__lt=cutoff)
        .order_by("received_at", "pk")
    )


def overdue_measures(user: User, now: datetime.datetime) -> QuerySet[MeasurementPoint]:
    return schedule.service_overdue(user, today=timezone.localdate(now))


def contacts_without_outcome(user: User, now: datetime.datetime) -> QuerySet[Contact]:
    """Booked sessions whose time has passed with what happened not recorded
    (``Contact.awaiting_outcome``: the attendance is still "booked")."""
    return (
        Contact.objects.visible_to(user)
        .filter(
            child__service_id=user.organisation_id,
            child__merged_into__isnull=True,
            attendance=Attendance.BOOKED,
            starts_at__lte=now,
        )
        .order_by("starts_at", "pk")
    )


CHECKS: tuple[Check, ...] = (
    Check(
        "missing-nhs-number",
        _("No NHS number"),
        _("Records of the service with no NHS number recorded. Placeholder numbers are counted below, not here."),
        RowKind.CHILDREN,
        missing_nhs_number,
    ),
    Check(
        "placeholder-nhs-number",
        _("Placeholder NHS number"),
        _(
            "Records holding one of the ten repeated-digit numbers (0000000000 to 9999999999): they pass the check digit but are not real NHS numbers."
        ),
        RowKind.CHILDREN,
        placeholder_nhs_number,
    ),
    Check(
        "missing-legal-status",
        _("No legal status"),
        _("Records of the service with no legal status recorded."),
        RowKind.CHILDREN,
        missing_legal_status,
    ),
    Check(
        "ethnicity-not-recorded",
        _("Ethnic group not recorded"),
        _("Records with no ethnic group recorded: nobody has asked, or the answer was not written down."),
        RowKind.CHILDREN,
        ethnicity_not_recorded,
    ),
    Check(
        "ethnicity-declined",
        _("Ethnic group not stated"),
        _(
            "Records where the young person chose not to say their ethnic group (“Not stated”). This is an answer, not a gap: shown so it is not mistaken for one."
        ),
        RowKind.CHILDREN,
        ethnicity_declined,
    ),
    Check(
        "active-offer-not-recorded",
        _("Active Offer not recorded"),
        _("Records where the Welsh language Active Offer is still “Not made yet”."),
        RowKind.CHILDREN,
        active_offer_not_recorded,
    ),
    Check(
        "possible-duplicates",
        _("Possible duplicate records"),
        _(
            "Records sharing a real NHS number, or the date of birth and similar-sounding first and last names, with another record of the service. Open a record's possible duplicates to compare and merge."
        ),
        RowKind.CHILDREN,
        possible_duplicates,
    ),
    Check(
        "undecided-referrals",
        _("Referrals without a decision"),
        _(
            "Referrals to the service still waiting for a decision more than the set number of working days after they were received."
        ),
        RowKind.REFERRALS,
        undecided_referrals,
    ),
    Check(
        "overdue-measures",
        _("Overdue outcome measures"),
        _("Measurement points past their date and not yet recorded or marked not done."),
        RowKind.POINTS,
        overdue_measures,
    ),
    Check(
        "contacts-without-outcome",
        _("Contacts without an outcome"),
        _("Booked contacts whose time has passed with what happened not recorded."),
        RowKind.CONTACTS,
        contacts_without_outcome,
    ),
)

CHECKS_BY_SLUG: dict[str, Check] = {check.slug: check for check in CHECKS}


@dataclass(frozen=True)
class CheckCount:
    check: Check
    count: int


def summary(user: User, now: datetime.datetime | None = None) -> list[CheckCount]:
    """Every check's count for the manager's service: one count query per check."""
    now = now or timezone.now()
    return [CheckCount(check, check.rows(user, now).count()) for check in CHECKS]


def list_rows(check: Check, user: User, now: datetime.datetime | None = None) -> QuerySet[Any]:
    """A check's rows with what its list shows, joined in the same query (a fixed number of
    queries per page, whatever the size of the list)."""
    now = now or timezone.now()
    rows = check.rows(user, now)
    if check.kind == RowKind.REFERRALS:
        return rows.select_related("child")
    if check.kind == RowKind.POINTS:
        return rows.select_related("child")
    if check.kind == RowKind.CONTACTS:
        return rows.select_related("child", "practitioner")
    return rows.order_by("family_name", "given_name", "pk")


def children_of(check: Check, rows: list[Any]) -> list[int | None]:
    """The ids of the children a page of rows names (for its LIST audit event)."""
    if check.kind == RowKind.CHILDREN:
        return [row.pk for row in rows]
    return [row.child_id for row in rows]
