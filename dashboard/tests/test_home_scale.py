"""The home page at national scale (issue 12 D): the same figures from cheaper queries, and a
number of queries that does not grow with the data."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboard.services import own_caseload
from people.models import CareTeamMembership, Child
from people.tests.factories import ChildFactory
from plans.models import Plan
from referrals.models import InitialConsultation, Referral
from referrals.services import consultations_overdue, waiting_list
from referrals.tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db


def _panel(page, template):
    """The context of the home page's panel rendered from ``template`` (dashboard/panels.py)."""
    [panel] = [panel for panel in page.context["panels"] if panel.template == template]
    return panel.context


def _waiting(south, manager, days_back):
    """Accepted referrals accepted 0…days_back days ago (some received earlier and never
    'accepted_at'), every third with its initial consultation held."""
    now = timezone.now()
    for n in range(days_back + 1):
        kid = ChildFactory(service=south)
        referral = ReferralFactory(service=south, child=kid, status="accepted")
        since = now - datetime.timedelta(days=n, hours=n % 5)
        if n % 4 == 0:
            Referral.objects.filter(pk=referral.pk).update(received_at=since, accepted_at=None)
        else:
            Referral.objects.filter(pk=referral.pk).update(
                received_at=since - datetime.timedelta(days=3), accepted_at=since
            )
        if n % 3 == 0:
            InitialConsultation.objects.create(
                referral=referral,
                held_on=since.date(),
                held_by=manager,
                participants="x",
                best_placed_to_help="x",
                can_start_now="x",
            )


@pytest.mark.parametrize("shift_days", [0, 1, 2, 3, 4, 5, 6])  # every day of the week, weekends included
def test_overdue_consultations_are_those_of_the_waiting_list(south, manager, shift_days):
    _waiting(south, manager, 30)
    now = timezone.now() + datetime.timedelta(days=shift_days)
    referrals = Referral.objects.visible_to(manager)
    expected = sum(entry.consultation_overdue for entry in waiting_list(referrals, south, now=now))
    assert expected > 0
    assert consultations_overdue(referrals, south, now=now) == expected


def test_own_caseload_is_the_join_without_duplicates(south, north, alice, bob):
    kids = [ChildFactory(service=south) for _ in range(5)]
    CareTeamMembership.objects.create(child=kids[0], user=alice, role="lead")
    CareTeamMembership.objects.create(child=kids[1], user=alice, role="lead")
    CareTeamMembership.objects.create(child=kids[1], user=bob, role="practitioner")  # co-worked: once for alice
    CareTeamMembership.objects.create(child=kids[2], user=alice, role="lead", ended_at=timezone.now())  # ended
    CareTeamMembership.objects.create(child=kids[2], user=alice, role="practitioner")  # and again, active
    CareTeamMembership.objects.create(child=kids[3], user=alice, role="lead", ended_at=timezone.now())  # only ended
    merged = ChildFactory(service=south, merged_into=kids[0])
    CareTeamMembership.objects.create(child=merged, user=alice, role="lead")  # merged away: not current
    reference = list(
        Child.objects.visible_to(alice)
        .current()
        .filter(care_team__user=alice, care_team__ended_at__isnull=True)
        .distinct()
    )
    assert list(own_caseload(alice)) == reference == [kids[0], kids[1], kids[2]]
    assert own_caseload(alice).count() == 3


def _service_of(south, manager, alice, size):
    now = timezone.now()
    for n in range(size):
        kid = ChildFactory(service=south)
        CareTeamMembership.objects.create(child=kid, user=alice, role="lead")
        referral = ReferralFactory(service=south, child=kid, status="accepted" if n % 2 else "received")
        Referral.objects.filter(pk=referral.pk).update(accepted_at=now - datetime.timedelta(days=n))
        Plan.objects.create(
            child=kid,
            language="en",
            next_review_on=timezone.localdate() - datetime.timedelta(days=n - size // 2),
            updated_by=alice,
        )


@pytest.mark.parametrize("who", ["manager", "alice"])
def test_home_queries_do_not_grow_with_the_service(
    client_for, south, manager, alice, who, django_assert_max_num_queries
):
    user = {"manager": manager, "alice": alice}[who]
    client = client_for(user)
    _service_of(south, manager, alice, 4)
    with django_assert_max_num_queries(40) as small:
        assert client.get(reverse("core:home")).status_code == 200
    _service_of(south, manager, alice, 60)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(reverse("core:home"))
    assert page.status_code == 200
    if who == "manager":
        assert _panel(page, "referrals/panels/consultations_overdue.html")["count"] > 0
        assert _panel(page, "dashboard/panels/service_links.html")["reviews_overdue"] > 0
    else:
        assert _panel(page, "dashboard/panels/caseload.html")["count"] == 64
