"""A page that lists children writes one LIST audit event per page view, naming the children
it listed (issue 12 A2) – in a fixed number of queries however many there are. A name on a
list is not a read of the story: "who has seen my story" does not count it."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from consent.models import SafeguardingShare
from contacts.models import Contact
from people.models import BreakGlassAccess, CareTeamMembership
from people.tests.factories import ChildFactory
from plans.models import Plan
from referrals.models import Status
from referrals.tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db


def _in_alices_caseload(world, family_name: str = "Rhestr"):
    kid = ChildFactory(service=world["south"], family_name=family_name)
    CareTeamMembership.objects.create(child=kid, user=world["alice"], role="lead")
    return kid


def _with_contact_this_week(world):
    kid = _in_alices_caseload(world)
    Contact.objects.create(
        child=kid,
        practitioner=world["alice"],
        recorded_by=world["alice"],
        kind="individual",
        location="home",
        starts_at=timezone.now(),
        idempotency_key=f"list:{kid.pk}",
        attendance="attended",
    )
    return kid


def _overdue_plan(world):
    kid = _in_alices_caseload(world)
    Plan.objects.create(
        child=kid,
        language="en",
        next_review_on=timezone.localdate() - datetime.timedelta(days=5),
        updated_by=world["alice"],
    )
    return kid


def _referred(status: str = Status.RECEIVED):
    def build(world):
        kid = _in_alices_caseload(world)
        ReferralFactory(service=world["south"], child=kid, status=status)
        return kid

    return build


def _emergency_access(world):
    kid = ChildFactory(service=world["south"])
    BreakGlassAccess.objects.create(
        user=world["duty"],
        child=kid,
        reason="Carer phoned in the night",
        expires_at=timezone.now() + datetime.timedelta(hours=2),
    )
    return kid


def _safeguarding_request(world):
    kid = _in_alices_caseload(world)
    SafeguardingShare.objects.create(
        child=kid,
        recipient_organisation=world["partner"].organisation,
        reason="Risk of significant harm tonight",
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
        requested_by=world["alice"],
    )
    return kid


def _not_listed(world):
    _in_alices_caseload(world)  # the team page lists staff and their counts, never a child


@dataclass(frozen=True)
class ListPage:
    url: str
    reader: str
    build: Callable
    page: str


PAGES = {
    "home": ListPage(reverse("core:home"), "alice", _in_alices_caseload, "home"),
    "people list": ListPage(reverse("people:list"), "alice", _in_alices_caseload, "children"),
    "search results": ListPage(
        reverse("people:list") + "?q=Chwilio", "alice", lambda world: _in_alices_caseload(world, "Chwilio"), "children"
    ),
    "caseload": ListPage(reverse("contacts:caseload"), "alice", _in_alices_caseload, "caseload"),
    "diary": ListPage(reverse("contacts:diary"), "alice", _with_contact_this_week, "diary"),
    "team": ListPage(reverse("contacts:team"), "manager", _not_listed, "team"),
    "overdue plan reviews": ListPage(
        reverse("plans:overdue_reviews"), "manager", _overdue_plan, "overdue_plan_reviews"
    ),
    "referrals": ListPage(reverse("referrals:list"), "manager", _referred(), "referrals"),
    "waiting list": ListPage(reverse("referrals:waiting_list"), "manager", _referred(Status.ACCEPTED), "waiting_list"),
    "emergency-access review": ListPage(
        reverse("people:break_glass_review"), "manager", _emergency_access, "break_glass_review"
    ),
    "my emergency accesses": ListPage(reverse("people:break_glass"), "duty", _emergency_access, "break_glass"),
    "safeguarding review": ListPage(
        reverse("consent:safeguarding_review"), "manager", _safeguarding_request, "safeguarding_review"
    ),
}


@pytest.fixture
def world(south, alice, manager, duty, partner):
    return {"south": south, "alice": alice, "manager": manager, "duty": duty, "partner": partner}


def _list_events(reader):
    return list(AuditEvent.objects.filter(actor=reader, action=Action.LIST).order_by("id"))


@pytest.mark.parametrize("name", list(PAGES))
def test_a_list_page_writes_one_list_event_naming_the_children_in_constant_queries(
    name, world, client_for, django_assert_max_num_queries
):
    spec = PAGES[name]
    reader = world[spec.reader]
    client = client_for(reader)
    listed = [kid.pk for kid in (spec.build(world) for _ in range(2)) if kid is not None]
    with django_assert_max_num_queries(60) as small:
        response = client.get(spec.url)
    assert response.status_code == 200
    events = _list_events(reader)
    assert len(events) == 1
    assert events[0].detail["page"] == spec.page
    assert events[0].detail["children"] == sorted(listed)
    assert events[0].child_id is None and events[0].route == "ui"

    listed += [kid.pk for kid in (spec.build(world) for _ in range(6)) if kid is not None]
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(spec.url)
    assert response.status_code == 200
    events = _list_events(reader)
    assert len(events) == 2
    assert events[1].detail["children"] == sorted(listed)


def test_referral_lists_name_the_referrals_too(world, client_for):
    kid = _in_alices_caseload(world)
    linked = ReferralFactory(service=world["south"], child=kid)
    unlinked = ReferralFactory(service=world["south"])
    assert client_for(world["manager"]).get(reverse("referrals:list")).status_code == 200
    detail = _list_events(world["manager"])[0].detail
    assert detail["children"] == [kid.pk]
    assert detail["referrals"] == sorted([linked.pk, unlinked.pk])


def test_appearing_on_a_list_is_not_having_your_story_seen(world, client_for):
    from assessments.seen import story_events

    kid = _in_alices_caseload(world)
    for url in (reverse("core:home"), reverse("people:list"), reverse("contacts:caseload")):
        assert client_for(world["alice"]).get(url).status_code == 200
    assert len(_list_events(world["alice"])) == 3
    assert list(story_events(kid)) == []


def test_shared_with_me_names_the_children_shared(world, client_for, child, manager, partner):
    from assessments.services import save_section
    from assessments.tests.builders import give_consent

    save_section(
        by=world["alice"], child=child, section="my_story", text="I like climbing.", based_on=0, voice="young_person"
    )
    give_consent(child, recorded_by=manager, organisation=partner.organisation, sections=["my_story"])
    assert client_for(partner).get(reverse("assessments:shared_with_me")).status_code == 200
    events = _list_events(partner)
    assert len(events) == 1 and events[0].detail["page"] == "shared_with_me"
    assert events[0].detail["children"] == [child.pk]
