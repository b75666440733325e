"""The child record pages: the allowed person succeeds, bad input keeps what was typed and
saves nothing, concurrent edits never silently overwrite, every read and change is audited."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from audit.models import AuditEvent
from people.models import BreakGlassAccess, CareTeamMembership, Child, Placement, RelatedPerson
from people.tests.factories import ChildFactory

pytestmark = pytest.mark.django_db


def child_post(la, **overrides):
    data = {
        "given_name": "Mererid",
        "family_name": "Llŷr-Evans",
        "preferred_name": "Mer",
        "former_names": "",
        "date_of_birth_day": "5",
        "date_of_birth_month": "11",
        "date_of_birth_year": "2011",
        "nhs_number": "943 476 5919",
        "local_authority_reference": "CRD-123",
        "responsible_local_authority": str(la.pk),
        "legal_status": "looked_after",
        "preferred_language": "cy",
        "other_language": "",
        "active_offer": "welsh",
        "active_offer_date_day": "",
        "active_offer_date_month": "",
        "active_offer_date_year": "",
        "pronouns": "hi / she",
        "gender": "female",
        "gender_description": "",
        "ethnicity": "white_british",
        "disability": "",
        "neurodivergence": "",
    }
    data.update(overrides)
    return data


def test_practitioner_creates_a_record_and_joins_its_care_team(client_for, alice, la_cardiff):
    response = client_for(alice).post(reverse("people:create"), child_post(la_cardiff))
    child = Child.objects.get(family_name="Llŷr-Evans")
    assert response.status_code == 302
    assert response["Location"] == reverse("people:detail", args=[child.pk])
    assert child.nhs_number == "9434765919"
    assert child.date_of_birth == datetime.date(2011, 11, 5)
    assert CareTeamMembership.objects.filter(child=child, user=alice, role="lead").exists()
    assert AuditEvent.objects.filter(action="create", child_id=child.pk, actor=alice).exists()
    assert child.history.count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"nhs_number": "943 476 5918"}, "not a real NHS number"),
        ({"nhs_number": "12345"}, "10 digits"),
        ({"date_of_birth_day": "31", "date_of_birth_month": "2"}, "must be a real date"),
        ({"date_of_birth_year": "2099"}, "today or in the past"),
        ({"date_of_birth_month": ""}, "must include a day, a month and a year"),
        ({"given_name": "<script>alert(1)</script>"}, "Remove the HTML or script"),
        ({"given_name": "x" * 101}, "at most 100 characters"),
        ({"preferred_language": "klingon"}, "Select a valid choice"),
        ({"preferred_language": "other"}, "Enter the young person"),
    ],
)
def test_bad_input_is_explained_keeps_what_was_typed_and_saves_nothing(
    client_for, alice, la_cardiff, overrides, message
):
    data = child_post(la_cardiff, **overrides)
    response = client_for(alice).post(reverse("people:create"), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert message in body
    assert "There is a problem" in body
    assert 'value="Llŷr-Evans"' in body  # what was typed is kept
    assert Child.objects.count() == 0
    assert not AuditEvent.objects.filter(action="create").exists()


def test_bad_input_messages_are_in_welsh_on_welsh_pages(client_for, alice, la_cardiff):
    with translation.override("cy"):
        url = reverse("people:create")
    assert url.startswith("/cy/")
    response = client_for(alice).post(
        url, child_post(la_cardiff, nhs_number="943 476 5918", date_of_birth_day="31", date_of_birth_month="2")
    )
    body = response.content.decode()
    assert "Mae problem" in body
    assert "There is a problem" not in body
    assert "not a real NHS number" not in body


def test_viewing_a_record_is_audited(client_for, alice, child):
    response = client_for(alice).get(reverse("people:detail", args=[child.pk]))
    assert response.status_code == 200
    assert "Siôn Prydderch" in response.content.decode()
    event = AuditEvent.objects.get(action="view", child_id=child.pk)
    assert event.actor == alice
    assert event.route == "ui"


def test_detail_page_query_count_is_bounded(client_for, alice, child, django_assert_max_num_queries):
    client = client_for(alice)
    for n in range(10):
        RelatedPerson.objects.create(child=child, name=f"Person {n}", role="teacher")
    with django_assert_max_num_queries(30):
        response = client.get(reverse("people:detail", args=[child.pk]))
    # The bound means something only for the page itself (a redirect or a 404 costs a few queries).
    assert response.status_code == 200
    assert all(f"Person {n}" in response.content.decode() for n in range(10))


def test_list_shows_only_visible_records_and_searches(client_for, alice, child, south):
    hidden = ChildFactory(service=south, given_name="Cudd", family_name="Cuddiedig")
    client = client_for(alice)
    body = client.get(reverse("people:list")).content.decode()
    assert "Siôn Prydderch" in body
    assert "Cuddiedig" not in body
    assert "Siôn" in client.get(reverse("people:list"), {"q": "prydd"}).content.decode()
    assert "Siôn" in client.get(reverse("people:list"), {"q": "943 476 5919"}).content.decode()
    nobody = client.get(reverse("people:list"), {"q": "nobody"})
    assert nobody.status_code == 200 and "Siôn" not in nobody.content.decode()
    # Searching for the other service's child by name finds nothing either (the search box
    # echoes the words typed, so the test looks for a link to the record).
    searched = client.get(reverse("people:list"), {"q": hidden.family_name})
    assert searched.status_code == 200
    assert reverse("people:detail", args=[hidden.pk]) not in searched.content.decode()
    assert reverse("people:detail", args=[child.pk]) not in searched.content.decode()
    assert (
        reverse("people:detail", args=[child.pk]) in client.get(reverse("people:list"), {"q": "prydd"}).content.decode()
    )


def test_list_query_count_does_not_grow_with_the_caseload(client_for, alice, south, django_assert_max_num_queries):
    client = client_for(alice)
    kids = []
    for _ in range(3):
        kid = ChildFactory(service=south)
        kids.append(kid)
        CareTeamMembership.objects.create(child=kid, user=alice, role="lead")
    with django_assert_max_num_queries(25) as small:
        response = client.get(reverse("people:list"))
    assert response.status_code == 200
    for _ in range(20):
        kid = ChildFactory(service=south)
        kids.append(kid)
        CareTeamMembership.objects.create(child=kid, user=alice, role="lead")
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("people:list"))
    # The same page, now listing all 23: the bound was measured on the list, not on a redirect.
    assert response.status_code == 200
    assert all(kid.family_name in response.content.decode() for kid in kids)


def test_edit_saves_and_records_history(client_for, alice, child, la_cardiff):
    data = child_post(
        la_cardiff, given_name="Siôn", family_name="Prydderch", pronouns="fe / he", version=str(child.version)
    )
    response = client_for(alice).post(reverse("people:edit", args=[child.pk]), data)
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.pronouns == "fe / he"
    assert child.version == 2
    event = AuditEvent.objects.get(action="update", child_id=child.pk)
    assert "pronouns" in event.detail["fields"]
    assert child.history.count() == 2


def test_concurrent_edit_is_refused_without_losing_either_change(client_for, alice, manager, child, la_cardiff):
    opened_at = child.version
    # The manager saves first.
    first = child_post(la_cardiff, given_name="Siôn", family_name="Prydderch", pronouns="fe", version=str(opened_at))
    assert client_for(manager).post(reverse("people:edit", args=[child.pk]), first).status_code == 302
    # Alice's form was opened before that save.
    second = child_post(
        la_cardiff, given_name="Siôn", family_name="Prydderch", pronouns="nhw / they", version=str(opened_at)
    )
    response = client_for(alice).post(reverse("people:edit", args=[child.pk]), second)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved changes" in body
    assert 'value="nhw / they"' in body  # Alice's typing is kept
    assert '<dd class="govuk-summary-list__value">fe</dd>' in body  # beside what is now saved
    child.refresh_from_db()
    assert child.pronouns == "fe"  # the manager's save stands
    # Having seen both, Alice saves again and it goes through.
    again = child_post(
        la_cardiff, given_name="Siôn", family_name="Prydderch", pronouns="nhw / they", version=str(child.version)
    )
    assert client_for(alice).post(reverse("people:edit", args=[child.pk]), again).status_code == 302
    child.refresh_from_db()
    assert child.pronouns == "nhw / they"


def test_partner_and_colleague_cannot_edit(client_for, bob, child, la_cardiff):
    assert client_for(bob).get(reverse("people:edit", args=[child.pk])).status_code == 404


def test_related_person_add_and_edit(client_for, alice, child):
    client = client_for(alice)
    data = {
        "name": "Gwilym Athro",
        "role": "teacher",
        "organisation_name": "Ysgol Enghraifft",
        "is_active": "on",
        "version": "1",
    }
    assert client.post(reverse("people:related_person_create", args=[child.pk]), data).status_code == 302
    person = RelatedPerson.objects.get(name="Gwilym Athro")
    data.update(name="Gwilym Athro-Jones", version=str(person.version))
    assert client.post(reverse("people:related_person_edit", args=[child.pk, person.pk]), data).status_code == 302
    person.refresh_from_db()
    assert person.name == "Gwilym Athro-Jones"
    assert person.version == 2
    bad = client.post(
        reverse("people:related_person_create", args=[child.pk]), {"name": "Someone", "role": "other", "version": "1"}
    )
    assert "Describe this person" in bad.content.decode()


def test_new_placement_ends_the_current_one_and_flags_out_of_county(client_for, alice, child):
    current = child.placements.get()
    swansea = child.responsible_local_authority.__class__.objects.get(code="W06000011")
    data = {
        "type": "residential",
        "local_authority_area": str(swansea.pk),
        "start_date_day": "1",
        "start_date_month": "6",
        "start_date_year": "2024",
    }
    assert client_for(alice).post(reverse("people:placement_create", args=[child.pk]), data).status_code == 302
    current.refresh_from_db()
    assert current.end_date == datetime.date(2024, 6, 1)
    new = Placement.objects.get(child=child, end_date__isnull=True)
    assert new.out_of_county
    early = dict(data, start_date_year="2020")
    response = client_for(alice).post(reverse("people:placement_create", args=[child.pk]), early)
    assert "must start after the current one" in response.content.decode()


def test_manager_manages_the_care_team(client_for, manager, bob, alice, child):
    client = client_for(manager)
    response = client.post(reverse("people:care_team", args=[child.pk]), {"user": str(bob.pk), "role": "practitioner"})
    assert response.status_code == 302
    assert Child.objects.visible_to(bob).filter(pk=child.pk).exists()
    membership = CareTeamMembership.objects.get(child=child, user=bob, ended_at__isnull=True)
    client.post(reverse("people:care_team_end", args=[child.pk, membership.pk]))
    assert not Child.objects.visible_to(bob).filter(pk=child.pk).exists()
    # Practitioners cannot change the team.
    assert client_for(alice).get(reverse("people:care_team", args=[child.pk])).status_code == 403


def test_care_team_refuses_staff_of_other_organisations(client_for, manager, charlie, child):
    response = client_for(manager).post(
        reverse("people:care_team", args=[child.pk]), {"user": str(charlie.pk), "role": "practitioner"}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_history_page_shows_who_changed_what_for_managers_only(client_for, manager, alice, child, la_cardiff):
    data = child_post(
        la_cardiff, given_name="Siôn", family_name="Prydderch", pronouns="fe / he", version=str(child.version)
    )
    client_for(alice).post(reverse("people:edit", args=[child.pk]), data)
    body = client_for(manager).get(reverse("people:history", args=[child.pk])).content.decode()
    assert "Pronouns" in body
    assert "fe / he" in body
    assert "Alice Ymarferydd" in body
    assert client_for(alice).get(reverse("people:history", args=[child.pk])).status_code == 403


# The child fixture identified exactly, with a reason: what the duty worker types at 2am.
BREAK_GLASS_FORM = {
    "nhs_number": "9434765919",
    "la_reference": "",
    "date_of_birth_day": "27",
    "date_of_birth_month": "3",
    "date_of_birth_year": "2012",
    "reason": "Carer phoned at 2am: young person missing, need the safety details",
}


def test_break_glass_journey(client_for, duty, manager, child):
    duty_client = client_for(duty)
    assert duty_client.get(reverse("people:detail", args=[child.pk])).status_code == 404
    form = dict(BREAK_GLASS_FORM)
    wrong = duty_client.post(reverse("people:break_glass"), dict(form, date_of_birth_year="2013"))
    assert "No single record" in wrong.content.decode()
    assert not BreakGlassAccess.objects.exists()
    response = duty_client.post(reverse("people:break_glass"), form)
    assert response.status_code == 302
    # It lands on the safety plan; the whole record is a second grant with its own reason.
    assert response["Location"] == reverse("safety:plan", args=[child.pk])
    assert duty_client.get(reverse("people:detail", args=[child.pk])).status_code == 404
    access = BreakGlassAccess.objects.get()
    assert access.whole_record_at is None
    url = reverse("people:break_glass_whole_record", args=[access.pk])
    emergency_page = duty_client.get(reverse("people:break_glass")).content.decode()
    assert "I need the whole record because" in emergency_page and f'action="{url}"' in emergency_page
    vague = duty_client.post(url, {"reason": "need it"})
    assert vague.status_code == 400 and "at least three different words" in vague.content.decode()
    granted = duty_client.post(url, {"reason": "Police ask about the placement move last month"})
    assert granted["Location"] == reverse("people:detail", args=[child.pk])
    page = duty_client.get(reverse("people:detail", args=[child.pk]))
    assert page.status_code == 200
    assert "emergency access" in page.content.decode()
    view = AuditEvent.objects.filter(action="view", child_id=child.pk, actor=duty, object_type="people.child").get()
    assert view.route == "break_glass"
    assert AuditEvent.objects.filter(
        action="break_glass", child_id=child.pk, reason__startswith="Carer phoned"
    ).exists()
    second = AuditEvent.objects.get(action="break_glass", child_id=child.pk, detail__tier="whole_record")
    assert second.reason == "Police ask about the placement move last month" and second.route == "break_glass"
    # Read-only through emergency access.
    assert duty_client.get(reverse("people:edit", args=[child.pk])).status_code == 403
    # The manager sees it the next morning and reviews it.
    manager_client = client_for(manager)
    home = manager_client.get(reverse("core:home")).content.decode()
    assert "waiting for your review" in home
    review = manager_client.get(reverse("people:break_glass_review")).content.decode()
    assert "Carer phoned at 2am" in review
    assert "Second grant: the whole record" in review and "Police ask about the placement move last month" in review
    access = BreakGlassAccess.objects.get()
    manager_client.post(reverse("people:break_glass_mark_reviewed", args=[access.pk]), {"note": "Appropriate"})
    access.refresh_from_db()
    assert access.reviewed_by == manager
    assert access.review_note == "Appropriate"


def test_break_glass_needs_a_reason_and_the_right_role(client_for, duty, alice, child):
    response = client_for(duty).post(
        reverse("people:break_glass"),
        {
            "nhs_number": "9434765919",
            "date_of_birth_day": "27",
            "date_of_birth_month": "3",
            "date_of_birth_year": "2012",
            "reason": "x",
        },
    )
    assert "at least three different words" in response.content.decode()
    assert client_for(alice).get(reverse("people:break_glass")).status_code == 403


def test_a_missing_reason_for_break_glass_is_one_clear_error(client_for, duty):
    response = client_for(duty).post(
        reverse("people:break_glass"),
        {
            "nhs_number": "9434765919",
            "date_of_birth_day": "27",
            "date_of_birth_month": "3",
            "date_of_birth_year": "2012",
            "reason": " ",
        },
    )
    assert response.context["form"].errors["reason"] == [
        "Explain in words why you need emergency access, for example “Carer phoned, young person missing”: "
        "at least three different words."
    ]


def test_postcode_is_edited_on_the_record_and_kept_normalised(client_for, alice, child, la_cardiff):
    data = child_post(la_cardiff, postcode="sa1 1aa", version=str(child.version))
    response = client_for(alice).post(reverse("people:edit", args=[child.pk]), data)
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.postcode == "SA1 1AA"
    page = client_for(alice).get(reverse("people:detail", args=[child.pk])).content.decode()
    assert "SA1 1AA" in page


def test_break_glass_records_the_client_address_from_behind_our_proxy(client_for, duty, child, settings):
    settings.NYTH_TRUSTED_PROXIES = ["10.0.0.0/8"]
    form = dict(BREAK_GLASS_FORM)
    headers = {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.20"}
    response = client_for(duty).post(reverse("people:break_glass"), form, **headers)
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="break_glass", child_id=child.pk)
    assert event.detail["client_address"] == "203.0.113.20"  # not the forged left-most, not the proxy


def test_the_three_emergency_access_texts_each_carry_their_own_language(client_for, duty, manager, child):
    """WCAG 3.1.2: the reason, the second grant's reason and the manager's review note are
    written at three times, maybe in different languages: each is marked with its own; an old
    access (undetermined) has no lang attribute."""
    duty_client = client_for(duty)
    duty_client.post(reverse("people:break_glass"), dict(BREAK_GLASS_FORM, text_language="en"))
    access = BreakGlassAccess.objects.get()
    duty_client.post(
        reverse("people:break_glass_whole_record", args=[access.pk]),
        {"reason": "Yr heddlu yn holi am symud lleoliad y mis diwethaf", "text_language": "cy"},
    )
    manager_client = client_for(manager)
    review = manager_client.get(reverse("people:break_glass_review")).content.decode()
    assert '<dd class="govuk-summary-list__value" lang="en">Carer phoned at 2am' in review
    assert '<span lang="cy">Yr heddlu yn holi am symud lleoliad y mis diwethaf</span>' in review
    assert f'id="review-{access.pk}-text_language_0"' in review  # each card's radios, their own ids
    manager_client.post(
        reverse("people:break_glass_mark_reviewed", args=[access.pk]), {"note": "Priodol", "text_language": "cy"}
    )
    access.refresh_from_db()
    assert (access.text_language, access.whole_record_language, access.review_language) == ("en", "cy", "cy")
    review = manager_client.get(reverse("people:break_glass_review")).content.decode()
    assert 'Review note: <span lang="cy">Priodol</span>' in review
    BreakGlassAccess.objects.filter(pk=access.pk).update(text_language="", whole_record_language="", review_language="")
    review = manager_client.get(reverse("people:break_glass_review")).content.decode()
    assert "Review note: <span>Priodol</span>" in review
