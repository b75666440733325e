"""Support delivery: quick, honest recording of contacts; caseload, diary and team views."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from contacts import services
from contacts.models import Contact
from people.models import BreakGlassAccess, CareTeamMembership
from people.tests.factories import ChildFactory, RelatedPersonFactory
from referrals.models import Referral
from referrals.tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db


def contact_post(**overrides):
    when = timezone.localtime() - datetime.timedelta(days=1)
    data = {
        "date_day": str(when.day),
        "date_month": str(when.month),
        "date_year": str(when.year),
        "time": "14:30",
        "kind": "individual",
        "attendance": "attended",
        "consultation_with": "",
        "duration_minutes": "50",
        "language": "cy",
        "location": "home",
        "summary": "Talked about the move.",
    }
    data.update(overrides)
    return data


def test_a_contact_is_recorded_once_even_when_sent_twice(client_for, alice, child):
    client = client_for(alice)
    person = child.related_people.get()
    url = reverse("contacts:create", args=[child.pk])
    first = client.post(url, contact_post(people=[person.pk]))
    again = client.post(url, contact_post(people=[person.pk]))
    assert first.status_code == again.status_code == 302
    contact = Contact.objects.get(child=child)
    assert list(contact.people.all()) == [person]  # recorded on the trusted adult's side too
    assert list(person.contacts.all()) == [contact]
    assert contact.language == "cy" and contact.duration_minutes == 50
    assert AuditEvent.objects.filter(action="create", child_id=child.pk, object_type__icontains="contact").count() == 1
    page = client.get(reverse("contacts:child", args=[child.pk])).content.decode()
    assert "Talked about the move." in page


def test_the_form_offers_this_young_persons_people_and_no_one_elses(client_for, alice, child, south):
    RelatedPersonFactory(child=ChildFactory(service=south), name="Someone Else Entirely")
    person = child.related_people.get()
    form = client_for(alice).get(reverse("contacts:create", args=[child.pk])).content.decode()
    assert f'name="people" type="checkbox" value="{person.pk}"' in form
    assert form.count('name="people"') == 1
    assert "Someone Else Entirely" not in form


def test_bad_input_is_explained_and_kept(client_for, alice, child):
    response = client_for(alice).post(
        reverse("contacts:create", args=[child.pk]),
        contact_post(time="25:99", kind="consultation", summary="Kept text", duration_minutes="2"),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Enter a real time" in body
    assert "Enter a length between 5 and 600 minutes" in body
    assert "Kept text" in body and 'value="25:99"' in body
    assert not Contact.objects.exists()


def test_a_consultation_says_with_whom(client_for, alice, child):
    response = client_for(alice).post(reverse("contacts:create", args=[child.pk]), contact_post(kind="consultation"))
    assert "Say who the consultation was with" in response.content.decode()
    client_for(alice).post(
        reverse("contacts:create", args=[child.pk]), contact_post(kind="consultation", consultation_with="teacher")
    )
    assert Contact.objects.get().consultation_with == "teacher"


def test_the_future_cannot_have_taken_place(client_for, alice, child):
    later = timezone.localdate() + datetime.timedelta(days=3)
    data = contact_post(date_day=str(later.day), date_month=str(later.month), date_year=str(later.year))
    response = client_for(alice).post(reverse("contacts:create", args=[child.pk]), data)
    assert "has not happened yet" in response.content.decode()
    data["attendance"] = "did_not_attend"
    assert (
        "has not happened yet"
        in client_for(alice).post(reverse("contacts:create", args=[child.pk]), data).content.decode()
    )
    data["attendance"] = "booked"
    assert client_for(alice).post(reverse("contacts:create", args=[child.pk]), data).status_code == 302
    assert Contact.objects.get(child=child).attendance == "booked"


def _booked(alice, child, *, hours: int) -> Contact:
    when = timezone.now().replace(second=0, microsecond=0) + datetime.timedelta(hours=hours)
    values = {
        "kind": "individual",
        "starts_at": when,
        "attendance": "booked",
        "language": "en",
        "location": "school",
        "duration_minutes": 50,
    }
    contact, _created = services.record_contact(by=alice, child=child, values=values)
    return contact


def _edit_post(contact: Contact, **overrides) -> dict:
    when = timezone.localtime(contact.starts_at)
    data = {
        "date_day": str(when.day),
        "date_month": str(when.month),
        "date_year": str(when.year),
        "time": when.strftime("%H:%M"),
        "kind": contact.kind,
        "attendance": contact.attendance,
        "duration_minutes": str(contact.duration_minutes),
        "language": contact.language,
        "location": contact.location,
        "summary": contact.summary,
        "consultation_with": "",
        "version": str(contact.version),
    }
    data.update(overrides)
    return data


def test_a_booked_session_shows_in_the_diary_and_its_outcome_is_recorded_later(client_for, alice, child, south):
    referral = ReferralFactory(service=south, child=child, status="accepted")
    Referral.objects.filter(pk=referral.pk).update(received_at=timezone.now() - datetime.timedelta(days=30))
    ahead = _booked(alice, child, hours=30)
    passed = _booked(alice, child, hours=-2)
    client = client_for(alice)
    caseload = client.get(reverse("contacts:caseload")).content.decode()
    assert "1 to record" in caseload
    week = timezone.localdate(passed.starts_at)
    diary = client.get(reverse("contacts:diary"), {"week": week.isoformat()}).content.decode()
    assert reverse("contacts:edit", args=[child.pk, passed.pk]) in diary and "What happened?" in diary
    assert not ahead.awaiting_outcome and passed.awaiting_outcome
    referral.refresh_from_db()
    assert referral.first_session_at is None  # booked is not a session that happened

    url = reverse("contacts:edit", args=[child.pk, passed.pk])
    page = client.get(url).content.decode()
    assert "Record what happened" in page
    response = client.post(url, _edit_post(passed, attendance="attended", summary="Walked and talked about school."))
    assert response.status_code == 302
    passed.refresh_from_db()
    assert passed.attendance == "attended" and passed.version == 2
    assert passed.history.count() == 2  # both states kept
    assert AuditEvent.objects.filter(action="update", object_type="contacts.contact", object_id=str(passed.pk)).exists()
    referral.refresh_from_db()
    assert referral.first_session_at == passed.starts_at  # computed from the event, now it happened
    caseload = client.get(reverse("contacts:caseload"))
    assert caseload.status_code == 200 and "to record" not in caseload.content.decode()


def test_a_second_save_over_someone_elses_change_is_refused_and_keeps_what_was_typed(client_for, alice, manager, child):
    contact = _booked(alice, child, hours=-3)
    opened = _edit_post(contact)
    client_for(manager).post(
        reverse("contacts:edit", args=[child.pk, contact.pk]), {**opened, "attendance": "did_not_attend"}
    )
    response = client_for(alice).post(
        reverse("contacts:edit", args=[child.pk, contact.pk]),
        {**opened, "attendance": "attended", "summary": "My notes"},
    )
    body = response.content.decode()
    assert response.status_code == 200 and "Someone else changed this contact" in body and "My notes" in body
    contact.refresh_from_db()
    assert contact.attendance == "did_not_attend" and contact.summary == ""


def test_only_the_care_team_changes_a_contact(client_for, alice, bob, child):
    contact = _booked(alice, child, hours=-3)
    assert client_for(bob).get(reverse("contacts:edit", args=[child.pk, contact.pk])).status_code == 404


def test_the_first_session_sets_the_referral_timeliness(alice, manager, child, south):
    referral = ReferralFactory(service=south, child=child, status="accepted")
    Referral.objects.filter(pk=referral.pk).update(received_at=timezone.now() - datetime.timedelta(days=30))
    base = {"duration_minutes": 60, "language": "en", "location": "home", "summary": ""}
    consultation_at = timezone.now() - datetime.timedelta(days=20)
    services.record_contact(
        by=alice,
        child=child,
        values={
            **base,
            "kind": "consultation",
            "consultation_with": "teacher",
            "attendance": "attended",
            "starts_at": consultation_at,
        },
    )
    missed_at = timezone.now() - datetime.timedelta(days=15)
    services.record_contact(
        by=alice,
        child=child,
        values={**base, "kind": "individual", "attendance": "did_not_attend", "starts_at": missed_at},
    )
    referral.refresh_from_db()
    assert referral.first_session_at is None  # a consultation and a missed session are not a session
    session_at = timezone.now() - datetime.timedelta(days=10)
    services.record_contact(
        by=alice, child=child, values={**base, "kind": "individual", "attendance": "attended", "starts_at": session_at}
    )
    referral.refresh_from_db()
    assert referral.first_session_at == session_at


def test_break_glass_records_only_an_out_of_hours_contact(client_for, duty, child):
    BreakGlassAccess.objects.create(
        user=duty, child=child, reason="Crisis call at night", expires_at=timezone.now() + datetime.timedelta(hours=2)
    )
    client = client_for(duty)
    url = reverse("contacts:create", args=[child.pk])
    response = client.post(url, contact_post(kind="individual"))
    assert "only an out-of-hours or crisis contact" in response.content.decode()
    assert client.post(url, contact_post(kind="out_of_hours", location="phone")).status_code == 302
    contact = Contact.objects.get()
    assert contact.kind == "out_of_hours"
    assert (
        AuditEvent.objects.get(action="create", child_id=child.pk, object_type__icontains="contact").route
        == "break_glass"
    )


def test_strangers_and_partners_cannot_reach_contacts(client_for, charlie, partner, child):
    for user in (charlie, partner):
        assert client_for(user).get(reverse("contacts:child", args=[child.pk])).status_code == 404
        assert client_for(user).post(reverse("contacts:create", args=[child.pk]), contact_post()).status_code == 404


def _caseload(south, alice, size):
    now = timezone.now()
    for index in range(size):
        kid = ChildFactory(service=south)
        CareTeamMembership.objects.create(child=kid, user=alice, role="lead")
        for days in (-3, 2):
            Contact.objects.create(
                child=kid,
                practitioner=alice,
                recorded_by=alice,
                kind="individual",
                location="home",
                starts_at=now + datetime.timedelta(days=days, minutes=index),
                idempotency_key=f"{kid.pk}:{days}",
                attendance="attended" if days < 0 else "cancelled_service",
            )


@pytest.mark.parametrize("name", ["contacts:caseload", "contacts:diary", "contacts:team"])
def test_queries_per_page_do_not_grow_with_the_caseload(
    client_for, alice, manager, south, name, django_assert_max_num_queries
):
    user = manager if name == "contacts:team" else alice
    client = client_for(user)
    _caseload(south, alice, 5)
    with django_assert_max_num_queries(40) as small:
        response = client.get(reverse(name))
    assert response.status_code == 200
    _caseload(south, alice, 195)  # 200 young people
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse(name))
    assert response.status_code == 200


def test_caseload_and_team_show_the_figures(client_for, alice, manager, south):
    _caseload(south, alice, 3)
    page = client_for(alice).get(reverse("contacts:caseload")).content.decode()
    assert "3 young people" in page
    team = client_for(manager).get(reverse("contacts:team")).content.decode()
    assert "Alice Ymarferydd" in team
    assert client_for(alice).get(reverse("contacts:team")).status_code == 403


def test_diary_shows_the_week_and_managers_open_a_colleagues(client_for, alice, manager, bob, south):
    _caseload(south, alice, 1)
    kid = CareTeamMembership.objects.filter(user=alice).first().child
    monday = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday())
    page = client_for(alice).get(reverse("contacts:diary"), {"week": monday.isoformat()}).content.decode()
    assert kid.display_name in page or kid.given_name in page
    as_manager = client_for(manager).get(reverse("contacts:diary"), {"user": alice.pk}).content.decode()
    assert "Alice Ymarferydd" in as_manager
    # A practitioner cannot open a colleague's diary: they see their own.
    own = client_for(bob).get(reverse("contacts:diary"), {"user": alice.pk}).content.decode()
    assert "Bob Ymarferydd" in own


def test_an_untouched_form_records_nothing_and_says_what_is_missing(client_for, alice, child):
    # Saving the form as it opens must not record "a session that took place now, at home".
    client = client_for(alice)
    url = reverse("contacts:create", args=[child.pk])
    form = client.get(url).content.decode()
    for name in ("kind", "attendance", "location"):
        assert f'name="{name}"' in form
        assert not [tag for tag in form.split("<input") if f'name="{name}"' in tag and "checked" in tag], name
    assert 'name="time" value=' not in form and 'name="date_day" value=' not in form
    response = client.post(
        url, {"consultation_with": "", "duration_minutes": "60", "language": "cy", "summary": "Kept words"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert not Contact.objects.exists()
    for message in (
        "Choose the kind of contact",
        "Choose what happened",
        "Choose where it took place",
        "Enter the date of the contact",
        "Enter the start time",
    ):
        assert message in body, message
    assert "govuk-error-summary" in body and "Kept words" in body


def test_a_link_may_still_preselect_the_kind(client_for, alice, child):
    form = client_for(alice).get(reverse("contacts:create", args=[child.pk]) + "?kind=consultation").content.decode()
    assert [tag for tag in form.split("<input") if 'value="consultation"' in tag and "checked" in tag]


def test_the_summary_carries_the_language_it_was_written_in(client_for, alice, child):
    """WCAG 3.1.2: Welsh written on the English form is marked lang="cy" where it is shown; a
    contact from before the language was recorded is left unmarked, never guessed."""
    client = client_for(alice)
    form = client.get(reverse("contacts:create", args=[child.pk])).content.decode()
    assert 'name="text_language" type="radio" value="en" checked' in form  # the writer's interface language
    client.post(
        reverse("contacts:create", args=[child.pk]),
        contact_post(summary="Buom yn siarad am y symud.", text_language="cy"),
    )
    assert Contact.objects.get(child=child).text_language == "cy"
    Contact.objects.filter(child=child).update(text_language="")
    old = client.get(reverse("contacts:child", args=[child.pk])).content.decode()
    assert '<span class="govuk-body-s">Buom yn siarad' in old
    Contact.objects.filter(child=child).update(text_language="cy")
    page = client.get(reverse("contacts:child", args=[child.pk])).content.decode()
    assert '<span class="govuk-body-s" lang="cy">Buom yn siarad am y symud.</span>' in page
