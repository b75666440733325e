"""Staff records: managers see and keep their own service's staff; everyone else sees only their
own record, and any other person's record is a 404. Supervision overdue is flagged; the
figures for professionals trained outside the service are aggregates only."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import UserFactory
from audit.models import AuditEvent
from contacts.models import Contact
from core.errors import StaleEditError
from people.tests.factories import RelatedPersonFactory
from workforce import services
from workforce.models import StaffProfile, StaffTraining, Supervision

pytestmark = pytest.mark.django_db


def day_fields(name: str, day: datetime.date) -> dict[str, str]:
    return {f"{name}_day": str(day.day), f"{name}_month": str(day.month), f"{name}_year": str(day.year)}


def supervise(staff, supervisor, *, held_days_ago: int, due_in_days: int) -> Supervision:
    today = timezone.localdate()
    return Supervision.objects.create(
        user=staff,
        supervisor=supervisor,
        recorded_by=supervisor,
        held_on=today - datetime.timedelta(days=held_days_ago),
        next_due=today + datetime.timedelta(days=due_in_days),
    )


def test_the_manager_sees_the_whole_service_with_levels_and_overdue_flags(client_for, manager, alice, bob, charlie):
    services.save_profile(
        by=manager,
        staff=alice,
        expected_version=0,
        values={"practice_level": "enhanced", "practice_level_on": timezone.localdate(), "welsh_level": 5},
    )
    supervise(alice, manager, held_days_ago=10, due_in_days=30)
    supervise(bob, manager, held_days_ago=60, due_in_days=-5)
    page = client_for(manager).get(reverse("workforce:list")).content.decode()
    assert "Alice Ymarferydd" in page and "Bob Ymarferydd" in page and "Mair Rheolwr" in page
    assert "Charlie" not in page  # another service's staff
    assert "Trauma enhanced" in page and "Proficiency" in page
    assert "Overdue" in page and "None recorded" in page  # Bob's is late; the manager has none
    assert "2 members of staff are overdue for supervision." in page
    assert AuditEvent.objects.filter(actor=manager, action="list", detail__workforce=True).exists()


def test_a_practitioner_sees_only_their_own_record(client_for, alice, bob, manager):
    client = client_for(alice)
    page = client.get(reverse("workforce:list")).content.decode()
    assert "Alice Ymarferydd" in page and "Bob Ymarferydd" not in page
    assert "people trained by the service" not in page  # the service figures are for managers
    assert client.get(reverse("workforce:staff_detail", args=[alice.pk])).status_code == 200
    for other in (bob, manager):
        assert client.get(reverse("workforce:staff_detail", args=[other.pk])).status_code == 404


def test_nobody_outside_the_service_reaches_a_staff_record(
    client_for, alice, charlie, partner, commissioner, administrator
):
    north_manager = UserFactory(username="northmanager", organisation=charlie.organisation, role=Role.SERVICE_MANAGER)
    for user in (charlie, north_manager, partner, commissioner, administrator):
        client = client_for(user)
        for name in ("staff_detail", "profile_edit", "training_create", "supervision_create"):
            url = reverse(f"workforce:{name}", args=[alice.pk])
            assert client.get(url).status_code == 404, (user, name)
            assert client.post(url, {"topic": "attachment"}).status_code == 404, (user, name)
    for user in (partner, commissioner, administrator):
        assert client_for(user).get(reverse("workforce:list")).status_code == 403
    north_page = client_for(north_manager).get(reverse("workforce:list")).content.decode()
    assert "Alice" not in north_page


def test_practitioners_add_their_own_training_but_not_supervision_or_levels(client_for, alice, manager):
    client = client_for(alice)
    response = client.post(
        reverse("workforce:training_create", args=[alice.pk]),
        {
            "topic": "impact_of_trauma",
            "provider": "ACE Hub Wales",
            "hours": "3.5",
            **day_fields("completed_on", timezone.localdate()),
        },
    )
    assert response.status_code == 302
    training = StaffTraining.objects.get(user=alice)
    assert (training.topic, str(training.hours), training.recorded_by) == ("impact_of_trauma", "3.5", alice)
    assert client.get(reverse("workforce:supervision_create", args=[alice.pk])).status_code == 403
    assert client.get(reverse("workforce:profile_edit", args=[alice.pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        services.record_supervision(
            by=alice, staff=alice, values={"held_on": timezone.localdate(), "supervisor": manager}
        )


def test_training_input_is_checked_and_kept(client_for, manager, alice):
    response = client_for(manager).post(
        reverse("workforce:training_create", args=[alice.pk]),
        {
            "topic": "other",
            "provider": "Local college",
            "hours": "0",
            **day_fields("completed_on", timezone.localdate()),
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Say what the training covered" in body and "Enter the hours" in body
    assert 'value="Local college"' in body
    assert not StaffTraining.objects.exists()


def test_supervision_suggests_the_next_date_and_flags_overdue(client_for, manager, alice, bob):
    services.save_profile(
        by=manager, staff=alice, expected_version=0, values={"welsh_level": 2, "supervision_every_weeks": 4}
    )
    held = timezone.localdate() - datetime.timedelta(days=40)
    response = client_for(manager).post(
        reverse("workforce:supervision_create", args=[alice.pk]),
        {"supervisor": str(bob.pk), **day_fields("held_on", held)},
    )
    assert response.status_code == 302
    supervision = Supervision.objects.get(user=alice)
    assert supervision.next_due == held + datetime.timedelta(weeks=4)
    assert supervision.is_overdue  # 40 days ago + 4 weeks is in the past
    detail = client_for(alice).get(reverse("workforce:staff_detail", args=[alice.pk])).content.decode()
    assert "Overdue" in detail and "Foundation" in detail
    bad = client_for(manager).post(
        reverse("workforce:supervision_create", args=[alice.pk]),
        {"supervisor": str(bob.pk), **day_fields("held_on", held), **day_fields("next_due", held)},
    )
    assert "The next supervision must be after this one" in bad.content.decode()


def test_a_change_based_on_an_older_version_is_refused_and_kept(client_for, manager, alice, south):
    other_manager = UserFactory(
        username="manager2", first_name="Owain", last_name="Rheolwr", organisation=south, role=Role.SERVICE_MANAGER
    )
    services.save_profile(
        by=manager,
        staff=alice,
        expected_version=0,
        values={"practice_level": "aware", "practice_level_on": timezone.localdate(), "welsh_level": 1},
    )
    services.save_profile(
        by=other_manager,
        staff=alice,
        expected_version=1,
        values={"practice_level": "skilled", "practice_level_on": timezone.localdate(), "welsh_level": 1},
    )
    response = client_for(manager).post(
        reverse("workforce:profile_edit", args=[alice.pk]),
        {
            "version": "1",
            "practice_level": "specialist",
            "welsh_level": "4",
            "supervision_every_weeks": "6",
            **day_fields("practice_level_on", timezone.localdate()),
        },
    )
    body = response.content.decode()
    assert "Someone else changed this staff record" in body
    assert 'value="specialist" checked' in body and 'value="4" checked' in body  # nothing typed is lost
    assert "Trauma skilled" in body  # beside what is saved now
    assert 'name="version" value="2"' in body
    profile = StaffProfile.objects.get(user=alice)
    assert (profile.practice_level, profile.version) == ("skilled", 2)
    assert profile.history.count() == 2
    with pytest.raises(StaleEditError):
        services.save_profile(by=manager, staff=alice, expected_version=1, values={"welsh_level": 0})


def test_a_practice_level_needs_its_date(client_for, manager, alice):
    response = client_for(manager).post(
        reverse("workforce:profile_edit", args=[alice.pk]),
        {"version": "0", "practice_level": "enhanced", "welsh_level": "0", "supervision_every_weeks": "6"},
    )
    assert "Enter the date the practice level was agreed" in response.content.decode()
    assert not StaffProfile.objects.exists()


def _consultations_and_training(child, alice):
    teacher = RelatedPersonFactory(child=child, name="Mrs Jones", role="teacher")
    carer = child.related_people.get(role="foster_carer")
    when = timezone.now() - datetime.timedelta(days=20)
    training = Contact.objects.create(
        child=child,
        practitioner=alice,
        recorded_by=alice,
        kind="carer_training",
        location="home",
        starts_at=when,
        idempotency_key="wf:1",
    )
    training.people.set([carer, teacher])
    again = Contact.objects.create(
        child=child,
        practitioner=alice,
        recorded_by=alice,
        kind="carer_training",
        location="home",
        starts_at=when,
        idempotency_key="wf:2",
    )
    again.people.set([carer])  # counted once however often trained
    for key in ("wf:3", "wf:4"):
        Contact.objects.create(
            child=child,
            practitioner=alice,
            recorded_by=alice,
            kind="consultation",
            consultation_with="teacher",
            location="school",
            starts_at=when,
            idempotency_key=key,
        )


def test_professionals_trained_outside_the_service_are_counted(client_for, manager, alice, child, south):
    _consultations_and_training(child, alice)
    assert services.professionals_trained(south) == {"foster_carer": 1, "teacher": 1}
    assert services.consultations_by_professional(south) == {"teacher": 2}
    page = client_for(manager).get(reverse("workforce:list")).content.decode()
    assert "2 people trained by the service" in page
    assert "2 professional consultations held" in page
    assert "Mrs Jones" not in page  # figures only


def test_staff_trained_by_topic(manager, alice, bob):
    today = timezone.localdate()
    for user, topic in ((alice, "attachment"), (alice, "attachment"), (bob, "attachment"), (bob, "brain_development")):
        services.record_training(
            by=manager,
            staff=user,
            values={"topic": topic, "completed_on": today, "provider": "Health board", "hours": 2},
        )
    assert services.staff_trained_by_topic(manager) == {"attachment": 2, "brain_development": 1}
    assert services.staff_trained_by_topic(alice) == {"attachment": 1}


def test_queries_do_not_grow_with_the_staff(client_for, manager, south, django_assert_max_num_queries):
    def grow(count: int) -> None:
        for _index in range(count):
            person = UserFactory(organisation=south, role=Role.PRACTITIONER)
            StaffProfile.objects.create(user=person, practice_level="skilled", welsh_level=3)
            StaffTraining.objects.create(
                user=person,
                topic="attachment",
                completed_on=timezone.localdate(),
                provider="x",
                hours=2,
                recorded_by=manager,
            )
            supervise(person, manager, held_days_ago=3, due_in_days=30)

    client = client_for(manager)
    grow(5)
    with django_assert_max_num_queries(40) as small:
        assert client.get(reverse("workforce:list")).status_code == 200
    grow(195)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(reverse("workforce:list"))
    assert page.status_code == 200
    assert page.content.decode().count("Trauma skilled") == 200


def test_every_page_opens_for_the_manager(client_for, manager, alice, bob):
    services.record_training(
        by=manager,
        staff=alice,
        values={"topic": "attachment", "completed_on": timezone.localdate(), "provider": "Health board", "hours": 2},
    )
    supervise(alice, bob, held_days_ago=3, due_in_days=30)
    client = client_for(manager)
    for name in ("staff_detail", "profile_edit", "training_create", "supervision_create"):
        assert client.get(reverse(f"workforce:{name}", args=[alice.pk])).status_code == 200, name
    detail = client.get(reverse("workforce:staff_detail", args=[alice.pk])).content.decode()
    assert "Attachment" in detail and "Bob Ymarferydd" in detail and "Overdue" not in detail
    assert AuditEvent.objects.filter(
        actor=manager, action="view", object_type="accounts.user", object_id=str(alice.pk)
    ).exists()
