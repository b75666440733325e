"""Carers: who is the current carer (the placement), contact restrictions, consent to a named
person in the nest for support at home, carers' invitations and what the carer sees."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Role, User
from accounts.tests.factories import UserFactory
from audit.models import Action, AuditEvent, Route
from consent import services as consent_services
from consent.models import ConsentDecision
from contacts.models import Contact
from myspace.models import Invitation, SpaceAccount
from people import services as people_services
from people.models import RelatedPerson
from people.tests.factories import ChildFactory, RelatedPersonFactory
from plans.models import Goal, Plan, PlanAction

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "purple-otter-climbs-7"
TODAY = timezone.localdate


@pytest.fixture
def teen(child):
    child.date_of_birth = TODAY() - datetime.timedelta(days=14 * 366)
    child.save()
    return child


@pytest.fixture
def carer(teen) -> RelatedPerson:
    """The young person's foster carer, recorded on their current (open) placement."""
    person = teen.related_people.get()
    teen.placements.get().carers.add(person)
    return person


def support_consent(by, child, person, **overrides) -> ConsentDecision:
    values = {
        "items": ["plan"],
        "recipient_kind": "person",
        "recipient_person": person,
        "purposes": ["support_at_home"],
        "decider": "young_person",
        "competence_judgement": "Understands what the carer will see and why.",
        "young_person_views": "I want Sioned to know what we agreed.",
        "how_given": "in_person",
        "given_on": TODAY(),
        "lawful_basis": "health_social_care",
    }
    values.update(overrides)
    return consent_services.record_consent(by=by, child=child, values=values)


def carer_account(child, person, by) -> User:
    user = UserFactory(username="sioned", first_name="Sioned", organisation=None, role=Role.CARER)
    SpaceAccount.objects.create(user=user, child=child, related_person=person, created_by=by)
    return user


