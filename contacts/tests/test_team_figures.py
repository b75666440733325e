"""The manager's team page at scale (issue 12 D): the figures counted with correlated subqueries
are exactly those of the join-and-COUNT(DISTINCT) query they replace, and of a count by hand."""

from __future__ import annotations

import datetime
import random

import pytest
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from accounts.tests.factories import UserFactory
from contacts import services
from contacts.models import Attendance, Contact, Kind
from people.models import CareTeamMembership
from people.tests.factories import ChildFactory

pytestmark = pytest.mark.django_db

FIGURES = ("caseload", "this_week", "consultations", "to_record", "missed")
STAFF = (Role.PRACTITIONER, Role.SERVICE_MANAGER, Role.DUTY_WORKER)


def _reference_by_joins(organisation, week_start, now):
    """The query the page ran before: every figure a COUNT(DISTINCT …) over one join of users,
    memberships and contacts (correct, and 23–28 s with 100,000 young people)."""
    since = now - datetime.timedelta(days=28)
    last = week_start + datetime.timedelta(days=7)
    rows = (
        User.objects.filter(organisation=organisation, role__in=STAFF, is_active=True)
        .annotate(
            caseload=Count("care_teams", filter=Q(care_teams__ended_at__isnull=True), distinct=True),
            this_week=Count(
                "contacts", filter=Q(contacts__starts_at__gte=week_start, contacts__starts_at__lt=last), distinct=True
            ),
            consultations=Count(
                "contacts",
                filter=Q(
                    contacts__starts_at__gte=since,
                    contacts__kind=Kind.CONSULTATION,
                    contacts__attendance=Attendance.ATTENDED,
                ),
                distinct=True,
            ),
            to_record=Count(
                "contacts",
                filter=Q(contacts__starts_at__lte=now, contacts__attendance=Attendance.BOOKED),
                distinct=True,
            ),
            missed=Count(
                "contacts",
                filter=Q(contacts__starts_at__gte=since, contacts__attendance=Attendance.DID_NOT_ATTEND),
                distinct=True,
            ),
        )
        .order_by("last_name", "first_name", "pk")
    )
    return [(u.pk, *(getattr(u, f) for f in FIGURES)) for u in rows]


def _reference_by_hand(organisation, week_start, now):
    """The same figures counted in Python from the rows themselves."""
    since = now - datetime.timedelta(days=28)
    last = week_start + datetime.timedelta(days=7)
    contacts = list(Contact.objects.all())
    memberships = list(CareTeamMembership.objects.all())
    rows = []
    staff = User.objects.filter(organisation=organisation, role__in=STAFF, is_active=True).order_by(
        "last_name", "first_name", "pk"
    )
    for user in staff:
        mine = [c for c in contacts if c.practitioner_id == user.pk]
        rows.append(
            (
                user.pk,
                sum(1 for m in memberships if m.user_id == user.pk and m.ended_at is None),
                sum(1 for c in mine if week_start <= c.starts_at < last),
                sum(
                    1
                    for c in mine
                    if c.starts_at >= since and c.kind == Kind.CONSULTATION and c.attendance == Attendance.ATTENDED
                ),
                sum(1 for c in mine if c.starts_at <= now and c.attendance == Attendance.BOOKED),
                sum(1 for c in mine if c.starts_at >= since and c.attendance == Attendance.DID_NOT_ATTEND),
            )
        )
    return rows


