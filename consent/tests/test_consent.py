"""Consent to share and sharing without consent (safeguarding), end to end through the pages.

What must hold, because a child's story is at stake:

- a consent decision is recorded only with every answer the guidance asks for – the young
  person's views always, exactly one recipient, at least one purpose, who decided (named when not
  the young person), a competence judgement when an under-16 decides – and every problem is
  explained at once with everything typed kept;
- the access a consent gives is read by the one mechanism (``assessments.access.section_access``):
  only the covered sections, only for a working purpose, and it ends the moment the consent is
  withdrawn;
- sharing without consent needs a reason, an end date, and the approval of a *different* service
  manager; it opens only the covered sections, only while approved and unexpired;
- strangers get 404 everywhere; emergency access and partners record nothing; everything is
  audited.
"""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation, OrganisationType, Profession, Role
from accounts.tests.factories import OrganisationFactory, UserFactory
from assessments.access import section_access
from assessments.tests.builders import break_glass, give_consent
from audit.models import Action, AuditEvent, Route
from consent import services
from consent.models import ConsentDecision, SafeguardingShare, SafeguardingStatus
from people.models import Child

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def date_fields(name: str, value: datetime.date) -> dict[str, str]:
    return {f"{name}_day": str(value.day), f"{name}_month": str(value.month), f"{name}_year": str(value.year)}