def _invite(client_for, alice, child, person) -> tuple[Client, str]:
    client = client_for(alice)
    response = client.post(reverse("space_access:carer_invite", args=[child.pk, person.pk]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    link = re.search(r"<code>(http[^<]+)</code>", response.content.decode()).group(1)
    return client, link.split("testserver", 1)[1]


def _accept(path: str, **overrides):
    data = {"username": "sioned", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD, "language": "en"}
    data.update(overrides)
    client = Client()
    return client, client.post(path, data)


# --- Who can be invited ---------------------------------------------------------------------------


def test_the_staff_page_lists_the_current_carers_with_invite(client_for, alice, teen, carer):
    body = client_for(alice).get(reverse("space_access:child", args=[teen.pk])).content.decode()
    assert "Current carers" in body and carer.name in body
    assert reverse("space_access:carer_invite", args=[teen.pk, carer.pk]) in body
    assert "No consent for support at home names them yet" in body


def test_someone_not_on_an_open_placement_is_not_listed_and_cannot_be_invited(client_for, alice, teen):
    person = teen.related_people.get()  # in the nest, not recorded as a carer
    client = client_for(alice)
    assert person.name not in client.get(reverse("space_access:child", args=[teen.pk])).content.decode()
    response = client.post(reverse("space_access:carer_invite", args=[teen.pk, person.pk]), follow=True)
    assert "Only the young person&#x27;s current carer on an open placement can be invited." in (
        response.content.decode()
    )
    assert not Invitation.objects.exists()


def test_a_carer_whose_placement_ended_cannot_be_invited(client_for, alice, teen, carer):
    placement = teen.placements.get()
    placement.end_date = TODAY()
    placement.save()
    client_for(alice).post(reverse("space_access:carer_invite", args=[teen.pk, carer.pk]))
    assert not Invitation.objects.exists()


def test_a_person_with_a_contact_restriction_cannot_be_invited(client_for, alice, teen, carer):
    carer.contact_restricted = True
    carer.save()
    client = client_for(alice)
    page = client.get(reverse("space_access:child", args=[teen.pk])).content.decode()
    assert "A person with a recorded contact restriction cannot be invited." in page
    assert reverse("space_access:carer_invite", args=[teen.pk, carer.pk]) not in page
    client.post(reverse("space_access:carer_invite", args=[teen.pk, carer.pk]))
    assert not Invitation.objects.exists()


def test_the_refusal_is_in_welsh_on_the_welsh_page(client_for, alice, teen, carer):
    carer.contact_restricted = True
    carer.save()
    with translation.override("cy"):
        url = reverse("space_access:child", args=[teen.pk])
    page = client_for(alice).get(url).content.decode()
    assert "Gofalwyr presennol" in page
    assert "contact restriction" not in page


def test_a_person_in_another_nest_is_404(client_for, alice, teen, carer, south):
    other = RelatedPersonFactory(child=ChildFactory(service=south))
    client = client_for(alice)
    assert client.post(reverse("space_access:carer_invite", args=[teen.pk, other.pk])).status_code == 404
    assert client.post(reverse("space_access:carer_revoke", args=[teen.pk, other.pk])).status_code == 404


def test_only_a_practitioner_on_the_care_team_invites_a_carer(client_for, bob, teen, carer):
    assert client_for(bob).post(reverse("space_access:carer_invite", args=[teen.pk, carer.pk])).status_code == 404
    assert not Invitation.objects.exists()


# --- Accepting, ending ------------------------------------------------------------------------------


def test_the_carer_accepts_and_must_set_up_the_second_factor(client_for, alice, teen, carer):
    _, path = _invite(client_for, alice, teen, carer)
    invitation = Invitation.objects.get()
    assert (invitation.role, invitation.related_person) == (Role.CARER, carer)
    client, response = _accept(path)
    assert response["Location"] == reverse("accounts:two_factor_setup")  # required for carers (ADR 019)
    user = User.objects.get(username="sioned")
    assert user.role == Role.CARER and user.organisation is None
    account = user.space_account
    assert (account.child, account.related_person) == (teen, carer)
    assert client.get(reverse("myspace:home")).status_code == 302  # held at the second factor


def test_a_carers_link_stops_working_when_the_placement_ends_before_it_is_used(client_for, alice, teen, carer):
    _, path = _invite(client_for, alice, teen, carer)
    people_services.record_placement(
        by=alice,
        child=teen,
        values={"type": "kinship", "local_authority_area": teen.responsible_local_authority, "start_date": TODAY()},
    )
    _, response = _accept(path)
    assert response.status_code == 404
    assert not User.objects.filter(username="sioned").exists()


def test_a_restriction_recorded_after_the_link_was_made_stops_it(client_for, alice, teen, carer):
    _, path = _invite(client_for, alice, teen, carer)
    carer.contact_restricted = True
    carer.save()
    _, response = _accept(path)
    assert response.status_code == 404 and not SpaceAccount.objects.exists()


def test_ending_a_carers_access_works_at_once_and_is_audited(client_for, alice, teen, carer):
    user = carer_account(teen, carer, alice)
    support_consent(alice, teen, carer)
    carer_client = client_for(user)
    assert "What the plan asks of you" in carer_client.get(reverse("myspace:home")).content.decode()
    page = client_for(alice).get(reverse("space_access:child", args=[teen.pk])).content.decode()
    assert reverse("space_access:carer_revoke", args=[teen.pk, carer.pk]) in page
    client_for(alice).post(reverse("space_access:carer_revoke", args=[teen.pk, carer.pk]))
    account = SpaceAccount.objects.get(user=user)
    assert account.revoked_by == alice and account.revoked_at is not None
    assert carer_client.get(reverse("myspace:home")).status_code == 302  # signed out: inactive
    event = AuditEvent.objects.get(actor=alice, action=Action.UPDATE, object_type="myspace.spaceaccount")
    assert event.detail == {"revoked": True, "carer": carer.pk}


def test_ending_a_carers_access_leaves_the_young_persons_alone(client_for, alice, teen, carer):
    young = UserFactory(username="sion", organisation=None, role=Role.YOUNG_PERSON)
    SpaceAccount.objects.create(user=young, child=teen, created_by=alice)
    carer_account(teen, carer, alice)
    client_for(alice).post(reverse("space_access:carer_revoke", args=[teen.pk, carer.pk]))
    assert SpaceAccount.objects.get(user=young).revoked_at is None


# --- What the carer sees ----------------------------------------------------------------------------


@pytest.fixture
def plan(teen, alice):
    plan = Plan.objects.create(
        child=teen, language="en", updated_by=alice, next_review_on=TODAY() + datetime.timedelta(days=60)
    )
    goal = Goal.objects.create(plan=plan, text="Feel calmer at bedtime")
    PlanAction.objects.create(plan=plan, who="carer", what="Read together before lights out", goal=goal)
    PlanAction.objects.create(plan=plan, who="young_person", what="Write in my worry book")
    PlanAction.objects.create(
        plan=plan, who="carer", what="Already done: buy a night light", done_on=TODAY() - datetime.timedelta(days=1)
    )
    return plan


def booked(child, alice, person=None, *, days=3, kind="carer_training", location="school", n=0) -> Contact:
    contact = Contact.objects.create(
        child=child,
        practitioner=alice,
        recorded_by=alice,
        kind=kind,
        location=location,
        attendance="booked",
        starts_at=timezone.now() + datetime.timedelta(days=days, minutes=n),
        idempotency_key=f"{child.pk}:{days}:{kind}:{n}:{person.pk if person else 0}",
    )
    if person is not None:
        contact.people.add(person)
    return contact


def test_the_carer_sees_the_plans_actions_for_carers_and_sessions_booked_for_them(
    client_for, alice, teen, carer, plan, south
):
    user = carer_account(teen, carer, alice)
    support_consent(alice, teen, carer)
    booked(teen, alice, carer)
    booked(teen, alice, None, kind="individual", days=4)  # the young person's own session
    booked(teen, alice, carer, days=-2)  # past
    # Another child's carer action, with the same carer's name, never shows.
    other = ChildFactory(service=south)
    other_plan = Plan.objects.create(child=other, language="en", updated_by=alice, next_review_on=TODAY())
    PlanAction.objects.create(plan=other_plan, who="carer", what="Another child's action")
    response = client_for(user).get(reverse("myspace:home"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Hello, Sioned Prawf" in body
    assert "Read together before lights out" in body
    assert "Write in my worry book" not in body  # not an action for the carer
    assert "buy a night light" not in body  # done
    assert "Another child" not in body
    assert body.count("Carer training") == 1  # the one still to come that names them
    assert "Direct session" not in body
    assert "School or college" not in body and "Where" not in body  # never where a session takes place
    assert "Alice Ymarferydd" in body
    title = body.split("<title>")[1].split("</title>")[0]
    assert teen.given_name not in title and teen.family_name not in title


def test_without_the_plan_in_the_consent_no_actions_are_shown(client_for, alice, teen, carer, plan):
    user = carer_account(teen, carer, alice)
    support_consent(alice, teen, carer, items=["outcomes"])
    body = client_for(user).get(reverse("myspace:home")).content.decode()
    assert "Read together" not in body and "Nothing from the plan is shared with you" in body


def test_the_carer_never_sees_the_assessment_consents_or_log(client_for, alice, teen, carer):
    user = carer_account(teen, carer, alice)
    support_consent(alice, teen, carer)
    client = client_for(user)
    assert client.get(reverse("myspace:home")).status_code == 200
    for url in (
        reverse("people:detail", args=[teen.pk]),
        reverse("consent:create", args=[teen.pk]),
        reverse("people:history", args=[teen.pk]),
    ):
        assert client.get(url).status_code == 404
    body = client.get(reverse("myspace:home")).content.decode()
    assert "I want Sioned to know" not in body  # the consent's words
    assert teen.family_name not in body


def test_a_withdrawal_or_the_placements_end_leaves_nothing_on_the_next_request(client_for, alice, teen, carer, plan):
    user = carer_account(teen, carer, alice)
    consent = support_consent(alice, teen, carer)
    client = client_for(user)
    assert "Read together" in client.get(reverse("myspace:home")).content.decode()
    consent_services.withdraw_consent(by=alice, consent=consent, note="The young person asked.")
    body = client.get(reverse("myspace:home")).content.decode()
    assert "Nothing is shared with you now" in body and "Read together" not in body
    support_consent(alice, teen, carer)
    assert "Read together" in client.get(reverse("myspace:home")).content.decode()
    people_services.record_placement(
        by=alice,
        child=teen,
        values={"type": "kinship", "local_authority_area": teen.responsible_local_authority, "start_date": TODAY()},
    )
    body = client.get(reverse("myspace:home")).content.decode()
    assert "Nothing is shared with you now" in body and teen.given_name not in body


def test_the_carers_home_is_audited_with_the_route_self(client_for, alice, teen, carer):
    user = carer_account(teen, carer, alice)
    support_consent(alice, teen, carer)
    client_for(user).get(reverse("myspace:home"))
    event = AuditEvent.objects.get(actor=user, action=Action.VIEW)
    assert (event.route, event.child_id, event.detail) == (Route.SELF, teen.pk, {"page": "myspace:home"})


def test_the_carers_home_in_welsh(client_for, alice, teen, carer, plan):
    user = carer_account(teen, carer, alice)
    support_consent(alice, teen, carer)
    body = client_for(user).get("/cy/my/").content.decode()
    assert "Helo, Sioned Prawf" in body and "cynllun yn gofyn i chi ei wneud" in body


def test_the_carers_home_queries_do_not_grow_with_sessions(client_for, alice, teen, carer, plan):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = carer_account(teen, carer, alice)
    support_consent(alice, teen, carer)
    client = client_for(user)
    booked(teen, alice, carer, n=1)
    client.get(reverse("myspace:home"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("myspace:home"))
    for n in range(2, 8):
        booked(teen, alice, carer, n=n)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("myspace:home"))
    assert len(many) == len(one)


# --- Consent to a named person ---------------------------------------------------------------------


def test_a_consent_names_a_person_in_the_nest_for_support_at_home_and_is_audited(alice, teen, carer):
    consent = support_consent(alice, teen, carer)
    assert consent.recipient_person == carer and consent.recipient_label == carer.name
    assert consent.recipient_organisation is None and consent.recipient_profession == ""
    event = AuditEvent.objects.get(action=Action.CREATE, object_type="consent.consentdecision")
    assert (event.detail["recipient_kind"], event.detail["recipient"]) == ("person", carer.pk)


def test_the_person_must_be_in_this_young_persons_nest(alice, teen, south):
    stranger = RelatedPersonFactory(child=ChildFactory(service=south))
    with pytest.raises(ValidationError) as raised:
        support_consent(alice, teen, stranger)
    assert "recipient_person" in raised.value.message_dict


def test_support_at_home_goes_only_to_a_named_person_and_a_person_gets_only_that(alice, teen, carer):
    with pytest.raises(ValidationError) as raised:
        support_consent(alice, teen, carer, purposes=["joint_assessment"])
    assert "purposes" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        support_consent(
            alice, teen, None, recipient_kind="profession", recipient_profession="teacher", recipient_person=None
        )
    assert "purposes" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        support_consent(alice, teen, None)
    assert "recipient_person" in raised.value.message_dict


def test_the_consent_form_offers_the_people_in_the_nest(client_for, alice, teen, carer):
    client = client_for(alice)
    body = client.get(reverse("consent:create", args=[teen.pk])).content.decode()
    assert "A named person in the nest, for support at home" in body and carer.name in body
    data = {
        "items": ["plan"],
        "recipient_kind": "person",
        "recipient_person": str(carer.pk),
        "purposes": ["support_at_home"],
        "decider": "young_person",
        "competence_judgement": "Understood.",
        "young_person_views": "Yes, Sioned can see it.",
        "how_given": "in_person",
        "lawful_basis": "health_social_care",
        "given_on_day": str(TODAY().day),
        "given_on_month": str(TODAY().month),
        "given_on_year": str(TODAY().year),
    }
    response = client.post(reverse("consent:create", args=[teen.pk]), data)
    assert response.status_code == 302
    assert ConsentDecision.objects.get().recipient_person == carer
    # The refusal form does not offer a person (a refusal names organisations and roles).
    refusal = client.get(reverse("consent:refusal_create", args=[teen.pk])).content.decode()
    assert "A named person in the nest" not in refusal


# --- The placement's carers and contact restrictions -----------------------------------------------


def test_the_placement_form_records_its_carers(client_for, alice, teen):
    person = teen.related_people.get()
    response = client_for(alice).post(
        reverse("people:placement_create", args=[teen.pk]),
        {
            "type": "kinship",
            "local_authority_area": str(teen.responsible_local_authority.pk),
            "start_date_day": str(TODAY().day),
            "start_date_month": str(TODAY().month),
            "start_date_year": str(TODAY().year),
            "carers": [str(person.pk)],
        },
    )
    assert response.status_code == 302
    current = teen.placements.get(end_date__isnull=True)
    assert list(current.carers.all()) == [person]
    assert person.name in client_for(alice).get(reverse("people:detail", args=[teen.pk])).content.decode()


def test_the_current_placements_carers_can_be_changed(client_for, alice, teen, carer, south):
    client = client_for(alice)
    assert carer.name in client.get(reverse("people:placement_carers", args=[teen.pk])).content.decode()
    assert client.post(reverse("people:placement_carers", args=[teen.pk]), {}).status_code == 302
    assert not teen.placements.get().carers.exists()
    other = RelatedPersonFactory(child=ChildFactory(service=south))
    response = client.post(reverse("people:placement_carers", args=[teen.pk]), {"carers": [str(other.pk)]})
    assert response.status_code == 200 and not teen.placements.get().carers.exists()  # not a choice


def test_a_carer_taken_off_the_placement_loses_access(client_for, alice, teen, carer):
    user = carer_account(teen, carer, alice)
    support_consent(alice, teen, carer)
    client = client_for(user)
    assert "What the plan asks of you" in client.get(reverse("myspace:home")).content.decode()
    people_services.set_placement_carers(by=alice, placement=teen.placements.get(), carers=[])
    assert "Nothing is shared with you now" in client.get(reverse("myspace:home")).content.decode()


def test_a_contact_restriction_is_recorded_with_who_and_shown_on_the_nest(client_for, alice, teen, carer):
    people_services.update_related_person(
        by=alice,
        person=carer,
        expected_version=carer.version,
        values={"contact_restricted": True, "contact_restriction_note": "Court order, 3 March."},
    )
    carer.refresh_from_db()
    assert carer.contact_restriction_recorded_by == alice and carer.contact_restriction_recorded_at is not None
    client = client_for(alice)
    nest = client.get(reverse("people:detail", args=[teen.pk])).content.decode()
    assert "Contact restricted" in nest
    detail = client.get(reverse("people:related_person_detail", args=[teen.pk, carer.pk])).content.decode()
    assert "Court order, 3 March." in detail and "Recorded by Alice Ymarferydd" in detail


def test_a_restriction_recorded_later_ends_the_carers_access(client_for, alice, teen, carer):
    user = carer_account(teen, carer, alice)
    support_consent(alice, teen, carer)
    carer.contact_restricted = True
    carer.save()
    assert "Nothing is shared with you now" in client_for(user).get(reverse("myspace:home")).content.decode()


def test_the_demo_has_the_young_persons_carer_signed_up_and_prints_their_sign_in(client):
    import io

    from django.core.management import call_command

    from conftest import sign_in

    call_command("seed_demo", children=30, seed=5, no_progress=True, quiet_logins=True)
    call_command("seed_support", stdout=io.StringIO())
    call_command("seed_support", stdout=io.StringIO())  # idempotent
    young = SpaceAccount.objects.get(user__username="youngperson")
    account = SpaceAccount.objects.get(user__username="carer")
    assert account.user.check_password("nyth-demo-2026") and account.user.role == Role.CARER
    assert account.child == young.child and account.related_person.child == young.child
    assert SpaceAccount.objects.filter(user__role=Role.CARER).count() == 1
    out = io.StringIO()
    call_command("seed_demo", logins_only=True, stdout=out)
    assert "carer" in out.getvalue().split("youngperson", 1)[1]
    sign_in(client, account.user)
    body = client.get(reverse("myspace:home")).content.decode()
    assert "Nothing is shared with you now" not in body
    assert account.related_person.name in body
