"""Transitions: each kind starts from its own checklist; items are ticked (who and when); a change
of practitioner needs a handover summary and changes the care team – at once when a manager
completes it, otherwise waiting for a manager; planning into adulthood is flagged from 16."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from core.errors import StaleEditError
from episodes import services
from episodes.checklists import DEFAULT_ITEMS, OUT_OF_COUNTY_ITEMS
from episodes.models import Transition, TransitionChecklistItem
from people.models import BreakGlassAccess, CareTeamMembership
from people.tests.factories import ChildFactory, PlacementFactory, RelatedPersonFactory, local_authority

pytestmark = pytest.mark.django_db


def day_fields(name: str, day: datetime.date) -> dict[str, str]:
    return {f"{name}_day": str(day.day), f"{name}_month": str(day.month), f"{name}_year": str(day.year)}


def plan(user, child, kind: str = "school_move", **values) -> Transition:
    base = {
        "planned_on": timezone.localdate() + datetime.timedelta(days=30),
        "summary": "Moving to Ysgol y Bryn in September.",
    }
    base.update(values)
    trusted = base.pop("trusted_adults", [])
    return services.create_transition(by=user, child=child, kind=kind, values=base, trusted_adults=trusted)


@pytest.mark.parametrize("kind", list(DEFAULT_ITEMS))
def test_each_kind_starts_from_its_default_checklist(alice, child, kind):
    transition = plan(alice, child, kind=kind)
    keys = list(transition.checklist.values_list("key", flat=True))
    assert keys == [key for key, _ in DEFAULT_ITEMS[kind]]
    assert len(keys) >= 6
    # Shown in the reader's language from the key; the stored English text is only a fallback.
    assert all(item.label == item.text for item in transition.checklist.all())


def test_out_of_county_to_local_adds_the_coming_home_steps(alice, child):
    transition = plan(alice, child, kind="placement_move", out_of_county_to_local=True)
    keys = set(transition.checklist.values_list("key", flat=True))
    assert {key for key, _ in OUT_OF_COUNTY_ITEMS} <= keys
    school = plan(alice, child, kind="school_move", out_of_county_to_local=True)  # only for placement moves
    assert not school.out_of_county_to_local
    assert not {key for key, _ in OUT_OF_COUNTY_ITEMS} & set(school.checklist.values_list("key", flat=True))


def test_the_kind_is_chosen_first_and_then_only_its_fields_are_asked(client_for, alice, child):
    client = client_for(alice)
    first = client.get(reverse("episodes:transition_create", args=[child.pk])).content.decode()
    assert "What kind of transition?" in first and 'name="summary"' not in first
    school = client.get(
        reverse("episodes:transition_create", args=[child.pk]), {"kind": "school_move"}
    ).content.decode()
    assert 'name="summary"' in school and 'name="to_practitioner"' not in school
    handover = client.get(
        reverse("episodes:transition_create", args=[child.pk]), {"kind": "practitioner_change"}
    ).content.decode()
    assert 'name="to_practitioner"' in handover and 'name="trusted_adults"' in handover
    # The lead practitioner is suggested as the one handing over.
    assert f'value="{alice.pk}" selected' in handover


def test_a_placement_move_is_planned_from_a_placement_row(client_for, alice, child):
    home = PlacementFactory(
        child=child,
        start_date=timezone.localdate() - datetime.timedelta(days=5),
        local_authority_area=local_authority(),
    )
    client = client_for(alice)
    listing = client.get(reverse("episodes:list", args=[child.pk])).content.decode()
    assert f"?placement={home.pk}" in listing  # offered: plan the placement move
    form = client.get(reverse("episodes:transition_create", args=[child.pk]), {"placement": home.pk}).content.decode()
    assert f'value="{home.pk}" selected' in form
    response = client.post(
        reverse("episodes:transition_create", args=[child.pk]),
        {
            "kind": "placement_move",
            "status": "in_progress",
            "summary": "Moving to foster carers in Cardiff.",
            "placement": str(home.pk),
            **day_fields("planned_on", home.start_date),
        },
    )
    assert response.status_code == 302
    transition = Transition.objects.get(child=child)
    assert (transition.kind, transition.placement, transition.status) == ("placement_move", home, "in_progress")
    assert AuditEvent.objects.filter(action="create", object_type="episodes.transition", child_id=child.pk).exists()
    listing = client.get(reverse("episodes:list", args=[child.pk])).content.decode()
    assert f"?placement={home.pk}" not in listing  # planned now


def test_another_childs_placement_or_people_are_refused(alice, child, south):
    other = ChildFactory(service=south)
    with pytest.raises(ValidationError) as refused:
        plan(alice, child, kind="placement_move", placement=PlacementFactory(child=other))
    assert "placement" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        plan(alice, child, kind="practitioner_change", trusted_adults=[RelatedPersonFactory(child=other)])
    assert "trusted_adults" in refused.value.message_dict


def test_only_this_young_persons_people_are_offered_as_trusted_adults(client_for, alice, child, south):
    RelatedPersonFactory(child=ChildFactory(service=south), name="Someone Else Entirely")
    mine = RelatedPersonFactory(child=child, name="Nain Gwen")
    url = reverse("episodes:transition_create", args=[child.pk]) + "?kind=practitioner_change"
    form = client_for(alice).get(url).content.decode()
    assert "Nain Gwen" in form and f'value="{mine.pk}"' in form
    assert "Someone Else Entirely" not in form
    assert form.count('name="trusted_adults"') == child.related_people.count()


def test_checklist_items_are_ticked_with_date_and_who(client_for, alice, child):
    transition = plan(alice, child)
    first, second = transition.checklist.all()[:2]
    client = client_for(alice)
    url = reverse("episodes:transition_detail", args=[transition.pk])
    response = client.post(url, {"version": "1", "done": [str(first.pk), str(second.pk)]})
    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.done_on, first.done_by) == (timezone.localdate(), alice)
    transition.refresh_from_db()
    assert (transition.status, transition.version) == ("in_progress", 2)  # work has started
    # Unticking one keeps the other's date and who.
    client.post(url, {"version": "2", "done": [str(second.pk)]})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.done_on is None and second.done_by == alice
    page = client.get(url).content.decode()
    assert "1 of 7 done" in page or "1 of 8 done" in page
    assert AuditEvent.objects.filter(
        action="update", object_type="episodes.transition", detail__checklist_done=[first.pk, second.pk]
    ).exists()


def test_ticks_based_on_an_older_checklist_are_refused_and_kept(client_for, alice, manager, child):
    transition = plan(alice, child)
    first, second = transition.checklist.all()[:2]
    services.tick_checklist(by=manager, transition=transition, expected_version=1, done_ids=[first.pk])
    response = client_for(alice).post(
        reverse("episodes:transition_detail", args=[transition.pk]), {"version": "1", "done": [str(second.pk)]}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Someone else changed this checklist" in body
    assert f'value="{second.pk}" checked' in body  # Alice's tick is still there
    assert 'name="version" value="2"' in body
    assert "Done on" in body and "Mair Rheolwr" in body  # beside what is saved now
    second.refresh_from_db()
    assert second.done_on is None


def test_own_items_can_be_added(client_for, alice, child):
    transition = plan(alice, child)
    response = client_for(alice).post(
        reverse("episodes:checklist_add", args=[transition.pk]),
        {"version": "1", "text": "Buy the new uniform with Siôn"},
    )
    assert response.status_code == 302
    item = transition.checklist.get(key="")
    assert item.label == "Buy the new uniform with Siôn"
    bad = client_for(alice).post(
        reverse("episodes:checklist_add", args=[transition.pk]), {"version": "2", "text": "<b>x</b>"}
    )
    assert "Remove the HTML" in bad.content.decode()


def test_change_of_practitioner_needs_a_handover_summary(client_for, alice, bob, manager, child):
    transition = plan(alice, child, kind="practitioner_change", from_practitioner=alice, to_practitioner=bob)
    client = client_for(alice)
    url = reverse("episodes:transition_complete", args=[transition.pk])
    response = client.post(
        url, {"version": "1", "to_practitioner": str(bob.pk), **day_fields("completed_on", timezone.localdate())}
    )
    assert "Write the handover summary" in response.content.decode()
    transition.refresh_from_db()
    assert transition.status == "planned"
    with pytest.raises(ValidationError):
        services.complete_transition(
            by=alice, transition=transition, expected_version=1, values={"completed_on": timezone.localdate()}
        )


def test_a_manager_completing_a_change_of_practitioner_changes_the_care_team(client_for, alice, bob, manager, child):
    person = child.related_people.get()
    transition = plan(
        alice, child, kind="practitioner_change", from_practitioner=alice, to_practitioner=bob, trusted_adults=[person]
    )
    response = client_for(manager).post(
        reverse("episodes:transition_complete", args=[transition.pk]),
        {
            "version": "1",
            "to_practitioner": str(bob.pk),
            **day_fields("completed_on", timezone.localdate()),
            "handover_summary": "Siôn likes to walk and talk; avoid sudden changes; Sioned stays in touch.",
        },
    )
    assert response.status_code == 302
    transition.refresh_from_db()
    assert transition.status == "done" and not transition.care_team_change_pending
    assert transition.care_team_changed_by == manager
    assert list(transition.trusted_adults.all()) == [person]
    active = CareTeamMembership.objects.filter(child=child, ended_at__isnull=True)
    assert list(active.values_list("user__username", "role")) == [("bob", "lead")]  # Bob takes over as lead
    assert CareTeamMembership.objects.get(child=child, user=alice).ended_at is not None
    assert AuditEvent.objects.filter(
        action="create", object_type="people.careteammembership", child_id=child.pk
    ).exists()


def test_a_practitioner_already_in_the_team_takes_over_as_lead(alice, bob, manager, child):
    """Bob already works with the young person; when Alice (lead) hands over to him he becomes
    lead, so the young person is never left without one."""
    from people.models import CareTeamRole

    CareTeamMembership.objects.create(child=child, user=bob, role=CareTeamRole.PRACTITIONER)
    transition = plan(alice, child, kind="practitioner_change", from_practitioner=alice, to_practitioner=bob)
    services.complete_transition(
        by=manager,
        transition=transition,
        expected_version=1,
        values={"completed_on": timezone.localdate(), "to_practitioner": bob, "handover_summary": "All in the plan."},
    )
    active = CareTeamMembership.objects.filter(child=child, ended_at__isnull=True)
    assert list(active.values_list("user__username", "role")) == [("bob", "lead")]
    assert CareTeamMembership.objects.filter(child=child, user=bob).count() == 2  # the earlier role is kept


def test_a_practitioner_completing_it_waits_for_a_manager(client_for, alice, bob, manager, child):
    transition = plan(alice, child, kind="practitioner_change", from_practitioner=alice, to_practitioner=bob)
    response = client_for(alice).post(
        reverse("episodes:transition_complete", args=[transition.pk]),
        {
            "version": "1",
            "to_practitioner": str(bob.pk),
            **day_fields("completed_on", timezone.localdate()),
            "handover_summary": "All in the plan.",
        },
        follow=True,
    )
    assert "Waiting for a manager to change the care team" in response.content.decode()
    transition.refresh_from_db()
    assert transition.status == "done" and transition.care_team_change_pending
    assert list(
        CareTeamMembership.objects.filter(child=child, ended_at__isnull=True).values_list("user__username", flat=True)
    ) == ["alice"]
    # The practitioner cannot make the change; the manager can, from the transition.
    url = reverse("episodes:transition_care_team", args=[transition.pk])
    assert client_for(alice).post(url).status_code == 403
    manager_page = client_for(manager).get(reverse("episodes:transition_detail", args=[transition.pk])).content.decode()
    assert "Change the care team now" in manager_page
    assert client_for(manager).post(url).status_code == 302
    transition.refresh_from_db()
    assert not transition.care_team_change_pending and transition.care_team_changed_by == manager
    assert list(
        CareTeamMembership.objects.filter(child=child, ended_at__isnull=True).values_list("user__username", flat=True)
    ) == ["bob"]


def test_a_completed_transition_is_no_longer_changed(client_for, alice, child):
    transition = plan(alice, child)
    services.complete_transition(
        by=alice, transition=transition, expected_version=1, values={"completed_on": timezone.localdate()}
    )
    client = client_for(alice)
    assert client.get(reverse("episodes:transition_edit", args=[transition.pk])).status_code == 403
    assert client.get(reverse("episodes:transition_complete", args=[transition.pk])).status_code == 403
    with pytest.raises(ValidationError):
        services.tick_checklist(by=alice, transition=transition, expected_version=2, done_ids=[])


def test_editing_is_versioned_and_stale_edits_are_refused(client_for, alice, manager, child):
    transition = plan(alice, child)
    services.update_transition(
        by=manager,
        transition=transition,
        expected_version=1,
        values={"planned_on": transition.planned_on, "status": "in_progress", "summary": "Mair's summary"},
    )
    response = client_for(alice).post(
        reverse("episodes:transition_edit", args=[transition.pk]),
        {
            "version": "1",
            "status": "planned",
            "summary": "Alice's summary",
            **day_fields("planned_on", transition.planned_on),
        },
    )
    body = response.content.decode()
    assert "Someone else changed this transition" in body
    assert "Alice&#x27;s summary" in body and "Mair&#x27;s summary" in body
    transition.refresh_from_db()
    assert (transition.summary, transition.version) == ("Mair's summary", 2)
    assert transition.history.count() == 2
    with pytest.raises(StaleEditError):
        services.update_transition(by=alice, transition=transition, expected_version=1, values={"summary": "x"})


def test_adulthood_planning_is_flagged_from_16_and_support_runs_to_25(client_for, alice, south):
    today = timezone.localdate()
    older = ChildFactory(service=south, date_of_birth=today.replace(year=today.year - 17) - datetime.timedelta(days=1))
    CareTeamMembership.objects.create(child=older, user=alice, role="lead")
    client = client_for(alice)
    page = client.get(reverse("episodes:list", args=[older.pk])).content.decode()
    assert "no move into adulthood is planned" in page
    with pytest.raises(ValidationError) as refused:
        plan(
            alice,
            older,
            kind="adulthood",
            support_until=older.date_of_birth.replace(year=older.date_of_birth.year + 26),
        )
    assert "support_until" in refused.value.message_dict
    plan(
        alice,
        older,
        kind="adulthood",
        adult_service="Adult community mental health team",
        support_until=older.date_of_birth.replace(year=older.date_of_birth.year + 21),
    )
    page = client.get(reverse("episodes:list", args=[older.pk])).content.decode()
    assert "no move into adulthood is planned" not in page


def test_younger_children_are_not_flagged(client_for, alice, child):
    assert child.age < 16
    assert (
        "no move into adulthood is planned"
        not in client_for(alice).get(reverse("episodes:list", args=[child.pk])).content.decode()
    )


def test_break_glass_reads_transitions_but_cannot_tick(client_for, alice, duty, child):
    transition = plan(alice, child)
    BreakGlassAccess.objects.create(
        user=duty,
        child=child,
        reason="Night crisis",
        expires_at=timezone.now() + datetime.timedelta(hours=2),
        whole_record_at=timezone.now(),
    )  # the second grant: the whole record (ADR 014)
    client = client_for(duty)
    page = client.get(reverse("episodes:transition_detail", args=[transition.pk]))
    assert page.status_code == 200 and "Save the checklist" not in page.content.decode()
    assert AuditEvent.objects.filter(
        actor=duty, action="view", object_type="episodes.transition", route="break_glass"
    ).exists()
    item = transition.checklist.first()
    assert (
        client.post(
            reverse("episodes:transition_detail", args=[transition.pk]), {"version": "1", "done": [str(item.pk)]}
        ).status_code
        == 403
    )
    with pytest.raises(PermissionDenied):
        services.tick_checklist(by=duty, transition=transition, expected_version=1, done_ids=[item.pk])


def test_strangers_get_404_for_every_transition_page(client_for, alice, bob, charlie, commissioner, child):
    transition = plan(alice, child)
    item = transition.checklist.first()
    for user in (bob, charlie, commissioner):
        client = client_for(user)
        for name in (
            "transition_detail",
            "transition_edit",
            "transition_complete",
            "checklist_add",
            "transition_care_team",
        ):
            url = reverse(f"episodes:{name}", args=[transition.pk])
            assert client.post(url, {"version": "1", "done": [str(item.pk)], "text": "x"}).status_code == 404, (
                user,
                name,
            )
        assert client.get(reverse("episodes:transition_create", args=[child.pk])).status_code == 404
    assert not TransitionChecklistItem.objects.filter(done_on__isnull=False).exists()


def test_every_page_opens_for_the_care_team(client_for, alice, bob, child):
    """Each form page renders (GET) for someone allowed to use it."""
    from episodes.models import Episode

    episode = Episode.objects.create(
        child=child, opened_on=timezone.localdate(), opened_from="returning", opened_by=alice
    )
    handover = plan(alice, child, kind="practitioner_change", from_practitioner=alice, to_practitioner=bob)
    adult = plan(alice, child, kind="adulthood")
    client = client_for(alice)
    urls = [
        reverse("episodes:open", args=[child.pk]),
        reverse("episodes:pause", args=[episode.pk]),
        reverse("episodes:close", args=[episode.pk]),
        reverse("episodes:transition_edit", args=[handover.pk]),
        reverse("episodes:transition_complete", args=[handover.pk]),
        reverse("episodes:transition_detail", args=[adult.pk]),
        reverse("episodes:transition_edit", args=[adult.pk]),
        reverse("episodes:transition_complete", args=[adult.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
    complete = client.get(reverse("episodes:transition_complete", args=[handover.pk])).content.decode()
    assert (
        "7 checklist items are not ticked" in complete and "a manager will be asked to change the care team" in complete
    )


# --- One lead at a time, the manager's prompt, booked sessions and who may be allocated ---------------


def test_one_lead_practitioner_per_young_person_is_a_database_rule(alice, bob, child):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        CareTeamMembership.objects.create(child=child, user=bob, role="lead")
    # An ended lead membership does not count.
    CareTeamMembership.objects.filter(child=child, user=alice).update(ended_at=timezone.now())
    CareTeamMembership.objects.create(child=child, user=bob, role="lead")


def test_adding_a_second_lead_is_refused_unless_it_replaces_the_lead(alice, bob, manager, child):
    from people.services import add_care_team_member

    with pytest.raises(ValidationError) as refused:
        add_care_team_member(by=manager, child=child, member=bob, role="lead")
    assert "Alice Ymarferydd is the lead practitioner" in str(refused.value)
    add_care_team_member(by=manager, child=child, member=bob, role="lead", replace_lead=True)
    active = CareTeamMembership.objects.filter(child=child, ended_at__isnull=True).order_by("user__username")
    # Alice stays in the care team as a practitioner; Bob leads.
    assert list(active.values_list("user__username", "role")) == [("alice", "practitioner"), ("bob", "lead")]


def test_reallocating_a_referral_keeps_one_lead(alice, bob, manager, child, south):
    from referrals.services import allocate
    from referrals.tests.factories import ReferralFactory

    referral = ReferralFactory(service=south, child=child, status="allocated", allocated_to=alice)
    allocate(by=manager, referral=referral, practitioner=bob)
    assert CareTeamMembership.objects.filter(child=child, ended_at__isnull=True, role="lead").get().user == bob


def test_allocating_a_new_practitioner_lists_only_practitioners(client_for, alice, bob, manager, duty, child):
    transition = plan(alice, child, kind="practitioner_change", from_practitioner=alice, to_practitioner=bob)
    page = client_for(alice).get(reverse("episodes:transition_complete", args=[transition.pk])).content.decode()
    new_practitioner = page[page.index('name="to_practitioner"') :]
    new_practitioner = new_practitioner[: new_practitioner.index("</select>")]
    assert "Bob Ymarferydd" in new_practitioner
    assert "Mair Rheolwr" not in new_practitioner and "Dewi Dyletswydd" not in new_practitioner
    with pytest.raises(ValidationError):
        plan(alice, child, kind="practitioner_change", from_practitioner=alice, to_practitioner=duty)


def test_the_managers_home_page_prompts_the_care_team_change(client_for, alice, bob, manager, child):
    transition = plan(alice, child, kind="practitioner_change", from_practitioner=alice, to_practitioner=bob)
    services.complete_transition(
        by=alice,
        transition=transition,
        expected_version=1,
        values={"completed_on": timezone.localdate(), "to_practitioner": bob, "handover_summary": "All in the plan."},
    )
    home = client_for(manager).get(reverse("core:home")).content.decode()
    assert "1 care team change is waiting for you" in home
    assert reverse("episodes:transition_detail", args=[transition.pk]) in home
    # Once changed, the prompt goes.
    services.apply_care_team_change(by=manager, transition=Transition.objects.get(pk=transition.pk))
    assert "care team change is waiting" not in client_for(manager).get(reverse("core:home")).content.decode()


def test_the_leaving_workers_booked_sessions_are_offered_for_moving(client_for, alice, bob, manager, child):
    from contacts.models import Contact

    def booked(days: int, who, attendance: str = "booked") -> Contact:
        return Contact.objects.create(
            child=child,
            practitioner=who,
            recorded_by=who,
            kind="individual",
            location="home",
            attendance=attendance,
            starts_at=timezone.now() + datetime.timedelta(days=days),
            idempotency_key=f"{days}-{who.pk}-{attendance}",
        )

    future = booked(7, alice)
    later = booked(14, alice)
    past = booked(-7, alice, "attended")
    bobs_own = booked(9, bob)
    transition = plan(alice, child, kind="practitioner_change", from_practitioner=alice, to_practitioner=bob)
    services.complete_transition(
        by=manager,
        transition=transition,
        expected_version=1,
        values={"completed_on": timezone.localdate(), "to_practitioner": bob, "handover_summary": "All in the plan."},
    )
    client = client_for(manager)
    detail = client.get(reverse("episodes:transition_detail", args=[transition.pk])).content.decode()
    assert "Booked sessions with Alice Ymarferydd" in detail
    assert f'value="{future.pk}"' in detail and f'value="{later.pk}"' in detail
    assert f'value="{past.pk}"' not in detail and f'value="{bobs_own.pk}"' not in detail
    response = client.post(reverse("episodes:transition_sessions", args=[transition.pk]), {"contacts": [future.pk]})
    assert response.status_code == 302
    assert Contact.objects.get(pk=future.pk).practitioner == bob
    assert Contact.objects.get(pk=later.pk).practitioner == alice  # not chosen: left as it is
    assert Contact.objects.get(pk=past.pk).practitioner == alice  # what happened stays as it happened
    assert AuditEvent.objects.filter(action="update", object_type="contacts.contact", object_id=str(future.pk)).exists()
    # A contact that is not one of the leaving worker's booked sessions cannot be moved this way.
    client.post(reverse("episodes:transition_sessions", args=[transition.pk]), {"contacts": [past.pk]})
    assert Contact.objects.get(pk=past.pk).practitioner == alice


def test_the_care_team_page_explains_that_there_is_one_lead(client_for, alice, bob, manager, child):
    response = client_for(manager).post(
        reverse("people:care_team", args=[child.pk]), {"user": str(bob.pk), "role": "lead"}
    )
    body = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in body
    assert "Alice Ymarferydd is the lead practitioner" in body
    assert not CareTeamMembership.objects.filter(child=child, user=bob).exists()


def test_the_summary_and_the_handover_each_carry_their_own_language(client_for, alice, bob, manager, child):
    """WCAG 3.1.2: the plan's summary and the handover are written at different times, maybe in
    different languages: each is marked with its own; an undetermined one is not marked."""
    transition = plan(
        alice,
        child,
        kind="practitioner_change",
        from_practitioner=alice,
        to_practitioner=bob,
        text_language="cy",
        summary="Newid ymarferydd ym mis Medi.",
    )
    client_for(manager).post(
        reverse("episodes:transition_complete", args=[transition.pk]),
        {
            "version": "1",
            "to_practitioner": str(bob.pk),
            **day_fields("completed_on", timezone.localdate()),
            "handover_summary": "Siôn likes to walk and talk.",
            "text_language": "en",
        },
    )
    transition.refresh_from_db()
    assert (transition.text_language, transition.handover_language) == ("cy", "en")
    page = client_for(manager).get(reverse("episodes:transition_detail", args=[transition.pk])).content.decode()
    assert '<dd class="govuk-summary-list__value" lang="cy">Newid ymarferydd' in page
    assert '<span lang="en">Siôn likes to walk and talk.</span>' in page
    Transition.objects.filter(pk=transition.pk).update(handover_language="")
    page = client_for(manager).get(reverse("episodes:transition_detail", args=[transition.pk])).content.decode()
    assert "<span>Siôn likes to walk and talk.</span>" in page


def test_the_welsh_stale_message_is_a_whole_sentence_that_agrees_with_its_noun(client_for, alice, manager, child):
    """A translated noun slotted into a sentence cannot agree with it: Welsh says "y rhestr
    wirio hon … arni" (feminine) but "y pontio hwn … arno" (masculine). Each is its own sentence."""
    from django.utils import translation

    transition = plan(alice, child)
    first, second = transition.checklist.all()[:2]
    services.tick_checklist(by=manager, transition=transition, expected_version=1, done_ids=[first.pk])
    with translation.override("cy"):
        url = reverse("episodes:transition_detail", args=[transition.pk])
    body = client_for(alice).post(url, {"version": "1", "done": [str(second.pk)]}).content.decode()
    assert "Mae rhywun arall wedi newid y rhestr wirio hon tra oeddech chi&#x27;n gweithio arni." in body


