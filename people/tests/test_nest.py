"""The nest: the trusted adults around the young person – the young person's view of them,
whether they were told about the support and trained to respond therapeutically, contact
details only with the young person's permission, and consultation and training recorded on
both sides (the contact names them; their page shows it)."""

from __future__ import annotations

import datetime
import random

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from contacts.models import Contact, Kind
from people import demo_nest, services
from people.models import (
    SUPPORT_CONTACT_KINDS,
    BreakGlassAccess,
    NestTraining,
    RelatedPerson,
    RelationshipRole,
)
from people.tests.factories import ChildFactory, RelatedPersonFactory

pytestmark = pytest.mark.django_db


def person_post(**overrides) -> dict[str, str]:
    data = {
        "name": "Gareth Lloyd",
        "role": "sports_coach",
        "role_other": "",
        "organisation_name": "Clwb Hoci Bro Taf",
        "young_person_view": "He gets me. I can be myself at hockey.",
        "informed_on_day": "3",
        "informed_on_month": "2",
        "informed_on_year": "2026",
        "informed_by": "",
        "phone": "",
        "email": "",
        "notes": "",
        "is_active": "on",
        "version": "1",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def training_post(**overrides) -> dict[str, str]:
    data = {
        "topic": "responding",
        "practice_level": "aware",
        "topic_detail": "",
        "given_on_day": "10",
        "given_on_month": "2",
        "given_on_year": "2026",
        "trainer": "",
        "trainer_name": "",
        "contact": "",
    }
    data.update(overrides)
    return data


def make_contact(
    child, practitioner, kind: str, people=(), key: str = "", attendance: str = "attended", days: int = 3
) -> Contact:
    contact = Contact.objects.create(
        child=child,
        practitioner=practitioner,
        recorded_by=practitioner,
        kind=kind,
        location="home",
        consultation_with="foster_carer" if kind == "consultation" else "",
        starts_at=timezone.now() - datetime.timedelta(days=days),
        attendance=attendance,
        idempotency_key=key or f"{child.pk}:{kind}:{days}:{len(people)}:{attendance}",
    )
    contact.people.set(people)
    return contact


def test_the_roles_cover_the_nest():
    """The guidance's trusted adults each have a role to choose."""
    for role in (
        "foster_carer",
        "kinship_carer",
        "adoptive_parent",
        "special_guardian",
        "residential_worker",
        "teacher",
        "youth_worker",
        "play_worker",
        "sports_coach",
        "advocate",
        "youth_justice_worker",
        "birth_parent",
        "birth_family",
    ):
        assert role in RelationshipRole.values
    assert set(SUPPORT_CONTACT_KINDS) <= set(Kind.values)


def test_the_nest_fields_are_saved(client_for, alice, child):
    client = client_for(alice)
    response = client.post(
        reverse("people:related_person_create", args=[child.pk]), person_post(informed_by=str(alice.pk))
    )
    assert response.status_code == 302
    person = RelatedPerson.objects.get(name="Gareth Lloyd")
    assert person.role == "sports_coach"
    assert person.young_person_view == "He gets me. I can be myself at hockey."
    assert person.informed_on == datetime.date(2026, 2, 3) and person.informed_by == alice
    page = client.get(reverse("people:related_person_detail", args=[child.pk, person.pk])).content.decode()
    assert "He gets me. I can be myself at hockey." in page
    assert "3 February 2026, by Alice Ymarferydd" in page
    assert AuditEvent.objects.filter(
        action="view", object_type="people.relatedperson", object_id=str(person.pk)
    ).exists()


def test_told_by_needs_a_date(client_for, alice, child):
    data = person_post(informed_by=str(alice.pk), informed_on_day="", informed_on_month="", informed_on_year="")
    response = client_for(alice).post(reverse("people:related_person_create", args=[child.pk]), data)
    assert "Enter the date they were told about the support" in response.content.decode()


def test_contact_details_are_refused_without_permission(client_for, alice, child):
    client = client_for(alice)
    url = reverse("people:related_person_create", args=[child.pk])
    response = client.post(url, person_post(phone="07700 900123", email="gareth@example.org"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Contact details are kept only if the young person agrees" in body
    assert "07700 900123" in body  # kept in the form, not lost
    assert not RelatedPerson.objects.filter(name="Gareth Lloyd").exists()
    ok = client.post(url, person_post(phone="07700 900123", contact_permitted="on"))
    assert ok.status_code == 302
    assert RelatedPerson.objects.get(name="Gareth Lloyd").phone == "07700 900123"


def test_withdrawn_permission_clears_the_contact_details(client_for, alice, child):
    person = RelatedPersonFactory(
        child=child,
        name="Gareth Lloyd",
        role="sports_coach",
        contact_permitted=True,
        phone="07700 900123",
        email="gareth@example.org",
    )
    client = client_for(alice)
    # The boxes still hold the details (hidden by the page's script) when the tick is removed.
    response = client.post(
        reverse("people:related_person_edit", args=[child.pk, person.pk]),
        person_post(phone="07700 900123", email="gareth@example.org", version=str(person.version)),
        follow=True,
    )
    assert "the contact details were removed" in response.content.decode()
    person.refresh_from_db()
    assert (person.contact_permitted, person.phone, person.email) == (False, "", "")
    event = AuditEvent.objects.filter(action="update", object_id=str(person.pk)).latest("id")
    assert event.detail["contact_details_cleared"] is True
    # History keeps who changed what (the number is no longer in the current record).
    assert person.history.count() == 2


def test_the_service_never_stores_details_without_permission(alice, child):
    """Whatever the caller, the rule holds in the service too."""
    person = services.add_related_person(
        by=alice,
        child=child,
        values={"name": "Rhian Bowen", "role": "teacher", "phone": "07700 900456", "contact_permitted": False},
    )
    assert person.phone == ""
    updated = services.update_related_person(
        by=alice,
        person=person,
        expected_version=person.version,
        values={"contact_permitted": True, "phone": "07700 900456"},
    )
    assert updated.phone == "07700 900456"
    withdrawn = services.update_related_person(
        by=alice, person=updated, expected_version=updated.version, values={"contact_permitted": False}
    )
    assert withdrawn.phone == ""


def test_training_is_recorded_and_shown(client_for, alice, child):
    person = child.related_people.get()
    contact = make_contact(child, alice, "carer_training", people=[person])
    other_contact = make_contact(child, alice, "carer_training", key="not-this-person")  # names no one
    client = client_for(alice)
    url = reverse("people:nest_training_create", args=[child.pk, person.pk])
    form = client.get(url).content.decode()
    assert f'value="{contact.pk}"' in form and f'value="{other_contact.pk}"' not in form
    missing = client.post(url, training_post(topic="other"))
    assert "Say what the training covered" in missing.content.decode()
    assert "Say who gave the training" in missing.content.decode()
    assert client.post(url, training_post(trainer=str(alice.pk), contact=str(contact.pk))).status_code == 302
    training = NestTraining.objects.get()
    assert (training.related_person, training.trainer, training.contact, training.recorded_by) == (
        person,
        alice,
        contact,
        alice,
    )
    detail = client.get(reverse("people:related_person_detail", args=[child.pk, person.pk])).content.decode()
    assert "Responding therapeutically" in detail and "Recorded as a contact: Carer training" in detail
    table = client.get(reverse("people:detail", args=[child.pk])).content.decode()
    assert "Responding therapeutically" in table and "10 February 2026" in table
    assert AuditEvent.objects.filter(action="create", object_type="people.nesttraining", child_id=child.pk).exists()


def test_training_must_link_a_contact_the_person_took_part_in(alice, child):
    person = child.related_people.get()
    contact = make_contact(child, alice, "carer_training", key="nobody")
    with pytest.raises(Exception) as refused:
        services.record_nest_training(
            by=alice,
            person=person,
            values={"topic": "responding", "given_on": datetime.date(2026, 1, 1), "trainer": alice, "contact": contact},
        )
    assert "contact" in refused.value.message_dict


def test_a_training_contact_naming_the_person_shows_on_their_page(client_for, alice, child):
    person = child.related_people.get()
    make_contact(child, alice, "carer_training", people=[person], days=4)
    make_contact(child, alice, "consultation", people=[person], days=2)
    make_contact(child, alice, "family", people=[person], days=1)  # a session, not support to the adult
    make_contact(child, alice, "consultation", days=5)  # names no one
    client = client_for(alice)
    detail = client.get(reverse("people:related_person_detail", args=[child.pk, person.pk])).content.decode()
    received = detail[
        detail.index("Consultation and training received") : detail.index("Other contacts they took part in")
    ]
    assert "Carer training" in received and "Professional consultation" in received
    assert "Direct session: family" not in received
    assert "Direct session: family" in detail[detail.index("Other contacts they took part in") :]
    row = RelatedPerson.objects.visible_to(alice).with_nest().get(pk=person.pk)
    assert row.support_received == 2


def test_break_glass_reads_the_nest_but_does_not_record_training(client_for, duty, child):
    person = child.related_people.get()
    BreakGlassAccess.objects.create(
        user=duty,
        child=child,
        reason="Night call",
        expires_at=timezone.now() + datetime.timedelta(hours=1),
        whole_record_at=timezone.now(),
    )  # the second grant: the whole record (ADR 014)
    client = client_for(duty)
    assert client.get(reverse("people:related_person_detail", args=[child.pk, person.pk])).status_code == 200
    view = AuditEvent.objects.get(action="view", actor=duty, object_type="people.relatedperson")
    assert view.route == "break_glass"
    assert client.get(reverse("people:nest_training_create", args=[child.pk, person.pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        services.record_nest_training(
            by=duty,
            person=person,
            values={"topic": "responding", "given_on": datetime.date(2026, 1, 1), "trainer_name": "X"},
        )


def test_strangers_get_404(client_for, charlie, bob, partner, child):
    person = child.related_people.get()
    for user in (charlie, bob, partner):
        client = client_for(user)
        for name in ("people:related_person_detail", "people:nest_training_create"):
            url = reverse(name, args=[child.pk, person.pk])
            assert client.get(url).status_code == 404, (user, name)
            assert client.post(url, training_post(trainer_name="X")).status_code == 404, (user, name)
    assert not NestTraining.objects.exists()


def test_a_person_of_another_child_is_not_reached_through_this_child(client_for, alice, child, south):
    other = RelatedPersonFactory(child=ChildFactory(service=south))
    assert client_for(alice).get(reverse("people:related_person_detail", args=[child.pk, other.pk])).status_code == 404


def test_nest_trained_counts_by_role(alice, bob, child, south, north, charlie):
    carer = child.related_people.get()  # foster carer
    teacher = RelatedPersonFactory(child=child, name="Mrs Jones", role="teacher")
    coach = RelatedPersonFactory(child=child, name="Gareth", role="sports_coach")
    advocate = RelatedPersonFactory(child=child, name="Eleri", role="advocate")
    day = datetime.date(2026, 1, 10)
    NestTraining.objects.create(
        related_person=carer, topic="trauma_attachment", given_on=day, trainer=alice, recorded_by=alice
    )
    NestTraining.objects.create(
        related_person=carer, topic="responding", given_on=day, trainer=bob, recorded_by=alice
    )  # twice: once
    # Trained by someone outside the service: not the service's training.
    NestTraining.objects.create(
        related_person=advocate,
        topic="other",
        topic_detail="x",
        given_on=day,
        trainer_name="Fostering Wales",
        recorded_by=alice,
    )
    make_contact(child, alice, "carer_training", people=[teacher], key="t1")
    make_contact(
        child, alice, "carer_training", people=[coach], key="t2", attendance="cancelled_service"
    )  # did not happen
    make_contact(child, alice, "consultation", people=[coach], key="t3")  # advice, not training
    stranger_child = ChildFactory(service=north)
    stranger = RelatedPersonFactory(child=stranger_child, role="teacher")
    NestTraining.objects.create(
        related_person=stranger, topic="responding", given_on=day, trainer=charlie, recorded_by=charlie
    )
    assert services.nest_trained_counts(south) == {"foster_carer": 1, "teacher": 1}
    assert services.nest_trained_counts(north) == {"teacher": 1}
    # A period: the carer's training was in January; the teacher's contact three days ago.
    assert services.nest_trained_counts(south, since=datetime.date(2026, 1, 1), until=datetime.date(2026, 1, 31)) == {
        "foster_carer": 1
    }


def _nest(child, alice, size: int) -> None:
    start = RelatedPerson.objects.filter(child=child).count()
    for index in range(start, start + size):
        person = RelatedPersonFactory(
            child=child, name=f"Adult {index}", role="teacher", informed_on=datetime.date(2026, 1, 2), informed_by=alice
        )
        NestTraining.objects.create(
            related_person=person,
            topic="responding",
            given_on=datetime.date(2026, 1, 5),
            trainer=alice,
            recorded_by=alice,
        )
        make_contact(child, alice, "consultation", people=[person], key=f"n{person.pk}")


def _trainings(child, alice, person, size: int) -> None:
    start = NestTraining.objects.count()
    for index in range(size):
        NestTraining.objects.create(
            related_person=person,
            topic="responding",
            given_on=datetime.date(2026, 1, 5),
            trainer=alice,
            recorded_by=alice,
        )
        contact = make_contact(child, alice, "carer_training", people=[person], key=f"c{start + index}")
        NestTraining.objects.create(
            related_person=person,
            topic="safety_plan",
            given_on=datetime.date(2026, 1, 6),
            trainer=alice,
            recorded_by=alice,
            contact=contact,
        )


@pytest.mark.parametrize("page", ["people:detail", "people:related_person_detail"])
def test_queries_do_not_grow_with_the_nest(client_for, alice, child, page, django_assert_max_num_queries):
    client = client_for(alice)
    person = child.related_people.get()
    grow = (
        (lambda n: _nest(child, alice, n))
        if page == "people:detail"
        else (lambda n: _trainings(child, alice, person, n))
    )
    args = [child.pk] if page == "people:detail" else [child.pk, person.pk]
    grow(5)
    with django_assert_max_num_queries(50) as small:
        assert client.get(reverse(page, args=args)).status_code == 200
    grow(195)
    with django_assert_max_num_queries(len(small.captured_queries)):
        body = client.get(reverse(page, args=args)).content.decode()
    if page == "people:detail":
        assert "Adult 200" in body  # all 201 people are listed (the fixture's carer and 200 more)
    else:
        assert body.count("Responding therapeutically") == 200


def test_demo_nest_seed_is_idempotent(south, manager, alice, bob):
    kids = [ChildFactory(service=south, preferred_language="cy" if i % 4 == 0 else "en") for i in range(30)]
    for kid in kids:
        RelatedPersonFactory(child=kid, name=f"Carer {kid.pk}", role="foster_carer", contact_permitted=True)
        RelatedPersonFactory(child=kid, name=f"Teacher {kid.pk}", role="teacher")
    demo_nest.seed(service=south, manager=manager, practitioners=[alice, bob], children=kids, rng=random.Random(1))
    snapshot = (
        RelatedPerson.objects.count(),
        NestTraining.objects.count(),
        RelatedPerson.history.count(),
        list(RelatedPerson.objects.order_by("pk").values_list("young_person_view", "informed_on", "phone")),
    )
    assert snapshot[0] > 60  # some coaches, play workers, advocates were added
    assert snapshot[1] > 0
    assert RelatedPerson.objects.exclude(informed_on=None).exists()
    assert not RelatedPerson.objects.filter(contact_permitted=False).exclude(phone="").exists()
    demo_nest.seed(service=south, manager=manager, practitioners=[alice, bob], children=kids, rng=random.Random(2))
    again = (
        RelatedPerson.objects.count(),
        NestTraining.objects.count(),
        RelatedPerson.history.count(),
        list(RelatedPerson.objects.order_by("pk").values_list("young_person_view", "informed_on", "phone")),
    )
    assert again == snapshot


def test_training_records_the_trauma_informed_wales_level(client_for, alice, child):
    person = child.related_people.get()
    client = client_for(alice)
    url = reverse("people:nest_training_create", args=[child.pk, person.pk])
    missing = client.post(url, training_post(trainer=str(alice.pk), practice_level=""))
    assert "Choose the Trauma-Informed Wales practice level" in missing.content.decode()
    assert not NestTraining.objects.exists()
    assert client.post(url, training_post(trainer=str(alice.pk), practice_level="skilled")).status_code == 302
    assert NestTraining.objects.get().practice_level == "skilled"
    detail = client.get(reverse("people:related_person_detail", args=[child.pk, person.pk])).content.decode()
    assert "Trauma skilled" in detail
    assert "Trauma skilled" in client.get(reverse("people:detail", args=[child.pk])).content.decode()


def test_the_count_of_consultation_and_training_received_matches_what_was_recorded(client_for, alice, child):
    person = child.related_people.get()
    given = make_contact(child, alice, "carer_training", people=[person], days=4, key="given")
    make_contact(child, alice, "consultation", people=[person], days=2, key="consulted")
    make_contact(child, alice, "carer_training", people=[person], days=1, key="cancelled", attendance="cancelled_carer")
    day = datetime.date(2026, 1, 10)
    # Training given in the contact above: one, not two.
    NestTraining.objects.create(
        related_person=person, topic="responding", given_on=day, trainer=alice, recorded_by=alice, contact=given
    )
    # Training recorded without a contact (a course elsewhere): received, so counted.
    NestTraining.objects.create(
        related_person=person, topic="safety_plan", given_on=day, trainer_name="Fostering Wales", recorded_by=alice
    )
    row = RelatedPerson.objects.visible_to(alice).with_nest().get(pk=person.pk)
    assert row.support_received == 3  # the training contact, the consultation, the course; not the cancelled one
    detail = client_for(alice).get(reverse("people:related_person_detail", args=[child.pk, person.pk])).content.decode()
    received = detail[detail.index("Consultation and training received") :]
    assert "3 received" in received


def test_what_is_written_about_a_person_in_the_nest_carries_its_language(client_for, alice, child):
    """WCAG 3.1.2: the young person's view written in Welsh on the English form is shown
    ``lang="cy"``; an old row (undetermined) has no lang attribute."""
    client = client_for(alice)
    client.post(
        reverse("people:related_person_create", args=[child.pk]),
        person_post(young_person_view="Mae e'n fy neall i.", notes="Hyfforddwr hoci.", text_language="cy"),
    )
    person = RelatedPerson.objects.get(name="Gareth Lloyd")
    assert person.text_language == "cy"
    url = reverse("people:related_person_detail", args=[child.pk, person.pk])
    page = client.get(url).content.decode()
    assert '<span lang="cy">Mae e&#x27;n fy neall i.</span>' in page
    assert '<dd class="govuk-summary-list__value" lang="cy">Hyfforddwr hoci.</dd>' in page
    RelatedPerson.objects.filter(pk=person.pk).update(text_language="")
    page = client.get(url).content.decode()
    assert "<span>Mae e&#x27;n fy neall i.</span>" in page
