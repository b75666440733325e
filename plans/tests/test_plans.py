"""Choice and co-produced plans: the catalogue kept by managers, options offered and the young
person's choice (and why), the living plan with goals, actions and reviews, overdue reviews,
stale edits refused without losing anything, history, and who may read and write."""

from __future__ import annotations

import datetime
import random

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from audit.models import AuditEvent
from people.models import BreakGlassAccess, CareTeamMembership
from people.tests.factories import ChildFactory
from plans import demo, services
from plans.catalogue import STANDARD_OPTIONS
from plans.models import Goal, OptionOffer, Plan, PlanAction, PlanReview, SupportOption

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def date_fields(name: str, day: datetime.date | None) -> dict[str, str]:
    if day is None:
        return {f"{name}_day": "", f"{name}_month": "", f"{name}_year": ""}
    return {f"{name}_day": str(day.day), f"{name}_month": str(day.month), f"{name}_year": str(day.year)}


def option_post(**overrides) -> dict:
    data = {
        "kind": "therapeutic",
        "name_en": "Sand tray therapy",
        "name_cy": "Therapi hambwrdd tywod",
        "description_en": "Telling stories with figures in a tray of sand.",
        "description_cy": "",
        "suits_en": "Younger children who find talking hard.",
        "suits_cy": "",
        "adaptations_en": "Short sessions, the same figures each time.",
        "adaptations_cy": "",
        "evidence_en": "See NICE guideline NG26 (children's attachment).",
        "evidence_cy": "",
        "languages": ["in_welsh", "in_english"],
        "version": "1",
    }
    data.update(overrides)
    return data


def plan_post(**overrides) -> dict:
    data = {
        "language": "en",
        "language_other": "",
        "care_plan_reference": "CSP-123",
        "in_care_plan": "on",
        **date_fields("next_lac_review_on", TODAY() + datetime.timedelta(days=40)),
        "agreement": "agreed",
        **date_fields("agreement_on", TODAY()),
        "agreement_words": "It's my plan and it's OK.",
        **date_fields("next_review_on", TODAY() + datetime.timedelta(days=90)),
        "version": "0",
    }
    data.update(overrides)
    return data


@pytest.fixture
def options(south):
    return services.install_standard_options(service_id=south.pk)


@pytest.fixture
def plan(child, alice):
    return services.save_plan(
        by=alice,
        child=child,
        expected_version=0,
        values={"language": "en", "next_review_on": TODAY() + datetime.timedelta(days=30)},
    )


# --- The catalogue ------------------------------------------------------------------------


def test_managers_keep_the_catalogue_and_practitioners_read_it(client_for, manager, alice):
    as_manager = client_for(manager)
    response = as_manager.post(reverse("plans:option_add"), option_post())
    assert response.status_code == 302
    option = SupportOption.objects.get(name_en="Sand tray therapy")
    assert (
        option.service == manager.organisation and option.in_welsh and option.in_english and not option.with_interpreter
    )
    assert AuditEvent.objects.filter(action="create", object_type="plans.supportoption").count() == 1

    # Practitioners read the catalogue but may not change it.
    as_alice = client_for(alice)
    assert "Sand tray therapy" in as_alice.get(reverse("plans:catalogue")).content.decode()
    assert as_alice.get(reverse("plans:option_add")).status_code == 403
    assert as_alice.post(reverse("plans:option_add"), option_post(name_en="Other")).status_code == 403
    assert (
        as_alice.post(reverse("plans:option_edit", args=[option.pk]), option_post(name_en="Renamed")).status_code == 403
    )
    assert as_alice.post(reverse("plans:option_active", args=[option.pk]), {"active": "0"}).status_code == 403
    option.refresh_from_db()
    assert option.name_en == "Sand tray therapy" and option.is_active


def test_the_catalogue_is_shown_in_the_readers_language(client_for, manager, options):
    with translation.override("cy"):
        page = client_for(manager).get(reverse("plans:catalogue")).content.decode()
    assert "Gwaith stori bywyd" in page and "Gweler canllaw NICE NG26" in page
    page = client_for(manager).get(reverse("plans:catalogue")).content.decode()
    assert "Life story work" in page and "Gwaith stori bywyd" not in page