def consent_post(partner_org: Organisation | None = None, **overrides) -> dict:
    """A complete, valid answer to the consent form: the young person (13 in the fixture, so
    with a competence judgement) agrees that the health board may see two sections."""
    data = {
        "sections": ["health", "emotional_needs"],
        "recipient_kind": "organisation",
        "recipient_organisation": str(partner_org.pk) if partner_org else "",
        "purposes": ["joint_assessment"],
        "decider": "young_person",
        "competence_judgement": "Understood who would see it, why, and that they can say no later.",
        "young_person_views": "I want CAMHS to know so I don't have to tell it again.",
        "how_given": "in_person",
        "lawful_basis": "health_social_care",
        "sharing_protocol": "WASPI ISP 123",
        **date_fields("given_on", TODAY() - datetime.timedelta(days=1)),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def valid_values(child: Child, **overrides) -> dict:
    """The same answers as ``consent_post``, as the service takes them."""
    values = {
        "sections": ["health"],
        "items": [],
        "recipient_kind": "profession",
        "recipient_profession": Profession.TEACHER,
        "purposes": ["joint_assessment"],
        "decider": "young_person",
        "competence_judgement": "Understands what will be shared and why.",
        "young_person_views": "Fine for my teacher to see it.",
        "how_given": "in_person",
        "given_on": TODAY(),
        "lawful_basis": "health_social_care",
    }
    values.update(overrides)
    return values


@pytest.fixture
def manager2(south):
    """A second service manager in the South service (approves what the first asks for)."""
    return UserFactory(
        username="manager2", first_name="Morgan", last_name="Rheolwr", organisation=south, role=Role.SERVICE_MANAGER
    )


# --- Recording a consent ------------------------------------------------------------------------


def test_care_team_records_a_consent_and_it_is_audited_without_free_text(client_for, alice, child, partner):
    response = client_for(alice).post(reverse("consent:create", args=[child.pk]), consent_post(partner.organisation))
    consent = ConsentDecision.objects.get(child=child)
    assert response.status_code == 302
    assert response["Location"] == reverse("consent:detail", args=[consent.pk])
    assert consent.recipient_organisation == partner.organisation
    assert consent.recipient_organisation_type == "" and consent.recipient_profession == ""
    assert consent.sections == ["emotional_needs", "health"]  # kept in the assessment's order
    assert consent.purposes == ["joint_assessment"]
    assert consent.recorded_by == alice
    assert consent.young_person_views.startswith("I want CAMHS")

    event = AuditEvent.objects.get(action=Action.CREATE, object_type="consent.consentdecision")
    assert event.actor == alice and event.child_id == child.pk
    assert event.detail["recipient_kind"] == "organisation"
    assert event.detail["recipient"] == partner.organisation.code
    assert event.detail["purposes"] == ["joint_assessment"]
    # The young person's words and the competence judgement are never copied into the trail.
    dumped = json.dumps(event.detail) + event.reason
    assert "CAMHS to know" not in dumped and "Understood who" not in dumped and "WASPI" not in dumped


def test_every_problem_is_explained_at_once_and_everything_typed_is_kept(client_for, alice, child):
    """No views, no recipient, no purpose, a parent deciding without a name: each is explained
    beside its answer, and what was typed stays in the boxes."""
    data = consent_post(
        None,
        recipient_kind="",
        young_person_views="",
        purposes=[],
        decider="parent",
        decider_name="",
        sharing_protocol="ISP kept as typed",
        competence_judgement="Also kept as typed",
    )
    response = client_for(alice).post(reverse("consent:create", args=[child.pk]), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) >= {"recipient_kind", "young_person_views", "purposes", "decider_name"}
    assert "always needed, even when someone else decided" in form.errors["young_person_views"][0]
    assert "an organisation, a type of organisation or a role" in form.errors["recipient_kind"][0]
    body = response.content.decode()
    assert "There is a problem" in body
    assert "ISP kept as typed" in body and "Also kept as typed" in body
    assert ConsentDecision.objects.count() == 0


def test_the_young_persons_views_are_needed_even_when_someone_else_decides(client_for, alice, child, partner):
    data = consent_post(
        partner.organisation, decider="local_authority", decider_name="Cardiff Council", young_person_views="  "
    )
    response = client_for(alice).post(reverse("consent:create", args=[child.pk]), data)
    assert list(response.context["form"].errors) == ["young_person_views"]
    assert not ConsentDecision.objects.exists()


def test_a_chosen_kind_needs_its_recipient(client_for, alice, child):
    response = client_for(alice).post(
        reverse("consent:create", args=[child.pk]),
        consent_post(None, recipient_kind="profession", recipient_profession=""),
    )
    assert list(response.context["form"].errors) == ["recipient_profession"]


def test_only_the_chosen_kind_of_recipient_is_stored(client_for, alice, child, partner):
    """All three boxes are on the page (it works without JavaScript): a left-over choice in
    another box must never widen the consent."""
    data = consent_post(
        partner.organisation, recipient_organisation_type="education", recipient_profession=Profession.TEACHER
    )
    client_for(alice).post(reverse("consent:create", args=[child.pk]), data)
    consent = ConsentDecision.objects.get()
    assert consent.recipient_organisation == partner.organisation
    assert consent.recipient_organisation_type == ""
    assert consent.recipient_profession == ""


def test_two_recipients_are_impossible(alice, child, partner):
    """Without a chosen kind the service refuses two recipients, and the database refuses them
    whatever the route (the model's check constraint)."""
    values = valid_values(
        child, recipient_kind="", recipient_organisation=partner.organisation, recipient_profession=Profession.TEACHER
    )
    with pytest.raises(ValidationError) as caught:
        services.record_consent(by=alice, child=child, values=values)
    assert "recipient_kind" in caught.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        give_consent(
            child, recorded_by=alice, organisation=partner.organisation, recipient_profession=Profession.TEACHER
        )


def test_a_regional_partnership_board_is_never_a_recipient(client_for, alice, child):
    board = Organisation.objects.filter(type=OrganisationType.REGIONAL_PARTNERSHIP_BOARD).first()
    response = client_for(alice).get(reverse("consent:create", args=[child.pk]))
    assert board not in response.context["form"].fields["recipient_organisation"].queryset
    response = client_for(alice).post(reverse("consent:create", args=[child.pk]), consent_post(board))
    assert "recipient_organisation" in response.context["form"].errors
    with pytest.raises(ValidationError):
        services.record_consent(
            by=alice,
            child=child,
            values=valid_values(child, recipient_kind="organisation", recipient_organisation=board),
        )
    assert not ConsentDecision.objects.exists()


def test_competence_judgement_is_needed_when_an_under_16_decides(client_for, alice, child, partner):
    assert child.age_on(TODAY()) < 16
    data = consent_post(partner.organisation, competence_judgement="")
    response = client_for(alice).post(reverse("consent:create", args=[child.pk]), data)
    errors = response.context["form"].errors
    assert list(errors) == ["competence_judgement"]
    assert "Gillick" in errors["competence_judgement"][0]


def test_competence_is_judged_at_the_age_on_the_date_given(client_for, alice, child, partner):
    """16 and 17 year olds are presumed able; what counts is the age on the day they decided."""
    child.date_of_birth = datetime.date(TODAY().year - 17, 1, 1)
    child.save()
    response = client_for(alice).post(
        reverse("consent:create", args=[child.pk]), consent_post(partner.organisation, competence_judgement="")
    )
    assert response.status_code == 302
    # The same young person deciding two years ago was 15: a judgement is needed then.
    two_years_ago = TODAY() - datetime.timedelta(days=2 * 365 + 5)
    response = client_for(alice).post(
        reverse("consent:create", args=[child.pk]),
        consent_post(partner.organisation, competence_judgement="", **date_fields("given_on", two_years_ago)),
    )
    assert list(response.context["form"].errors) == ["competence_judgement"]


def test_the_person_deciding_is_named_when_not_the_young_person(client_for, alice, child, partner):
    data = consent_post(partner.organisation, decider="parent", decider_name="", competence_judgement="")
    response = client_for(alice).post(reverse("consent:create", args=[child.pk]), data)
    assert list(response.context["form"].errors) == ["decider_name"]
    data["decider_name"] = "Rhian Jones"
    assert client_for(alice).post(reverse("consent:create", args=[child.pk]), data).status_code == 302
    assert ConsentDecision.objects.get().decider_name == "Rhian Jones"


def test_dates_must_make_sense(client_for, alice, child, partner):
    tomorrow = TODAY() + datetime.timedelta(days=1)
    response = client_for(alice).post(
        reverse("consent:create", args=[child.pk]),
        consent_post(partner.organisation, **date_fields("given_on", tomorrow)),
    )
    assert list(response.context["form"].errors) == ["given_on"]
    response = client_for(alice).post(
        reverse("consent:create", args=[child.pk]),
        consent_post(partner.organisation, **date_fields("review_on", TODAY() - datetime.timedelta(days=3))),
    )
    assert list(response.context["form"].errors) == ["review_on"]
    assert not ConsentDecision.objects.exists()


def test_something_must_be_shared(client_for, alice, child, partner):
    response = client_for(alice).post(
        reverse("consent:create", args=[child.pk]), consent_post(partner.organisation, sections=[])
    )
    assert list(response.context["form"].errors) == ["items"]


# --- What a consent opens, and withdrawal ------------------------------------------------------


def test_partner_reads_only_the_covered_sections_and_only_while_the_consent_is_in_force(
    client_for, alice, child, partner
):
    assert not section_access(partner, child).any
    client_for(alice).post(reverse("consent:create", args=[child.pk]), consent_post(partner.organisation))
    consent = ConsentDecision.objects.get()

    access = section_access(partner, child)
    assert set(access.readable) == {"health", "emotional_needs"}
    assert set(access.readable.values()) == {"consent"}
    assert Child.objects.visible_to(partner, include_shared=True).filter(pk=child.pk).exists()
    # Consent reaches the shared parts, never the whole record.
    assert not Child.objects.visible_to(partner).filter(pk=child.pk).exists()

    response = client_for(alice).post(reverse("consent:withdraw", args=[consent.pk]), {"note": "Told me at school."})
    assert response.status_code == 302
    assert section_access(partner, child).readable == {}
    assert not Child.objects.visible_to(partner, include_shared=True).filter(pk=child.pk).exists()
    consent.refresh_from_db()
    assert consent.withdrawn_by == alice and consent.withdrawn_at is not None


def test_consent_to_an_organisation_type_reaches_everyone_of_that_type(alice, child, partner):
    services.record_consent(
        by=alice,
        child=child,
        values=valid_values(
            child, recipient_kind="organisation_type", recipient_organisation_type=OrganisationType.HEALTH_BOARD
        ),
    )
    assert set(section_access(partner, child).readable) == {"health"}
    school_teacher = UserFactory(organisation=OrganisationFactory(type=OrganisationType.EDUCATION), role=Role.PARTNER)
    assert not section_access(school_teacher, child).any


def test_consent_to_a_role_reaches_that_profession_in_any_organisation(alice, child, partner):
    services.record_consent(
        by=alice,
        child=child,
        values=valid_values(child, recipient_profession=Profession.CAMHS_CLINICIAN, sections=["emotional_needs"]),
    )
    assert not section_access(partner, child).any  # no profession recorded yet
    partner.profession = Profession.CAMHS_CLINICIAN
    partner.save()
    assert set(section_access(partner, child).readable) == {"emotional_needs"}
    partner.profession = Profession.GP
    partner.save()
    assert not section_access(partner, child).any


def test_a_court_only_consent_opens_nothing_to_work_with(alice, child, partner):
    """Court proceedings allow a copy for the court; they never open the assessment in Nyth."""
    services.record_consent(
        by=alice,
        child=child,
        values=valid_values(
            child,
            recipient_kind="organisation",
            recipient_organisation=partner.organisation,
            purposes=["court"],
            items=["assessment"],
        ),
    )
    assert not section_access(partner, child).any
    assert not Child.objects.visible_to(partner, include_shared=True).filter(pk=child.pk).exists()


def test_withdrawing_twice_changes_nothing(client_for, alice, bob, manager, child, partner):
    consent = give_consent(child, recorded_by=alice, organisation=partner.organisation, items=["assessment"])
    client_for(alice).post(
        reverse("consent:withdraw", args=[consent.pk]), {"note": "First", "young_person_words": "Stop it"}
    )
    consent.refresh_from_db()
    first_at, first_note = consent.withdrawn_at, consent.withdrawal_note
    assert (first_note, consent.withdrawal_words) == ("First", "Stop it")

    response = client_for(manager).post(reverse("consent:withdraw", args=[consent.pk]), {"note": "Second"})
    assert response.status_code == 302
    consent.refresh_from_db()
    assert (consent.withdrawn_at, consent.withdrawn_by, consent.withdrawal_note) == (first_at, alice, first_note)
    assert AuditEvent.objects.filter(action=Action.UPDATE, object_type="consent.consentdecision").count() == 1
    # The service is idempotent too.
    assert services.withdraw_consent(by=manager, consent=consent, note="Third").withdrawn_by == alice


def test_withdrawal_is_audited_with_its_reason(client_for, alice, child, partner):
    consent = give_consent(child, recorded_by=alice, organisation=partner.organisation, items=["assessment"])
    client_for(alice).post(reverse("consent:withdraw", args=[consent.pk]), {"note": "Changed her mind"})
    event = AuditEvent.objects.get(action=Action.UPDATE, object_type="consent.consentdecision")
    assert event.reason == "Changed her mind"
    assert event.detail["withdrawn"] is True and event.child_id == child.pk


def test_withdraw_page_asks_for_confirmation_first(client_for, alice, child, partner):
    consent = give_consent(child, recorded_by=alice, organisation=partner.organisation, items=["assessment"])
    response = client_for(alice).get(reverse("consent:withdraw", args=[consent.pk]))
    assert response.status_code == 200
    consent.refresh_from_db()
    assert consent.withdrawn_at is None  # opening the page withdraws nothing


def test_detail_shows_the_decision_and_its_history(client_for, alice, child, partner):
    client_for(alice).post(reverse("consent:create", args=[child.pk]), consent_post(partner.organisation))
    consent = ConsentDecision.objects.get()
    client_for(alice).post(reverse("consent:withdraw", args=[consent.pk]), {"note": "By phone"})
    response = client_for(alice).get(reverse("consent:detail", args=[consent.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "I want CAMHS to know" in body
    assert len(response.context["history"]) == 2
    assert response.context["history"][0]["changes"]  # the withdrawal, newest first
    assert not response.context["can_withdraw"]
    assert AuditEvent.objects.filter(action=Action.VIEW, object_type="consent.consentdecision", actor=alice).exists()


def test_list_shows_in_force_withdrawn_and_safeguarding_and_is_audited(client_for, alice, manager, child, partner):
    in_force = give_consent(
        child, recorded_by=alice, organisation=partner.organisation, items=["plan"], review_on=TODAY()
    )
    withdrawn = give_consent(
        child,
        recorded_by=alice,
        recipient_profession=Profession.TEACHER,
        sections=["education"],
        withdrawn_at=timezone.now(),
        withdrawn_by=alice,
    )
    share = SafeguardingShare.objects.create(
        child=child,
        recipient_organisation=partner.organisation,
        sections=["risks"],
        reason="Risk of significant harm from an adult",
        expires_on=TODAY() + datetime.timedelta(days=5),
        requested_by=alice,
    )
    response = client_for(manager).get(reverse("consent:list", args=[child.pk]))
    assert response.status_code == 200
    assert response.context["current"] == [in_force]
    assert response.context["withdrawn"] == [withdrawn]
    assert response.context["shares"] == [share]
    body = response.content.decode()
    assert "Review due" in body
    assert "Waiting for a manager&#x27;s approval" in body or "Waiting for a manager's approval" in body
    assert reverse("consent:create", args=[child.pk]) in body
    event = AuditEvent.objects.filter(action=Action.VIEW, child_id=child.pk, actor=manager).latest("id")
    assert event.detail["page"] == "consent"


# --- Who may do what ---------------------------------------------------------------------------


def test_strangers_get_404_on_every_consent_page(client_for, charlie, alice, child, partner):
    consent = give_consent(child, recorded_by=alice, organisation=partner.organisation, items=["assessment"])
    share = SafeguardingShare.objects.create(
        child=child,
        recipient_organisation=partner.organisation,
        items=["assessment"],
        reason="Risk of significant harm",
        expires_on=TODAY() + datetime.timedelta(days=5),
        requested_by=alice,
    )
    urls = [
        reverse("consent:list", args=[child.pk]),
        reverse("consent:create", args=[child.pk]),
        reverse("consent:detail", args=[consent.pk]),
        reverse("consent:withdraw", args=[consent.pk]),
        reverse("consent:safeguarding_create", args=[child.pk]),
        reverse("consent:safeguarding_detail", args=[share.pk]),
    ]
    client = client_for(charlie)
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"decision": "approve", "note": "x"}).status_code == 404, url
    consent.refresh_from_db()
    share.refresh_from_db()
    assert consent.withdrawn_at is None and share.status == SafeguardingStatus.REQUESTED


def test_a_recipient_reaches_the_shared_parts_but_never_the_consent_pages(client_for, alice, child, partner):
    """The consent record itself is part of the child's whole record, not a shared part."""
    consent = give_consent(child, recorded_by=alice, organisation=partner.organisation, items=["assessment"])
    client = client_for(partner)
    assert client.get(reverse("consent:list", args=[child.pk])).status_code == 404
    assert client.get(reverse("consent:detail", args=[consent.pk])).status_code == 404
    assert client.post(reverse("consent:withdraw", args=[consent.pk])).status_code == 404


def test_emergency_access_reads_the_list_but_cannot_record_or_withdraw(client_for, duty, alice, child, partner):
    consent = give_consent(child, recorded_by=alice, organisation=partner.organisation, items=["assessment"])
    break_glass(duty, child)
    client = client_for(duty)
    response = client.get(reverse("consent:list", args=[child.pk]))
    assert response.status_code == 200
    assert not response.context["can_record"]
    assert reverse("consent:create", args=[child.pk]) not in response.content.decode()
    assert AuditEvent.objects.filter(actor=duty, child_id=child.pk, route=Route.BREAK_GLASS).exists()
    assert client.get(reverse("consent:create", args=[child.pk])).status_code == 403
    assert (
        client.post(reverse("consent:create", args=[child.pk]), consent_post(partner.organisation)).status_code == 403
    )
    assert client.post(reverse("consent:withdraw", args=[consent.pk]), {"note": "x"}).status_code == 403
    assert client.get(reverse("consent:safeguarding_create", args=[child.pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        services.record_consent(by=duty, child=child, values=valid_values(child))
    assert ConsentDecision.objects.count() == 1
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


def test_the_service_manager_records_consent_without_being_in_the_care_team(client_for, manager, child, partner):
    assert (
        client_for(manager)
        .post(reverse("consent:create", args=[child.pk]), consent_post(partner.organisation))
        .status_code
        == 302
    )


def test_a_colleague_outside_the_care_team_cannot_see_or_record(client_for, bob, child):
    assert client_for(bob).get(reverse("consent:create", args=[child.pk])).status_code == 404


# --- Safeguarding shares -----------------------------------------------------------------------


def safeguarding_post(organisation: Organisation, **overrides) -> dict:
    data = {
        "recipient_organisation": str(organisation.pk),
        "sections": ["risks", "home"],
        "reason": "Disclosure of exploitation by an adult; CAMHS must know tonight to keep her safe.",
        "young_person_views": "",
        **date_fields("expires_on", TODAY() + datetime.timedelta(days=14)),
    }
    data.update(overrides)
    return data


def test_safeguarding_share_opens_nothing_until_another_manager_approves_and_ends_on_expiry(
    client_for, alice, manager, child, partner
):
    response = client_for(alice).post(
        reverse("consent:safeguarding_create", args=[child.pk]), safeguarding_post(partner.organisation)
    )
    share = SafeguardingShare.objects.get()
    assert response.status_code == 302
    assert share.status == SafeguardingStatus.REQUESTED and share.requested_by == alice
    assert not section_access(partner, child).any  # asked for, not yet approved
    created = AuditEvent.objects.get(action=Action.CREATE, object_type="consent.safeguardingshare")
    assert created.actor == alice and created.child_id == child.pk
    assert "exploitation" not in created.reason + json.dumps(created.detail)

    response = client_for(manager).post(
        reverse("consent:safeguarding_detail", args=[share.pk]),
        {"decision": "approve", "note": "Necessary and proportionate."},
    )
    assert response.status_code == 302
    share.refresh_from_db()
    assert share.status == SafeguardingStatus.APPROVED and share.decided_by == manager
    access = section_access(partner, child)
    assert set(access.readable) == {"risks", "home"}
    assert set(access.readable.values()) == {"safeguarding"}
    assert access.writable == set()
    approved = AuditEvent.objects.get(action=Action.SHARE, object_type="consent.safeguardingshare")
    assert approved.actor == manager and approved.reason == "Necessary and proportionate."
    assert approved.detail["decision"] == "approved"
    # The approval is the moment of sharing, so the young person's "who has seen my story" tells it.
    from assessments.seen import story_events

    assert approved in list(story_events(child))

    share.expires_on = TODAY() - datetime.timedelta(days=1)
    share.save()
    assert not section_access(partner, child).any
    assert not Child.objects.visible_to(partner, include_shared=True).filter(pk=child.pk).exists()


def test_the_requester_cannot_approve_their_own_request(client_for, manager, manager2, alice, child, partner):
    client_for(manager).post(
        reverse("consent:safeguarding_create", args=[child.pk]), safeguarding_post(partner.organisation)
    )
    share = SafeguardingShare.objects.get()
    client = client_for(manager)
    response = client.get(reverse("consent:safeguarding_detail", args=[share.pk]))
    assert response.status_code == 200
    assert response.context["form"] is None
    assert "another service manager must decide" in response.content.decode()
    response = client.post(
        reverse("consent:safeguarding_detail", args=[share.pk]), {"decision": "approve", "note": "Me"}
    )
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        services.decide_safeguarding_share(by=manager, share=share, approve=True, note="Me")
    # Nor may a practitioner decide.
    assert (
        client_for(alice)
        .post(reverse("consent:safeguarding_detail", args=[share.pk]), {"decision": "approve", "note": "Me"})
        .status_code
        == 403
    )
    share.refresh_from_db()
    assert share.status == SafeguardingStatus.REQUESTED
    assert not section_access(partner, child).any

    response = client_for(manager2).post(
        reverse("consent:safeguarding_detail", args=[share.pk]), {"decision": "approve", "note": "Agreed."}
    )
    assert response.status_code == 302
    share.refresh_from_db()
    assert share.status == SafeguardingStatus.APPROVED and share.decided_by == manager2


def test_a_manager_of_another_service_cannot_decide(client_for, north, alice, child, partner):
    other = UserFactory(organisation=north, role=Role.SERVICE_MANAGER)
    client_for(alice).post(
        reverse("consent:safeguarding_create", args=[child.pk]), safeguarding_post(partner.organisation)
    )
    share = SafeguardingShare.objects.get()
    assert (
        client_for(other)
        .post(reverse("consent:safeguarding_detail", args=[share.pk]), {"decision": "approve", "note": "x"})
        .status_code
        == 404
    )


def test_a_declined_share_opens_nothing_and_is_audited_as_a_review(client_for, alice, manager, child, partner):
    client_for(alice).post(
        reverse("consent:safeguarding_create", args=[child.pk]), safeguarding_post(partner.organisation)
    )
    share = SafeguardingShare.objects.get()
    response = client_for(manager).post(
        reverse("consent:safeguarding_detail", args=[share.pk]),
        {"decision": "decline", "note": "Ask for consent first."},
    )
    assert response.status_code == 302
    share.refresh_from_db()
    assert share.status == SafeguardingStatus.DECLINED
    assert not section_access(partner, child).any
    event = AuditEvent.objects.get(action=Action.REVIEW, object_type="consent.safeguardingshare")
    assert event.reason == "Ask for consent first." and event.detail["decision"] == "declined"


def test_a_decision_needs_a_note_and_cannot_be_made_twice(client_for, alice, manager, manager2, child, partner):
    client_for(alice).post(
        reverse("consent:safeguarding_create", args=[child.pk]), safeguarding_post(partner.organisation)
    )
    share = SafeguardingShare.objects.get()
    url = reverse("consent:safeguarding_detail", args=[share.pk])
    response = client_for(manager).post(url, {"decision": "approve", "note": ""})
    assert response.status_code == 200 and "note" in response.context["form"].errors
    share.refresh_from_db()
    assert share.status == SafeguardingStatus.REQUESTED

    client_for(manager).post(url, {"decision": "decline", "note": "Not needed."})
    response = client_for(manager2).post(url, {"decision": "approve", "note": "Overrule"}, follow=True)
    assert "already been decided" in response.content.decode()
    # The service refuses too (a decision made between loading the page and saving it).
    with pytest.raises(ValidationError):
        services.decide_safeguarding_share(by=manager2, share=share, approve=True, note="Overrule")
    share.refresh_from_db()
    assert share.status == SafeguardingStatus.DECLINED and share.decided_by == manager


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"reason": "Worried."}, "reason"),
        ({"sections": []}, "items"),
        (date_fields("expires_on", datetime.date(2020, 1, 1)), "expires_on"),
        ({"recipient_organisation": ""}, "recipient_organisation"),
    ],
)
def test_a_safeguarding_request_is_reasoned_and_time_limited(client_for, alice, child, partner, overrides, field):
    response = client_for(alice).post(
        reverse("consent:safeguarding_create", args=[child.pk]), safeguarding_post(partner.organisation, **overrides)
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert not SafeguardingShare.objects.exists()


def test_a_safeguarding_share_lasts_at_most_90_days(client_for, alice, child, partner):
    too_far = TODAY() + datetime.timedelta(days=services.MAX_SAFEGUARDING_DAYS + 1)
    response = client_for(alice).post(
        reverse("consent:safeguarding_create", args=[child.pk]),
        safeguarding_post(partner.organisation, **date_fields("expires_on", too_far)),
    )
    assert list(response.context["form"].errors) == ["expires_on"]
    just_in = TODAY() + datetime.timedelta(days=services.MAX_SAFEGUARDING_DAYS)
    response = client_for(alice).post(
        reverse("consent:safeguarding_create", args=[child.pk]),
        safeguarding_post(partner.organisation, **date_fields("expires_on", just_in)),
    )
    assert response.status_code == 302


def test_an_expired_request_cannot_be_approved(alice, manager, child, partner):
    share = SafeguardingShare.objects.create(
        child=child,
        recipient_organisation=partner.organisation,
        items=["assessment"],
        reason="Risk of significant harm",
        expires_on=TODAY() - datetime.timedelta(days=1),
        requested_by=alice,
    )
    with pytest.raises(ValidationError):
        services.decide_safeguarding_share(by=manager, share=share, approve=True, note="Late")
    share.refresh_from_db()
    assert share.status == SafeguardingStatus.REQUESTED


def test_managers_see_waiting_requests_on_the_review_list_and_home_page(
    client_for, alice, manager, child, partner, charlie
):
    client_for(alice).post(
        reverse("consent:safeguarding_create", args=[child.pk]), safeguarding_post(partner.organisation)
    )
    response = client_for(manager).get(reverse("consent:safeguarding_review"))
    assert response.status_code == 200
    assert [s.child for s in response.context["waiting"]] == [child]
    home = client_for(manager).get(reverse("core:home")).content.decode()
    assert reverse("consent:safeguarding_review") in home
    assert "1 request to share without consent" in home
    # Not a manager: refused; a manager elsewhere: sees nothing of this service.
    assert client_for(alice).get(reverse("consent:safeguarding_review")).status_code == 403
    north_manager = UserFactory(organisation=charlie.organisation, role=Role.SERVICE_MANAGER)
    response = client_for(north_manager).get(reverse("consent:safeguarding_review"))
    assert response.context["waiting"] == [] and child.family_name not in response.content.decode()


def test_a_safeguarding_share_is_shown_on_the_young_persons_consent_page(client_for, alice, manager, child, partner):
    client_for(alice).post(
        reverse("consent:safeguarding_create", args=[child.pk]), safeguarding_post(partner.organisation)
    )
    share = SafeguardingShare.objects.get()
    client_for(manager).post(
        reverse("consent:safeguarding_detail", args=[share.pk]), {"decision": "approve", "note": "Yes."}
    )
    body = client_for(alice).get(reverse("consent:list", args=[child.pk])).content.decode()
    assert "Approved: shared now" in body
    assert partner.organisation.name_en in body
    assert "Disclosure of exploitation" in body


# --- Refusing to share -----------------------------------------------------------------------------


def refusal_post(**overrides) -> dict:
    data = {
        "recipient_kind": "organisation_type",
        "recipient_organisation_type": OrganisationType.EDUCATION,
        "decider": "young_person",
        "young_person_views": "I don't want school to know about my family.",
        **date_fields("decided_on", TODAY() - datetime.timedelta(days=2)),
    }
    data.update(overrides)
    return data


def test_a_refusal_is_a_decision_of_its_own_recorded_shown_and_audited(client_for, alice, child):
    client = client_for(alice)
    response = client.post(reverse("consent:refusal_create", args=[child.pk]), refusal_post())
    assert response.status_code == 302, response.content.decode()[:2000]
    from consent.models import SharingRefusal

    refusal = SharingRefusal.objects.get(child=child)
    assert refusal.recipient_organisation_type == OrganisationType.EDUCATION and refusal.active
    event = AuditEvent.objects.get(action=Action.CREATE, object_type__icontains="refusal", object_id=str(refusal.pk))
    assert event.child_id == child.pk and event.detail["refusal"] is True
    assert "family" not in json.dumps(event.detail)  # no free text in the audit
    page = client.get(reverse("consent:list", args=[child.pk])).content.decode()
    assert "Does not agree to share" in page and "I don&#x27;t want school to know about my family." in page
    # It grants nothing: no consent exists, and nothing is in force.
    assert not ConsentDecision.objects.exists()


def test_a_refusal_needs_the_young_persons_words_and_a_recipient(client_for, alice, child):
    response = client_for(alice).post(
        reverse("consent:refusal_create", args=[child.pk]),
        refusal_post(young_person_views="", recipient_organisation_type=""),
    )
    body = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in body
    assert "Enter what the young person said, in their own words" in body
    assert "Choose the type of organisation" in body


def test_a_consent_against_an_active_refusal_warns_and_needs_their_words_again(client_for, alice, child):
    from consent.models import SharingRefusal

    school = OrganisationFactory(
        code="SCH-WERN", name_en="Ysgol y Wern", name_cy="Ysgol y Wern", type=OrganisationType.EDUCATION
    )
    client = client_for(alice)
    client.post(reverse("consent:refusal_create", args=[child.pk]), refusal_post())
    form = client.get(reverse("consent:create", args=[child.pk])).content.decode()
    assert "The young person has said they do not agree to share with:" in form
    # A consent to one school contradicts "not schools": refused without their words again.
    response = client.post(reverse("consent:create", args=[child.pk]), consent_post(school))
    body = response.content.decode()
    assert response.status_code == 200 and not ConsentDecision.objects.exists()
    assert "The young person said they do not agree to share with" in body
    # With their words, the consent is recorded and the refusal ends, keeping what they said.
    words = "I've talked to Miss Jones and I'm OK with the school knowing now."
    response = client.post(reverse("consent:create", args=[child.pk]), consent_post(school, refusal_words=words))
    assert response.status_code == 302
    consent = ConsentDecision.objects.get()
    refusal = SharingRefusal.objects.get()
    assert not refusal.active and refusal.ended_by_consent == consent and refusal.ending_words == words
    created = AuditEvent.objects.filter(action=Action.CREATE, object_id=str(consent.pk)).exclude(
        object_type__icontains="refusal"
    )
    assert [event.detail.get("replaces_refusals") for event in created] == [[refusal.pk]]
    assert AuditEvent.objects.filter(action=Action.UPDATE, object_type__icontains="refusal").count() == 1


def test_a_consent_to_someone_else_is_not_held_up_by_a_refusal(client_for, alice, child, partner):
    client = client_for(alice)
    client.post(reverse("consent:refusal_create", args=[child.pk]), refusal_post())
    assert (
        client.post(reverse("consent:create", args=[child.pk]), consent_post(partner.organisation)).status_code == 302
    )


def test_a_refusal_of_someone_a_consent_still_reaches_asks_for_the_withdrawal_first(client_for, alice, child, manager):
    from assessments.tests.builders import give_consent

    school = OrganisationFactory(
        code="SCH-BRYN", name_en="Ysgol y Bryn", name_cy="Ysgol y Bryn", type=OrganisationType.EDUCATION
    )
    give_consent(child, recorded_by=manager, organisation=school, items=["assessment"])
    response = client_for(alice).post(reverse("consent:refusal_create", args=[child.pk]), refusal_post())
    body = response.content.decode()
    assert response.status_code == 200
    assert "A consent to share with Ysgol y Bryn is in force" in body


def test_the_young_persons_views_carry_the_language_they_were_given_in(client_for, alice, child, partner):
    """WCAG 3.1.2: views written in Welsh on the English form are marked lang="cy"."""
    form = client_for(alice).get(reverse("consent:create", args=[child.pk])).content.decode()
    assert 'name="text_language" type="radio" value="en" checked' in form
    data = consent_post(
        partner.organisation,
        young_person_views="Dw i eisiau i CAMHS wybod.",
        competence_judgement="Deallodd bwy fyddai'n ei weld.",
        text_language="cy",
    )
    response = client_for(alice).post(reverse("consent:create", args=[child.pk]), data)
    consent = ConsentDecision.objects.get(child=child)
    assert consent.text_language == "cy"
    page = client_for(alice).get(response["Location"]).content.decode()
    assert '<dd class="govuk-summary-list__value" lang="cy">Dw i eisiau i CAMHS wybod.</dd>' in page
    assert '<span lang="cy">Deallodd bwy' in page
    ConsentDecision.objects.filter(pk=consent.pk).update(text_language="")
    page = client_for(alice).get(response["Location"]).content.decode()
    assert '<dd class="govuk-summary-list__value">Dw i eisiau i CAMHS wybod.</dd>' in page


def test_the_withdrawal_keeps_the_words_apart_and_marks_their_language(client_for, alice, child, partner):
    """WCAG 3.1.2: Welsh written on the English form is shown ``lang="cy"``; the data holds only
    the words, and the label ("The young person's words") comes from the page, in its language."""
    consent = give_consent(child, recorded_by=alice, organisation=partner.organisation, items=["assessment"])
    client_for(alice).post(
        reverse("consent:withdraw", args=[consent.pk]),
        {"note": "Dywedodd wrthyf yn yr ysgol.", "young_person_words": "Dw i ddim eisiau hyn.", "text_language": "cy"},
    )
    consent.refresh_from_db()
    assert (consent.withdrawal_note, consent.withdrawal_words, consent.withdrawal_language) == (
        "Dywedodd wrthyf yn yr ysgol.",
        "Dw i ddim eisiau hyn.",
        "cy",
    )
    page = client_for(alice).get(reverse("consent:detail", args=[consent.pk])).content.decode()
    assert '<dd class="govuk-summary-list__value" lang="cy">Dywedodd wrthyf yn yr ysgol.</dd>' in page
    assert '<dd class="govuk-summary-list__value" lang="cy">Dw i ddim eisiau hyn.</dd>' in page
    assert "The young person&#x27;s words about the withdrawal" in page
    # An old row is undetermined: no lang attribute, never a guess.
    ConsentDecision.objects.filter(pk=consent.pk).update(withdrawal_language="")
    page = client_for(alice).get(reverse("consent:detail", args=[consent.pk])).content.decode()
    assert '<dd class="govuk-summary-list__value">Dywedodd wrthyf yn yr ysgol.</dd>' in page


def test_a_refusal_and_the_words_that_ended_it_each_carry_their_language(client_for, alice, child):
    """WCAG 3.1.2: the refusal is written in Welsh on the English form (``lang="cy"``); the words
    when asked again are written later, on the consent form, in that form's language. Old rows
    are undetermined and get no attribute."""
    from consent.models import SharingRefusal

    school = OrganisationFactory(
        code="SCH-WERN", name_en="Ysgol y Wern", name_cy="Ysgol y Wern", type=OrganisationType.EDUCATION
    )
    client = client_for(alice)
    views = "Dw i ddim eisiau i'r ysgol wybod."
    client.post(
        reverse("consent:refusal_create", args=[child.pk]), refusal_post(young_person_views=views, text_language="cy")
    )
    refusal = SharingRefusal.objects.get()
    assert refusal.text_language == "cy"
    page = client.get(reverse("consent:list", args=[child.pk])).content.decode()
    assert '<dd class="govuk-summary-list__value" lang="cy">Dw i ddim eisiau i&#x27;r ysgol wybod.</dd>' in page
    form = client.get(reverse("consent:create", args=[child.pk])).content.decode()
    assert '“<span lang="cy">Dw i ddim eisiau i&#x27;r ysgol wybod.</span>”' in form
    words = "I'm OK with the school knowing now."
    client.post(
        reverse("consent:create", args=[child.pk]), consent_post(school, refusal_words=words, text_language="en")
    )
    refusal.refresh_from_db()
    assert refusal.ending_language == "en"
    page = client.get(reverse("consent:list", args=[child.pk])).content.decode()
    assert '“<span lang="en">I&#x27;m OK with the school knowing now.</span>”' in page
    SharingRefusal.objects.filter(pk=refusal.pk).update(text_language="", ending_language="")
    page = client.get(reverse("consent:list", args=[child.pk])).content.decode()
    assert "“<span>I&#x27;m OK with the school knowing now.</span>”" in page
    assert '<dd class="govuk-summary-list__value">Dw i ddim eisiau i&#x27;r ysgol wybod.</dd>' in page


def test_the_managers_safeguarding_note_carries_its_own_language(client_for, alice, manager, child, partner):
    """The request and the manager's decision are written at two times: each its own language."""
    client_for(alice).post(
        reverse("consent:safeguarding_create", args=[child.pk]),
        safeguarding_post(partner.organisation, text_language="en"),
    )
    share = SafeguardingShare.objects.get()
    url = reverse("consent:safeguarding_detail", args=[share.pk])
    client_for(manager).post(url, {"decision": "approve", "note": "Angenrheidiol a chymesur.", "text_language": "cy"})
    share.refresh_from_db()
    assert (share.text_language, share.decision_language) == ("en", "cy")
    page = client_for(manager).get(url).content.decode()
    assert '<br><span lang="cy">Angenrheidiol a chymesur.</span>' in page
    SafeguardingShare.objects.filter(pk=share.pk).update(decision_language="")
    page = client_for(manager).get(url).content.decode()
    assert "<br><span>Angenrheidiol a chymesur.</span>" in page


def test_old_withdrawal_notes_give_up_the_labelled_words_only_on_an_exact_match():
    """The migration moves "The young person's words: …" (either language) out of old notes,
    and leaves any other note alone."""
    import importlib

    split_note = importlib.import_module("consent.migrations.0007_withdrawal_words_out_of_the_note").split_note
    assert split_note("Told me at school.\n\nThe young person's words: Stop it") == ("Told me at school.", "Stop it")
    assert split_note("Geiriau'r person ifanc: Dim rhagor") == ("", "Dim rhagor")
    assert split_note("She said the young person's words: stop.") is None
    assert split_note("Told me at school.") is None