def test_an_item_added_by_hand_carries_its_language(client_for, alice, child):
    """WCAG 3.1.2: an item written in Welsh on the English form is shown ``lang="cy"``; the
    default items are in the reader's language (no attribute); an old item has none either."""
    transition = plan(alice, child)
    client_for(alice).post(
        reverse("episodes:checklist_add", args=[transition.pk]),
        {"version": "1", "text": "Prynu'r wisg ysgol newydd gyda Siôn", "text_language": "cy"},
    )
    item = transition.checklist.get(key="")
    assert item.text_language == "cy"
    url = reverse("episodes:transition_detail", args=[transition.pk])
    page = client_for(alice).get(url).content.decode()
    assert f'for="item-{item.pk}" lang="cy">Prynu&#x27;r wisg ysgol newydd gyda Siôn</label>' in page
    default = transition.checklist.exclude(key="").first()
    assert f'for="item-{default.pk}">' in page
    TransitionChecklistItem.objects.filter(pk=item.pk).update(text_language="")
    page = client_for(alice).get(url).content.decode()
    assert f'for="item-{item.pk}">Prynu&#x27;r wisg ysgol newydd gyda Siôn</label>' in page


def test_a_stale_checklist_save_keeps_the_ticks_sent_and_is_based_on_the_stored_version(
    client_for, alice, manager, child
):
    """The checklist's "someone saved first" branch is the shared one (rebind_after_stale_save):
    the ticks as sent are shown again, the hidden version becomes the stored one, the message is
    at the top, and nothing of the stale save is stored."""
    transition = plan(alice, child)
    first, second = transition.checklist.all()[:2]
    services.tick_checklist(by=manager, transition=transition, expected_version=1, done_ids=[first.pk])
    url = reverse("episodes:transition_detail", args=[transition.pk])
    response = client_for(alice).post(url, {"version": "1", "done": [str(second.pk), "x"]})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Someone else changed this checklist while you were working on it." in body
    assert '<input type="hidden" name="version" value="2">' in body
    assert re.search(rf'id="item-{second.pk}" name="done" type="checkbox" value="{second.pk}" checked', body)
    assert not re.search(rf'id="item-{first.pk}" name="done" type="checkbox" value="{first.pk}" checked', body)
    second.refresh_from_db()
    assert second.done_on is None