def test_an_option_needs_a_language_and_a_unique_name(client_for, manager, options):
    response = client_for(manager).post(
        reverse("plans:option_add"), option_post(languages=[], name_en="Life story work")
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Choose at least one language" in body
    response = client_for(manager).post(reverse("plans:option_add"), option_post(name_en="life story work"))
    assert "already has an option with this name" in response.content.decode()
    assert SupportOption.objects.count() == len(STANDARD_OPTIONS)


def test_options_are_deactivated_not_deleted(client_for, manager, alice, child, options):
    option = options[0]
    services.offer_options(by=alice, child=child, options=[option], offered_on=TODAY(), how_explained="With pictures")
    assert (
        client_for(manager).post(reverse("plans:option_active", args=[option.pk]), {"active": "0"}).status_code == 302
    )
    option.refresh_from_db()
    assert not option.is_active
    # The offer made keeps it; it can no longer be offered.
    assert OptionOffer.objects.get().option == option
    plan_page = client_for(alice).get(reverse("plans:plan", args=[child.pk])).content.decode()
    assert f'name="offer-options" type="checkbox" value="{option.pk}"' not in plan_page
    assert f'name="offer-options" type="checkbox" value="{options[1].pk}"' in plan_page
    assert option.name_en in plan_page
    catalogue = client_for(manager).get(reverse("plans:catalogue")).content.decode()
    assert "No longer offered" in catalogue
    client_for(manager).post(reverse("plans:option_active", args=[option.pk]), {"active": "1"})
    option.refresh_from_db()
    assert option.is_active


def test_the_standard_catalogue_is_added_once(client_for, manager, south):
    client = client_for(manager)
    assert "Add the standard options" in client.get(reverse("plans:catalogue")).content.decode()
    client.post(reverse("plans:catalogue_standard"))
    client.post(reverse("plans:catalogue_standard"))
    catalogue = client.get(reverse("plans:catalogue"))
    assert catalogue.status_code == 200 and "Add the standard options" not in catalogue.content.decode()
    assert SupportOption.objects.filter(service=south).count() == len(STANDARD_OPTIONS)
    assert all(o.name_cy and o.evidence_en for o in SupportOption.objects.all())


def test_a_stale_option_edit_is_refused(client_for, manager, options):
    option = options[0]
    services.save_option(by=manager, option=option, expected_version=1, values={"evidence_en": "Saved first."})
    response = client_for(manager).post(
        reverse("plans:option_edit", args=[option.pk]),
        option_post(name_en=option.name_en, evidence_en="Typed second.", version="1"),
    )
    body = response.content.decode()
    assert "Someone else saved this option" in body and "Typed second." in body and "Saved first." in body
    option.refresh_from_db()
    assert option.evidence_en == "Saved first."


def test_another_services_catalogue_is_out_of_reach(client_for, charlie, options):
    option = options[0]
    assert client_for(charlie).get(reverse("plans:option_edit", args=[option.pk])).status_code == 404
    assert (
        client_for(charlie).post(reverse("plans:option_active", args=[option.pk]), {"active": "0"}).status_code == 404
    )
    assert "Life story work" not in client_for(charlie).get(reverse("plans:catalogue")).content.decode()


# --- Offers and choices -------------------------------------------------------------------


def offer_post(options, **overrides) -> dict:
    data = {
        "offer-options": [o.pk for o in options],
        **{f"offer-{k}": v for k, v in date_fields("offered_on", TODAY()).items()},
        "offer-how_explained": "With picture cards, her carer there.",
    }
    data.update(overrides)
    return data


def choice_post(offer, **overrides) -> dict:
    prefix = f"choice-{offer.pk}"
    data = {
        "response": "chosen",
        "reason": "",
        "reason_voice": "young_person",
        "chose_instead": "",
        **date_fields("decided_on", TODAY()),
        "version": str(offer.version),
    }
    data.update(overrides)
    return {f"{prefix}-{k}": v for k, v in data.items()}


def test_options_are_offered_and_the_choice_needs_the_young_persons_reason(client_for, alice, child, options):
    client = client_for(alice)
    url = reverse("plans:offer", args=[child.pk])
    assert client.post(url, offer_post(options[:2])).status_code == 302
    assert client.post(url, offer_post(options[:2])).status_code == 302  # sent twice: recorded once
    offers = list(OptionOffer.objects.filter(child=child).order_by("pk"))
    assert {o.option for o in offers} == set(options[:2])
    assert AuditEvent.objects.filter(action="create", object_type="plans.optionoffer", child_id=child.pk).count() == 2

    offer = offers[0]
    choice_url = reverse("plans:choice", args=[child.pk, offer.pk])
    # Chosen without saying why: refused, everything typed kept.
    response = client.post(choice_url, choice_post(offer))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Write why, in the young person" in body
    offer.refresh_from_db()
    assert offer.response == "" and offer.version == 1
    # Not chosen needs a reason too.
    assert "Write why" in client.post(choice_url, choice_post(offer, response="not_chosen")).content.decode()
    # Chose something else: say what.
    assert (
        "Say what they chose instead"
        in client.post(choice_url, choice_post(offer, response="something_else", reason="x")).content.decode()
    )

    assert (
        client.post(choice_url, choice_post(offer, reason="I like drawing and my carer can come.")).status_code == 302
    )
    offer.refresh_from_db()
    assert (
        offer.response == "chosen"
        and offer.reason == "I like drawing and my carer can come."
        and offer.decided_on == TODAY()
    )
    # Wanting to think about it needs no reason or date.
    other = offers[1]
    assert (
        client.post(
            reverse("plans:choice", args=[child.pk, other.pk]),
            choice_post(other, response="thinking", **date_fields("decided_on", None)),
        ).status_code
        == 302
    )
    page = client.get(reverse("plans:plan", args=[child.pk])).content.decode()
    assert "I like drawing and my carer can come." in page and "Wants to think about it" in page


def test_an_offer_must_name_options_of_this_service_and_say_how_it_was_explained(
    client_for, alice, child, options, north
):
    other = SupportOption.objects.create(
        service=north,
        kind="therapeutic",
        name_en="North only",
        name_cy="Gogledd",
        description_en="x",
        suits_en="x",
        adaptations_en="x",
    )
    response = client_for(alice).post(
        reverse("plans:offer", args=[child.pk]), offer_post([other], **{"offer-how_explained": ""})
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Say how the options were explained" in body
    assert not OptionOffer.objects.exists()


def test_a_stale_choice_is_refused_and_both_answers_are_shown(client_for, alice, manager, child, options):
    (offer,) = services.offer_options(
        by=alice, child=child, options=[options[0]], offered_on=TODAY(), how_explained="Talked it through"
    )
    services.record_choice(
        by=manager,
        offer=offer,
        expected_version=1,
        values={"response": "not_chosen", "reason": "Not now, maybe after the move.", "decided_on": TODAY()},
    )
    response = client_for(alice).post(
        reverse("plans:choice", args=[child.pk, offer.pk]), choice_post(offer, reason="Typed by Alice.")
    )
    body = response.content.decode()
    assert "Someone else recorded a response" in body
    assert "Typed by Alice." in body and "Not now, maybe after the move." in body
    offer.refresh_from_db()
    assert offer.response == "not_chosen"


# --- The plan -----------------------------------------------------------------------------


def test_a_plan_is_written_and_a_stale_edit_is_refused_without_losing_anything(client_for, alice, manager, child):
    client = client_for(alice)
    assert client.get(reverse("plans:plan", args=[child.pk])).status_code == 200
    assert client.post(reverse("plans:plan_edit", args=[child.pk]), plan_post()).status_code == 302
    current = Plan.objects.get(child=child)
    assert current.version == 1 and current.care_plan_reference == "CSP-123" and current.in_care_plan
    assert current.agreement_words == "It's my plan and it's OK."
    client.get(reverse("plans:plan", args=[child.pk]))
    assert AuditEvent.objects.filter(
        action="view", route="ui", child_id=child.pk, object_type="plans.plan", detail__page="plan"
    ).exists()
    assert AuditEvent.objects.filter(action="create", object_type="plans.plan", child_id=child.pk).count() == 1

    # The manager saves a change; Alice's form was opened at version 1.
    services.save_plan(by=manager, child=child, expected_version=1, values={"agreement_words": "Saved by the manager."})
    response = client.post(
        reverse("plans:plan_edit", args=[child.pk]), plan_post(version="1", agreement_words="Alice's words.")
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved this plan" in body
    assert "Alice&#x27;s words." in body and "Saved by the manager." in body
    current.refresh_from_db()
    assert current.agreement_words == "Saved by the manager." and current.version == 2
    # Saving again from the page (now based on version 2) goes through.
    assert (
        client.post(
            reverse("plans:plan_edit", args=[child.pk]), plan_post(version="2", agreement_words="Alice's words.")
        ).status_code
        == 302
    )
    current.refresh_from_db()
    assert current.agreement_words == "Alice's words." and current.version == 3
    assert AuditEvent.objects.filter(action="update", object_type="plans.plan", child_id=child.pk).count() == 2


def test_a_plan_checks_what_it_needs(client_for, alice, child):
    response = client_for(alice).post(
        reverse("plans:plan_edit", args=[child.pk]),
        plan_post(
            language="other",
            agreement="not_agreed",
            **date_fields("agreement_on", None),
            **date_fields("next_review_on", None),
        ),
    )
    assert "Enter a date" in response.content.decode()  # the next review date is required
    assert not Plan.objects.exists()
    response = client_for(alice).post(
        reverse("plans:plan_edit", args=[child.pk]),
        plan_post(language="other", agreement="not_agreed", **date_fields("agreement_on", None)),
    )
    body = response.content.decode()
    assert "Say which language" in body and "Enter the date they said so" in body
    assert not Plan.objects.exists()


def test_goals_and_actions_are_added_and_changed(client_for, alice, child, plan):
    client = client_for(alice)
    assert (
        client.post(
            reverse("plans:goal_add", args=[child.pk]),
            {"text": "I want to feel OK going to my new school.", "voice": "young_person", "version": "1"},
        ).status_code
        == 302
    )
    assert (
        client.post(
            reverse("plans:goal_add", args=[child.pk]),
            {"text": "Go back to hockey.", "voice": "with_young_person", "version": "1"},
        ).status_code
        == 302
    )
    first, second = Goal.objects.filter(plan=plan).order_by("order")
    assert (first.order, second.order) == (1, 2) and first.status == "active"
    goal_uuid = first.uuid

    edit = {"text": first.text, "voice": "young_person", "status": "achieved", "order": "1", "version": "1"}
    assert client.post(reverse("plans:goal_edit", args=[child.pk, first.pk]), edit).status_code == 302
    first.refresh_from_db()
    assert first.status == "achieved" and first.uuid == goal_uuid and first.version == 2
    # A second save from the same old form is refused.
    stale = client.post(reverse("plans:goal_edit", args=[child.pk, first.pk]), {**edit, "status": "stopped"})
    assert "Someone else saved this goal" in stale.content.decode()
    first.refresh_from_db()
    assert first.status == "achieved"

    action = {
        "who": "school",
        "who_name": "Mrs Jones",
        "what": "A quiet space in class.",
        "goal": str(second.pk),
        **date_fields("by_when", TODAY() + datetime.timedelta(days=14)),
        **date_fields("done_on", None),
        "version": "1",
    }
    assert client.post(reverse("plans:action_add", args=[child.pk]), action).status_code == 302
    saved = PlanAction.objects.get(plan=plan)
    assert saved.who == "school" and saved.goal == second
    done = {**action, **date_fields("done_on", TODAY())}
    assert client.post(reverse("plans:action_edit", args=[child.pk, saved.pk]), done).status_code == 302
    saved.refresh_from_db()
    assert saved.done_on == TODAY() and saved.version == 2
    page = client.get(reverse("plans:plan", args=[child.pk])).content.decode()
    assert "A quiet space in class." in page and "Mrs Jones" in page and "Achieved" in page


def test_an_action_cannot_name_another_plans_goal(alice, manager, child, plan, south):
    other_child = ChildFactory(service=south)
    other_plan = services.save_plan(
        by=manager, child=other_child, expected_version=0, values={"language": "en", "next_review_on": TODAY()}
    )
    other_goal = services.add_goal(by=manager, plan=other_plan, values={"text": "Theirs", "voice": "young_person"})
    with pytest.raises(services.ValidationError):
        services.add_action(by=alice, plan=plan, values={"who": "carer", "what": "x", "goal": other_goal})


def test_goals_need_a_plan_first(client_for, alice, child):
    response = client_for(alice).get(reverse("plans:goal_add", args=[child.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("plans:plan_edit", args=[child.pk])


def test_a_review_sets_the_next_review_and_clears_the_overdue_flag(client_for, alice, manager, child, plan):
    Plan.objects.filter(pk=plan.pk).update(next_review_on=TODAY() - datetime.timedelta(days=3))
    client = client_for(alice)
    page = client.get(reverse("plans:plan", args=[child.pk])).content.decode()
    assert "The review of this plan is overdue" in page
    assert child.display_name in client_for(manager).get(reverse("plans:overdue_reviews")).content.decode()

    review = {
        **date_fields("held_on", TODAY()),
        "participants": "Siôn, his carer and Alice",
        "young_person_view": "School is a bit better.",
        "progress": "Going in most days.",
        "changes": "",
        **date_fields("next_review_on", TODAY()),
    }
    response = client.post(reverse("plans:review_add", args=[child.pk]), review)
    assert "The next review must be after this review" in response.content.decode()
    review.update(date_fields("next_review_on", TODAY() + datetime.timedelta(days=60)))
    assert client.post(reverse("plans:review_add", args=[child.pk]), review).status_code == 302
    plan.refresh_from_db()
    assert plan.next_review_on == TODAY() + datetime.timedelta(days=60)
    assert PlanReview.objects.get(plan=plan).young_person_view == "School is a bit better."
    page = client.get(reverse("plans:plan", args=[child.pk])).content.decode()
    assert "The review of this plan is overdue" not in page and "School is a bit better." in page
    assert child.display_name not in client_for(manager).get(reverse("plans:overdue_reviews")).content.decode()


def test_only_managers_see_the_overdue_list(client_for, alice, duty):
    assert client_for(alice).get(reverse("plans:overdue_reviews")).status_code == 403
    assert client_for(duty).get(reverse("plans:overdue_reviews")).status_code == 403


def _overdue_plans(south, alice, size):
    for _ in range(size):
        kid = ChildFactory(service=south)
        CareTeamMembership.objects.create(child=kid, user=alice, role="lead")
        plan = Plan.objects.create(
            child=kid, language="en", next_review_on=TODAY() - datetime.timedelta(days=5), updated_by=alice
        )
        PlanReview.objects.create(
            plan=plan,
            held_on=TODAY() - datetime.timedelta(days=100),
            participants="x",
            young_person_view="x",
            progress="x",
            next_review_on=plan.next_review_on,
            recorded_by=alice,
        )


def test_overdue_list_queries_do_not_grow_with_the_plans(
    client_for, alice, manager, south, django_assert_max_num_queries
):
    client = client_for(manager)
    _overdue_plans(south, alice, 5)
    with django_assert_max_num_queries(40) as small:
        response = client.get(reverse("plans:overdue_reviews"))
    assert response.status_code == 200 and "5 young people" in response.content.decode()
    _overdue_plans(south, alice, 195)  # 200 plans
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("plans:overdue_reviews"))
    assert "200 young people" in response.content.decode()


# --- Who may read and write --------------------------------------------------------------


def test_strangers_and_partners_get_404(client_for, charlie, partner, alice, child, plan, options):
    (offer,) = services.offer_options(
        by=alice, child=child, options=[options[0]], offered_on=TODAY(), how_explained="x"
    )
    goal = services.add_goal(by=alice, plan=plan, values={"text": "Mine", "voice": "young_person"})
    urls = [
        reverse("plans:plan", args=[child.pk]),
        reverse("plans:plan_edit", args=[child.pk]),
        reverse("plans:history", args=[child.pk]),
        reverse("plans:offer", args=[child.pk]),
        reverse("plans:choice", args=[child.pk, offer.pk]),
        reverse("plans:goal_edit", args=[child.pk, goal.pk]),
        reverse("plans:review_add", args=[child.pk]),
    ]
    for user in (charlie, partner):
        for url in urls:
            assert client_for(user).get(url).status_code == 404, url
            assert client_for(user).post(url, plan_post()).status_code == 404, url
    assert Plan.objects.get().version == 1


def test_a_colleague_outside_the_care_team_cannot_reach_it(client_for, bob, child, plan):
    assert client_for(bob).get(reverse("plans:plan", args=[child.pk])).status_code == 404


def test_break_glass_reads_the_plan_but_cannot_change_it(client_for, duty, alice, child, plan, options):
    services.add_goal(by=alice, plan=plan, values={"text": "Feel safe at night", "voice": "young_person"})
    (offer,) = services.offer_options(
        by=alice, child=child, options=[options[0]], offered_on=TODAY(), how_explained="x"
    )
    BreakGlassAccess.objects.create(
        user=duty,
        child=child,
        reason="Crisis call at night",
        expires_at=timezone.now() + datetime.timedelta(hours=2),
        whole_record_at=timezone.now(),
    )  # the second grant: the whole record (ADR 014)
    client = client_for(duty)
    page = client.get(reverse("plans:plan", args=[child.pk])).content.decode()
    assert "Feel safe at night" in page and "through emergency access" in page
    assert reverse("plans:plan_edit", args=[child.pk]) not in page and "Save their response" not in page
    assert AuditEvent.objects.filter(
        action="view", child_id=child.pk, route="break_glass", object_type="plans.plan"
    ).exists()
    for url in (
        reverse("plans:plan_edit", args=[child.pk]),
        reverse("plans:goal_add", args=[child.pk]),
        reverse("plans:review_add", args=[child.pk]),
        reverse("plans:offer", args=[child.pk]),
        reverse("plans:choice", args=[child.pk, offer.pk]),
    ):
        assert client.post(url, plan_post(version="1")).status_code == 403, url
    assert client.get(reverse("plans:history", args=[child.pk])).status_code == 200
    plan.refresh_from_db()
    assert plan.version == 1


def test_the_manager_writes_every_plan_in_the_service(client_for, manager, child):
    assert client_for(manager).post(reverse("plans:plan_edit", args=[child.pk]), plan_post()).status_code == 302
    assert Plan.objects.get(child=child).updated_by == manager


# --- History and Welsh --------------------------------------------------------------------


def test_history_shows_who_changed_what_from_what_to_what(client_for, alice, manager, child, plan, options):
    goal = services.add_goal(by=alice, plan=plan, values={"text": "Sleep better", "voice": "young_person"})
    services.update_goal(by=manager, goal=goal, expected_version=1, values={"status": "achieved"})
    services.save_plan(by=manager, child=child, expected_version=1, values={"care_plan_reference": "CSP-NEW-9"})
    (offer,) = services.offer_options(
        by=alice, child=child, options=[options[0]], offered_on=TODAY(), how_explained="x"
    )
    services.record_choice(
        by=alice,
        offer=offer,
        expected_version=1,
        values={"response": "chosen", "reason": "Sounds fun", "decided_on": TODAY()},
    )
    page = client_for(alice).get(reverse("plans:history", args=[child.pk])).content.decode()
    assert "Plan history" in page
    assert "Care and support plan reference" in page and "CSP-NEW-9" in page
    assert "Working on it → Achieved" in page
    assert "Chose this" in page and "Sounds fun" in page
    assert "Mair Rheolwr" in page and "Alice Ymarferydd" in page
    assert AuditEvent.objects.filter(action="view", child_id=child.pk, detail__page="plan_history").exists()


def test_a_plan_can_be_written_in_welsh(client_for, alice, child, options):
    client = client_for(alice)
    with translation.override("cy"):
        edit = reverse("plans:plan_edit", args=[child.pk])
        page_url = reverse("plans:plan", args=[child.pk])
        goal_url = reverse("plans:goal_add", args=[child.pk])
    assert edit.startswith("/cy/")
    words = "Fy nghynllun i ydy e. Dw i eisiau mynd i'r ysgol yn hapus – ŵy ŷ."
    assert client.post(edit, plan_post(language="cy", agreement_words=words)).status_code == 302
    assert (
        client.post(
            goal_url, {"text": "Dw i eisiau chwarae hoci eto.", "voice": "young_person", "version": "1"}
        ).status_code
        == 302
    )
    response = client.get(page_url)
    body = response.content.decode()
    assert '<html lang="cy"' in body
    assert "Fy nghynllun i ydy e." in body and "ŵy ŷ" in body and "Dw i eisiau chwarae hoci eto." in body
    assert Plan.objects.get(child=child).agreement_words == words


# --- Demo data ----------------------------------------------------------------------------


def test_demo_seed_is_deterministic_and_idempotent(south, manager, alice, bob):
    kids = [ChildFactory(service=south, preferred_language="cy" if i % 3 == 0 else "en") for i in range(30)]
    demo.seed(service=south, manager=manager, practitioners=[alice, bob], children=kids, rng=random.Random(5))
    counts = [m.objects.count() for m in (SupportOption, OptionOffer, Plan, Goal, PlanAction, PlanReview)]
    assert counts[0] == len(STANDARD_OPTIONS) and all(counts), counts
    demo.seed(service=south, manager=manager, practitioners=[alice, bob], children=kids, rng=random.Random(99))
    assert [m.objects.count() for m in (SupportOption, OptionOffer, Plan, Goal, PlanAction, PlanReview)] == counts
    # Every decided choice has the young person's reason; reviews come before the next review they set.
    assert not OptionOffer.objects.filter(response__in=["chosen", "not_chosen"], reason="").exists()
    for review in PlanReview.objects.select_related("plan"):
        assert review.held_on < review.next_review_on == review.plan.next_review_on
    assert Plan.objects.review_overdue().exists()
    assert Plan.history.count() == counts[2]  # one saved version each


@pytest.mark.parametrize("language", ["en", "cy"])
def test_every_page_opens_for_the_care_team_and_the_manager(client_for, alice, manager, child, plan, options, language):
    (offer,) = services.offer_options(
        by=alice, child=child, options=[options[0]], offered_on=TODAY(), how_explained="x"
    )
    goal = services.add_goal(by=alice, plan=plan, values={"text": "Mine", "voice": "young_person"})
    action = services.add_action(by=alice, plan=plan, values={"who": "carer", "what": "Bedtime routine", "goal": goal})
    with translation.override(language):
        child_urls = [
            reverse("plans:plan", args=[child.pk]),
            reverse("plans:plan_edit", args=[child.pk]),
            reverse("plans:history", args=[child.pk]),
            reverse("plans:offer", args=[child.pk]),
            reverse("plans:choice", args=[child.pk, offer.pk]),
            reverse("plans:goal_add", args=[child.pk]),
            reverse("plans:goal_edit", args=[child.pk, goal.pk]),
            reverse("plans:action_add", args=[child.pk]),
            reverse("plans:action_edit", args=[child.pk, action.pk]),
            reverse("plans:review_add", args=[child.pk]),
        ]
        manager_urls = [
            reverse("plans:catalogue"),
            reverse("plans:option_add"),
            reverse("plans:option_edit", args=[options[0].pk]),
            reverse("plans:overdue_reviews"),
        ]
    for url in child_urls:
        assert client_for(alice).get(url).status_code == 200, url
    for url in child_urls + manager_urls:
        response = client_for(manager).get(url)
        assert response.status_code == 200, url
        assert f'<html lang="{language}"' in response.content.decode()


# --- The statutory review cycle (Care Planning, Placement and Case Review (Wales) Regulations 2015) ---


def test_the_statutory_cycle_is_computed_from_the_date_they_became_looked_after(settings):
    start = datetime.date(2026, 1, 10)
    # First review within 28 days, the second within 3 months of it, then every 6 months.
    assert services.statutory_review_due(looked_after_since=start, today=start) == datetime.date(2026, 2, 7)
    assert services.statutory_review_due(looked_after_since=start, today=datetime.date(2026, 2, 8)) == datetime.date(
        2026, 5, 7
    )
    assert services.statutory_review_due(looked_after_since=start, today=datetime.date(2026, 5, 8)) == datetime.date(
        2026, 11, 7
    )
    assert services.statutory_review_due(looked_after_since=start, today=datetime.date(2026, 11, 8)) == datetime.date(
        2027, 5, 7
    )
    # The intervals are configuration, not constants.
    settings.NYTH_LAC_REVIEW_FIRST_DAYS = 20
    assert services.statutory_review_due(looked_after_since=start, today=start) == datetime.date(2026, 1, 30)


def test_the_form_suggests_a_plan_review_before_the_recorded_lac_review_and_warns_after_it(
    client_for, alice, child, plan
):
    lac_review = TODAY() + datetime.timedelta(days=40)
    plan.next_lac_review_on = lac_review
    plan.save()
    client = client_for(alice)
    form = client.get(reverse("plans:plan_edit", args=[child.pk])).content.decode()
    suggested = lac_review - datetime.timedelta(days=14)
    assert f"Suggested: {suggested:%-d %B %Y}" in form
    assert f"before the looked-after child review due on {lac_review:%-d %B %Y}" in form
    # A plan review after the statutory review is warned about (it is saved: the warning is advice).
    response = client.post(
        reverse("plans:plan_edit", args=[child.pk]),
        plan_post(version=str(plan.version), **date_fields("next_review_on", lac_review + datetime.timedelta(days=10))),
        follow=True,
    )
    assert "falls after the looked-after child review" in response.content.decode()
    # Before it: no warning.
    plan.refresh_from_db()
    response = client.post(
        reverse("plans:plan_edit", args=[child.pk]),
        plan_post(version=str(plan.version), **date_fields("next_review_on", suggested)),
        follow=True,
    )
    assert "falls after the looked-after child review" not in response.content.decode()


def test_without_a_recorded_date_the_lac_review_is_computed_from_when_they_became_looked_after(
    client_for, alice, child
):
    since = TODAY() - datetime.timedelta(days=10)
    client = client_for(alice)
    response = client.post(
        reverse("plans:plan_edit", args=[child.pk]),
        plan_post(
            **date_fields("next_lac_review_on", None),
            **date_fields("looked_after_since", since),
            **date_fields("next_review_on", TODAY() + datetime.timedelta(days=60)),
        ),
        follow=True,
    )
    due = since + datetime.timedelta(days=28)
    body = response.content.decode()
    assert "falls after the looked-after child review" in body and f"{due:%-d %B %Y}" in body


def test_no_statutory_warning_for_a_care_leaver(client_for, alice, child, plan):
    child.legal_status = "care_leaver"
    child.save()
    plan.next_lac_review_on = TODAY() + datetime.timedelta(days=10)
    plan.save()
    client = client_for(alice)
    form = client.get(reverse("plans:plan_edit", args=[child.pk])).content.decode()
    assert "Suggested:" not in form
    response = client.post(
        reverse("plans:plan_edit", args=[child.pk]), plan_post(version=str(plan.version)), follow=True
    )
    assert "falls after the looked-after child review" not in response.content.decode()


def test_the_review_form_suggests_the_next_review_before_the_lac_review(client_for, alice, child, plan):
    plan.next_lac_review_on = TODAY() + datetime.timedelta(days=60)
    plan.save()
    page = client_for(alice).get(reverse("plans:review_add", args=[child.pk])).content.decode()
    assert f"Suggested: {TODAY() + datetime.timedelta(days=46):%-d %B %Y}" in page


def test_goals_and_actions_carry_the_language_they_were_written_in(client_for, alice, child, plan):
    """WCAG 3.1.2: a goal in the young person's Welsh, written from the English screens, is
    marked lang="cy" in the plan and where an action names it; unknown stays unmarked."""
    client = client_for(alice)
    form = client.get(reverse("plans:goal_add", args=[child.pk])).content.decode()
    assert 'name="text_language" type="radio" value="en" checked' in form
    client.post(
        reverse("plans:goal_add", args=[child.pk]),
        {"text": "Dw i eisiau mynd i'r ysgol newydd.", "voice": "young_person", "version": "1", "text_language": "cy"},
    )
    goal = Goal.objects.get(plan=plan)
    assert goal.text_language == "cy"
    action = {
        "who": "school",
        "who_name": "Mrs Jones",
        "what": "A quiet space in class.",
        "goal": str(goal.pk),
        **date_fields("by_when", TODAY() + datetime.timedelta(days=14)),
        **date_fields("done_on", None),
        "version": "1",
    }
    client.post(reverse("plans:action_add", args=[child.pk]), action)  # no choice sent: the interface language
    assert PlanAction.objects.get(plan=plan).text_language == "en"
    page = client.get(reverse("plans:plan", args=[child.pk])).content.decode()
    assert '<td class="govuk-table__cell" lang="cy">Dw i eisiau' in page
    assert '<span lang="en">A quiet space in class.</span>' in page
    assert 'For the goal: <span lang="cy">Dw i eisiau' in page
    Goal.objects.filter(pk=goal.pk).update(text_language="")
    page = client.get(reverse("plans:plan", args=[child.pk])).content.decode()
    assert '<td class="govuk-table__cell">Dw i eisiau' in page and "For the goal: <span>Dw i eisiau" in page