@pytest.fixture
def busy_service(south, north, alice, bob, manager, duty):
    """Two practitioners (one with a co-worked and an ended case), a duty worker with an
    out-of-hours contact, an inactive colleague, a colleague in another service, and contacts of
    every kind and outcome on both sides of each boundary (week, 28 days, now)."""
    rng = random.Random(12)  # noqa: S311 - test data
    now = timezone.now()
    gone = UserFactory(organisation=south, role=Role.PRACTITIONER, is_active=False)
    elsewhere = UserFactory(organisation=north, role=Role.PRACTITIONER)
    kids = [ChildFactory(service=south) for _ in range(6)]
    for index, kid in enumerate(kids):
        lead = alice if index % 2 else bob
        CareTeamMembership.objects.create(child=kid, user=lead, role="lead")
        if index == 0:
            CareTeamMembership.objects.create(child=kid, user=alice, role="practitioner")
        if index == 1:
            CareTeamMembership.objects.create(
                child=kid, user=bob, role="lead", ended_at=now - datetime.timedelta(days=3)
            )
    CareTeamMembership.objects.create(child=kids[2], user=gone, role="practitioner")
    offsets = [-40, -29, -28, -27, -10, -7, -6, -1, 0, 1, 3, 6, 8, 20]
    n = 0
    for who in (alice, bob, duty, gone, elsewhere):
        for _ in range(40):
            n += 1
            Contact.objects.create(
                child=rng.choice(kids),
                practitioner=who,
                recorded_by=who,
                location="home",
                kind=rng.choice([Kind.INDIVIDUAL, Kind.CONSULTATION, Kind.FAMILY, Kind.OUT_OF_HOURS]),
                attendance=rng.choice(
                    [Attendance.ATTENDED, Attendance.BOOKED, Attendance.DID_NOT_ATTEND, Attendance.CANCELLED_BY_CARER]
                ),
                starts_at=now + datetime.timedelta(days=rng.choice(offsets), minutes=rng.randint(-90, 90)),
                idempotency_key=f"team-{n}",
            )
    return now


def test_team_figures_equal_the_join_query_and_a_count_by_hand(south, busy_service):
    now = busy_service
    week_start = now - datetime.timedelta(days=now.weekday(), hours=now.hour, minutes=now.minute)
    new = [(u.pk, *(getattr(u, f) for f in FIGURES)) for u in services.team_rows(south, week_start=week_start, now=now)]
    assert new == _reference_by_joins(south, week_start, now)
    assert new == _reference_by_hand(south, week_start, now)
    # The data set exercises every figure (a comparison of zeros would prove nothing).
    for column in range(1, len(FIGURES) + 1):
        assert any(row[column] for row in new), FIGURES[column - 1]
    assert len(new) == 4  # alice, bob, the manager and the duty worker; not the inactive or the other service's


def test_team_rows_is_one_query(south, busy_service, django_assert_num_queries):
    with django_assert_num_queries(1):
        list(services.team_rows(south, week_start=busy_service, now=busy_service))


def test_team_page_shows_the_subquery_figures(client_for, manager, alice, south, busy_service):
    page = client_for(manager).get(reverse("contacts:team")).content.decode()
    row = next(u for u in services.team_rows(south, week_start=_monday(), now=timezone.now()) if u.pk == alice.pk)
    assert row.caseload == 4  # three cases led, one co-worked
    cells = page.split(f"?user={alice.pk}")[1].split("</tr>")[0]
    numbers = [cell.split(">")[-1] for cell in cells.split("</td>")[1:-1]]
    assert numbers == [
        str(row.caseload),
        str(row.this_week),
        str(row.consultations),
        str(row.missed),
        str(row.to_record),
    ]


def _monday():
    start = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday())
    return timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))


def test_team_page_never_joins_contacts_to_memberships(client_for, manager, busy_service):
    """The finding itself: the page's query multiplied users × memberships × contacts and then
    counted DISTINCT. Each figure must be a count of its own rows instead."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client_for(manager).get(reverse("contacts:team")).status_code == 200
    counting = [q["sql"] for q in captured.captured_queries if '"contacts_contact"' in q["sql"]]
    assert counting, "the team page counts contacts"
    for sql in counting:
        assert "COUNT(DISTINCT" not in sql.upper()
        assert 'JOIN "contacts_contact"' not in sql
        assert 'JOIN "people_careteammembership"' not in sql
