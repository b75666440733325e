"""No Wrong Door: anyone can refer, nothing is simply rejected, the list is fair and explained."""

from __future__ import annotations

import datetime
import time
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from referrals import services
from referrals.eligibility import assess
from referrals.forms import PublicReferralForm
from referrals.models import Decision, Referral, Status
from referrals.tests.factories import DirectoryServiceFactory, ReferralFactory

pytestmark = pytest.mark.django_db


def referral_post(la=None, **overrides):
    data = {
        "submission_key": "key-1",
        "given_name": "Dafydd",
        "family_name": "Bevan",
        "preferred_name": "",
        "date_of_birth_day": "12",
        "date_of_birth_month": "4",
        "date_of_birth_year": "2011",
        "nhs_number": "",
        "postcode": "cf10 1aa",
        "responsible_local_authority": str(la.pk) if la else "",
        "legal_status": "looked_after",
        "placement_type": "foster_la",
        "preferred_language": "cy",
        "active_offer_made": "on",
        "communication_needs": "",
        "referrer_type": "teacher",
        "referrer_name": "Eleri Athro",
        "referrer_organisation": "Ysgol Enghraifft",
        "referrer_relationship": "Form tutor",
        "referrer_email": "eleri@example.invalid",
        "referrer_phone": "",
        "referrer_language": "cy",
        "needs": "Dafydd has stopped talking in class since moving placement.",
        "complex_needs": "on",
        "diagnosis": "",
        "young_person_views": "Eisiau rhywun i siarad â nhw.",
        "young_person_knows": "yes",
        "young_person_agrees": "yes",
        "professionals_involved": "",
        "consent_to_contact_others": "on",
        "risks": ["risk_self_harm"],
        "risk_notes": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def directory_entry():
    return DirectoryServiceFactory()


def test_partner_refers_once_even_when_the_form_is_sent_twice(client_for, partner, la_cardiff, south):
    south.region = la_cardiff.region
    south.save()
    client = client_for(partner)
    first = client.post(reverse("referrals:create"), referral_post(la_cardiff))
    second = client.post(reverse("referrals:create"), referral_post(la_cardiff))  # double click / retry
    assert first.status_code == second.status_code == 302
    referral = Referral.objects.get()
    assert first["Location"] == second["Location"] == reverse("referrals:sent", args=[referral.reference])
    assert referral.route == "partner" and referral.service == south and referral.referred_by == partner
    assert referral.risk_self_harm and not referral.risk_exploitation
    assert referral.postcode == "CF10 1AA"
    assert AuditEvent.objects.filter(action="create", object_type="referrals.referral").count() == 1
    # The referrer can see their own referral; a stranger cannot.
    assert client.get(reverse("referrals:detail", args=[referral.pk])).status_code == 200


def test_a_diagnosis_is_never_required(client_for, alice, la_cardiff):
    response = client_for(alice).post(reverse("referrals:create"), referral_post(la_cardiff, diagnosis=""))
    assert response.status_code == 302


def test_bad_referral_input_is_explained_and_kept(client_for, alice, la_cardiff):
    response = client_for(alice).post(
        reverse("referrals:create"),
        referral_post(la_cardiff, date_of_birth_day="31", date_of_birth_month="2", nhs_number="123", needs=""),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "The date must be a real date" in body and "10 digits" in body and "This field is required" in body
    assert 'value="Eleri Athro"' in body
    assert not Referral.objects.exists()


def test_staff_see_unlinked_referrals_of_their_service_strangers_do_not(client_for, manager, charlie, bob, south):
    referral = ReferralFactory(service=south)
    assert client_for(manager).get(reverse("referrals:detail", args=[referral.pk])).status_code == 200
    assert client_for(charlie).get(reverse("referrals:detail", args=[referral.pk])).status_code == 404
    # A practitioner sees a referral once its child is on their caseload, not before.
    assert client_for(bob).get(reverse("referrals:detail", args=[referral.pk])).status_code == 404


# --- Public form ------------------------------------------------------------------------------
def public_post(la, **overrides):
    data = referral_post(
        la,
        referrer_type="foster_carer",
        referrer_name="Sioned Maeth",
        referrer_relationship="Foster carer",
        started=signing.dumps(time.time() - 60, salt="public-referral"),
        submission_key="public-1",
        risks=[],
    )
    for name in (
        "nhs_number",
        "placement_type",
        "active_offer_made",
        "diagnosis",
        "professionals_involved",
        "complex_needs",
        "referrer_organisation",
    ):
        data.pop(name, None)
    data.update(overrides)
    return data


def test_a_carer_refers_without_an_account_and_is_told_what_happens_next(client, la_cardiff, south):
    response = client.post(reverse("public_referral"), public_post(la_cardiff), follow=True)
    body = response.content.decode()
    assert response.status_code == 200
    assert "What happens next" in body
    referral = Referral.objects.get()
    assert referral.route == "public" and referral.referred_by is None
    assert referral.reference in body
    # Reloading the thank-you page sends nothing again; sending the same form again neither.
    assert client.get(reverse("public_referral_sent")).status_code == 200
    client.post(reverse("public_referral"), public_post(la_cardiff))
    assert Referral.objects.count() == 1


def test_going_back_and_sending_again_records_one_referral(client_for, alice, la_cardiff):
    client = client_for(alice)
    client.post(reverse("referrals:create"), referral_post(la_cardiff))
    client.get(reverse("referrals:create"))  # Back: the form is fetched again
    client.post(reverse("referrals:create"), referral_post(la_cardiff))
    assert Referral.objects.count() == 1
    client.post(reverse("referrals:create"), referral_post(la_cardiff, needs="A different concern entirely."))
    assert Referral.objects.count() == 2


def test_public_form_in_welsh(client, la_cardiff, south):
    response = client.get("/cy/refer/")
    assert response.status_code == 200
    assert 'lang="cy"' in response.content.decode()


def test_robots_are_refused_without_third_party_services(client, la_cardiff, south):
    honeypot = client.post(reverse("public_referral"), public_post(la_cardiff, website="http://spam.example"))
    assert "could not be sent" in honeypot.content.decode()
    too_fast = client.post(
        reverse("public_referral"),
        public_post(la_cardiff, started=PublicReferralForm.new_started_token()),
    )
    assert "could not be sent" in too_fast.content.decode()
    assert not Referral.objects.exists()


def test_public_form_is_rate_limited(client, la_cardiff, south, settings):
    settings.NYTH_PUBLIC_REFERRALS_PER_HOUR = 2
    from django.core.cache import cache

    cache.clear()
    for n in range(2):
        assert client.post(reverse("public_referral"), public_post(la_cardiff, needs=f"Concern {n}")).status_code == 302
    assert client.post(reverse("public_referral"), public_post(la_cardiff, needs="Concern 9")).status_code == 429
    assert Referral.objects.count() == 2


def test_public_form_needs_a_way_to_reply(client, la_cardiff, south):
    response = client.post(reverse("public_referral"), public_post(la_cardiff, referrer_email="", referrer_phone=""))
    assert "so we can reply" in response.content.decode()


# --- Eligibility ----------------------------------------------------------------------------
TODAY = datetime.date(2026, 11, 24)


def test_eligibility_explains_each_criterion():
    result = assess(
        legal_status="adopted",
        complex_needs=True,
        responsible_local_authority_known=True,
        date_of_birth=datetime.date(2012, 1, 1),
        today=TODAY,
    )
    assert result.route == "eligible"
    assert all(c.met for c in result.criteria)
    edge = assess(
        legal_status="edge_of_care",
        complex_needs=True,
        responsible_local_authority_known=True,
        date_of_birth=datetime.date(2012, 1, 1),
        today=TODAY,
    )
    assert edge.route == "flexible"
    other = assess(
        legal_status="other",
        complex_needs=True,
        responsible_local_authority_known=True,
        date_of_birth=datetime.date(2012, 1, 1),
        today=TODAY,
    )
    assert other.route == "not_met"
    unknown = assess(
        legal_status="looked_after",
        complex_needs=True,
        responsible_local_authority_known=False,
        date_of_birth=datetime.date(2012, 1, 1),
        today=TODAY,
    )
    assert unknown.route == "incomplete"


def test_ages_over_25_are_flagged_and_explained_not_refused():
    result = assess(
        legal_status="care_leaver",
        complex_needs=True,
        responsible_local_authority_known=True,
        date_of_birth=datetime.date(1998, 1, 1),
        today=TODAY,
    )
    assert result.route == "eligible"
    assert "no upper age limit" in result.flags[0]


# --- Decisions ---------------------------------------------------------------------------------
def test_manager_accepts_and_the_referrer_is_told_in_their_language(
    client_for, manager, south, django_capture_on_commit_callbacks
):
    referral = ReferralFactory(service=south, referrer_language="cy", referrer_email="athro@example.invalid")
    client = client_for(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("referrals:decide", args=[referral.pk]),
            {"outcome": "accepted", "reason": "Complex trauma, high risk", "reason_language": "en"},
        )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED and referral.accepted_at is not None
    decision = referral.decisions.get()
    assert "Diolch" in decision.referrer_message and referral.reference in decision.referrer_message
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["athro@example.invalid"]
    assert mail.outbox[0].body == decision.referrer_message and referral.reference in mail.outbox[0].subject


def test_the_queued_referrer_email_holds_the_decision_id_not_the_young_persons_name(
    client_for, manager, south, django_capture_on_commit_callbacks
):
    """The queue (the task table, or Redis with RQ) keeps what it is given until pruned: the task
    carries the decision's id and builds the email, with the young person's name, when it runs."""
    from django.test import override_settings
    from django_tasks_db.models import DBTaskResult

    referral = ReferralFactory(service=south, given_name="Gwenllian", referrer_email="athro@example.invalid")
    database_queue = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    with override_settings(TASKS=database_queue), django_capture_on_commit_callbacks(execute=True):
        client_for(manager).post(
            reverse("referrals:decide", args=[referral.pk]),
            {"outcome": "accepted", "reason": "Complex trauma", "reason_language": "en"},
        )
    decision = referral.decisions.get()
    assert "Gwenllian" in decision.referrer_message
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "referrals.tasks.email_referrer_decision"
    assert queued.args_kwargs == {"args": [], "kwargs": {"decision_id": decision.pk}}
    assert mail.outbox == []  # sent by the worker, not the request


def test_redirect_needs_a_warm_handover(client_for, manager, south, directory_entry):
    referral = ReferralFactory(service=south)
    client = client_for(manager)
    incomplete = client.post(
        reverse("referrals:decide", args=[referral.pk]),
        {"outcome": "redirected", "reason": "Better placed elsewhere", "reason_language": "en"},
    )
    body = incomplete.content.decode()
    assert "Choose the service" in body and "who you contacted" in body
    assert not Decision.objects.exists()
    complete = client.post(
        reverse("referrals:decide", args=[referral.pk]),
        {
            "outcome": "redirected",
            "reason": "Better placed elsewhere",
            "reason_language": "en",
            "directory_service": str(directory_entry.pk),
            "handover_contact": "Duty worker Rhian",
            "handover_contacted_on_day": "20",
            "handover_contacted_on_month": "11",
            "handover_contacted_on_year": "2026",
        },
    )
    assert complete.status_code == 302
    decision = Decision.objects.get()
    assert decision.directory_service == directory_entry and "Young Minds Wales" in decision.referrer_message


def test_consultation_only_records_the_advice(client_for, manager, south):
    referral = ReferralFactory(service=south)
    client = client_for(manager)
    response = client.post(
        reverse("referrals:decide", args=[referral.pk]),
        {"outcome": "consultation", "reason": "Advice will help", "reason_language": "en"},
    )
    assert "Record the advice" in response.content.decode()
    client.post(
        reverse("referrals:decide", args=[referral.pk]),
        {
            "outcome": "consultation",
            "reason": "Advice will help",
            "reason_language": "en",
            "consultation_advice": "Try a calm corner",
        },
    )
    referral.refresh_from_db()
    assert referral.status == Status.CONSULTATION


def test_decisions_are_reversible_and_keep_their_history(client_for, manager, south):
    referral = ReferralFactory(service=south)
    client = client_for(manager)
    client.post(
        reverse("referrals:decide", args=[referral.pk]),
        {"outcome": "consultation", "reason": "First view", "reason_language": "en", "consultation_advice": "Advice"},
    )
    client.post(
        reverse("referrals:decide", args=[referral.pk]),
        {"outcome": "accepted", "reason": "New information about risk", "reason_language": "en"},
    )
    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED
    assert referral.decisions.count() == 2
    page = client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "First view" in page and "New information about risk" in page


def test_only_the_services_manager_decides(client_for, duty, south):
    referral = ReferralFactory(service=south)
    assert client_for(duty).get(reverse("referrals:decide", args=[referral.pk])).status_code == 403


def test_there_is_no_reject_option(client_for, manager, south):
    referral = ReferralFactory(service=south)
    response = client_for(manager).post(
        reverse("referrals:decide", args=[referral.pk]),
        {"outcome": "rejected", "reason": "No", "reason_language": "en"},
    )
    assert "Select a valid choice" in response.content.decode()


# --- Waiting list -----------------------------------------------------------------------------
def accepted(south, manager, days_ago=0, **fields):
    referral = ReferralFactory(service=south, **fields)
    services.decide(by=manager, referral=referral, outcome="accepted", reason="ok")
    when = timezone.now() - timedelta(days=days_ago)
    Referral.objects.filter(pk=referral.pk).update(received_at=when, accepted_at=when)
    referral.refresh_from_db()
    return referral


def test_highest_risk_first_with_reasons_shown(client_for, manager, south):
    calm = accepted(south, manager, days_ago=3, given_name="Calm", complex_needs=False)
    risky = accepted(south, manager, days_ago=1, given_name="Risky", risk_self_harm=True, risk_exploitation=True)
    entries = services.waiting_list(Referral.objects.visible_to(manager), south)
    assert [e.referral for e in entries] == [risky, calm]
    labels = [r.label for r in entries[0].priority.reasons]
    assert "Risk: self-harm" in labels and "More than one current risk" in labels
    page = client_for(manager).get(reverse("referrals:waiting_list")).content.decode()
    assert "Risk: exploitation" in page


def test_manager_adjustment_moves_a_referral_with_a_reason(client_for, manager, south):
    first = accepted(south, manager, given_name="First", risk_self_harm=True)
    second = accepted(south, manager, given_name="Second")
    client = client_for(manager)
    refused = client.post(reverse("referrals:adjust", args=[second.pk]), {"points": "80", "reason": ""})
    assert refused.status_code == 302
    second.refresh_from_db()
    assert second.priority_adjustment == 0
    client.post(reverse("referrals:adjust", args=[second.pk]), {"points": "80", "reason": "Placement ending Friday"})
    entries = services.waiting_list(Referral.objects.visible_to(manager), south)
    assert [e.referral.pk for e in entries] == [second.pk, first.pk]
    assert AuditEvent.objects.filter(reason="Placement ending Friday").exists()


def test_overdue_initial_consultations_are_flagged_until_recorded(client_for, manager, south):
    late = accepted(south, manager, days_ago=30)
    entries = services.waiting_list(Referral.objects.visible_to(manager), south)
    assert entries[0].consultation_overdue
    client = client_for(manager)
    assert "initial consultation is overdue" in client.get(reverse("core:home")).content.decode()
    response = client.post(
        reverse("referrals:initial_consultation", args=[late.pk]),
        {
            "held_on_day": "20",
            "held_on_month": "11",
            "held_on_year": "2026",
            "participants": "Foster carer, social worker, teacher",
            "best_placed_to_help": "The foster carer, with weekly consultation",
            "can_start_now": "Carer consultation sessions",
        },
    )
    assert response.status_code == 302
    entries = services.waiting_list(Referral.objects.visible_to(manager), south)
    assert not entries[0].consultation_overdue


def test_manager_changes_the_weights(client_for, manager, south):
    out_of_county = accepted(south, manager, given_name="Away", placement_out_of_county=True, complex_needs=False)
    missing = accepted(south, manager, given_name="Missing", risk_going_missing=True, complex_needs=False)
    assert services.waiting_list(Referral.objects.visible_to(manager), south)[0].referral == missing
    form = {f"w_{name}": str(weight) for name, weight in services.weights_for(south)[0].items()}
    form.update(w_out_of_county="90", band_high="50", band_medium="25")
    assert client_for(manager).post(reverse("referrals:weights"), form).status_code == 302
    assert services.waiting_list(Referral.objects.visible_to(manager), south)[0].referral == out_of_county


def test_timeliness_is_computed_from_events(client_for, manager, south):
    referral = accepted(south, manager, days_ago=10)
    Referral.objects.filter(pk=referral.pk).update(first_session_at=timezone.now())
    figures = services.timeliness(Referral.objects.visible_to(manager).filter(service=south))
    assert figures.referrals == 1 and figures.decided == 1 and figures.started == 1 and figures.within_28_days == 1
    assert client_for(manager).get(reverse("referrals:timeliness")).status_code == 200


def test_directory_is_kept_by_managers(client_for, manager, alice):
    data = {
        "name_en": "Calm Minds (demo)",
        "name_cy": "Meddyliau Tawel (demo)",
        "offer_en": "Counselling",
        "offer_cy": "Cwnsela",
        "min_age": "11",
        "max_age": "18",
        "welsh_provision": "partial",
        "referral_route_en": "Email us",
        "referral_route_cy": "E-bostiwch ni",
        "is_active": "on",
    }
    assert client_for(manager).post(reverse("referrals:directory_create"), data).status_code == 302
    assert "Calm Minds" in client_for(alice).get(reverse("referrals:directory")).content.decode()
    assert client_for(alice).get(reverse("referrals:directory_create")).status_code == 404
    bad = client_for(manager).post(reverse("referrals:directory_create"), dict(data, min_age="19"))
    assert "oldest age" in bad.content.decode()


def test_unknown_sender_cannot_see_anything(client):
    assert Client().get(reverse("referrals:list")).status_code == 302


def test_demo_referrals_seed_is_idempotent(mailoutbox, django_capture_on_commit_callbacks):
    from django.core.management import call_command

    call_command("seed_demo", children=15, seed=3, no_progress=True, quiet_logins=True)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        call_command("seed_referrals", seed=3)
        call_command("seed_referrals", seed=3)
    assert Referral.objects.count() == 12
    # The referrers are invented: deciding their referrals queues no email (jobs.email.not_sent),
    # which the demo's worker would otherwise send as soon as it starts.
    assert mailoutbox == []
    assert callbacks == []
    statuses = set(Referral.objects.values_list("status", flat=True))
    assert statuses == {"received", "accepted", "allocated", "consultation", "redirected"}


def test_a_surname_before_adoption_finds_the_existing_record(manager, south):
    """The referrer knows the child by the adoptive surname; the record has the birth surname."""
    from people.tests.factories import ChildFactory

    known = ChildFactory(
        service=south, given_name="Gethin", family_name="Bevan", date_of_birth=datetime.date(2012, 5, 9)
    )
    referral = ReferralFactory(
        service=south,
        given_name="Gethin",
        family_name="Rowlands",
        former_names="Bevan",
        date_of_birth=datetime.date(2012, 5, 9),
    )
    found = services.candidates_for(referral, manager)
    assert found and found[0].child == known
    assert "family_name_former" in found[0].reason_codes
    # Without the former name the adoptive surname alone is a much weaker match.
    referral.former_names = ""
    weaker = [c for c in services.candidates_for(referral, manager) if c.child == known]
    assert not weaker or weaker[0].score < found[0].score


def test_a_new_record_from_a_referral_keeps_former_names_and_postcode(manager, south, la_cardiff):
    referral = ReferralFactory(
        service=south, former_names="Bevan", postcode="cf10 1aa", responsible_local_authority=la_cardiff
    )
    child = services.create_child_for(by=manager, referral=referral)
    assert child.former_names == "Bevan"
    assert child.postcode == "CF10 1AA"


def test_a_referral_without_a_local_authority_asks_for_one_before_opening_a_record(
    client_for, manager, south, la_cardiff
):
    """Carers often do not know the responsible authority: the manager supplies it, nothing breaks."""
    referral = ReferralFactory(service=south, responsible_local_authority=None)
    client = client_for(manager)
    page = client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert 'name="responsible_local_authority"' in page
    response = client.post(reverse("referrals:link", args=[referral.pk]), {"child": "new"}, follow=True)
    assert "Choose the responsible local authority" in response.content.decode()
    referral.refresh_from_db()
    assert referral.child_id is None
    client.post(
        reverse("referrals:link", args=[referral.pk]), {"child": "new", "responsible_local_authority": la_cardiff.pk}
    )
    referral.refresh_from_db()
    assert referral.child is not None
    assert referral.child.responsible_local_authority == la_cardiff
    assert referral.responsible_local_authority == la_cardiff


def test_allocation_shows_caseloads_and_gives_the_practitioner_access(client_for, manager, alice, bob, south):
    from people.models import CareTeamMembership, Child
    from people.tests.factories import ChildFactory

    for _ in range(2):  # Alice already supports two young people
        CareTeamMembership.objects.create(child=ChildFactory(service=south), user=alice, role="lead")
    child = ChildFactory(service=south)
    referral = accepted(south, manager, days_ago=12, child=child)
    assert not Child.objects.visible_to(bob).filter(pk=child.pk).exists()

    client = client_for(manager)
    page = client.get(reverse("referrals:allocate", args=[referral.pk])).content.decode()
    assert "Alice Ymarferydd – 2 young people now" in page
    assert "Bob Ymarferydd – 0 young people now" in page
    # No choice: a clear error, nothing changes.
    response = client.post(reverse("referrals:allocate", args=[referral.pk]), {})
    assert "Choose a practitioner" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == "accepted"

    client.post(reverse("referrals:allocate", args=[referral.pk]), {"practitioner": bob.pk})
    client.post(reverse("referrals:allocate", args=[referral.pk]), {"practitioner": bob.pk})  # a second click
    referral.refresh_from_db()
    assert referral.status == "allocated" and referral.allocated_to == bob and referral.allocated_at
    assert CareTeamMembership.objects.filter(child=child, user=bob, ended_at__isnull=True).count() == 1
    assert Child.objects.visible_to(bob).filter(pk=child.pk).exists()
    assert AuditEvent.objects.filter(action="update", child_id=child.pk, detail__allocated_to=bob.pk).count() == 1
    # Off the waiting list; the wait shows in the timeliness figures.
    assert referral not in [e.referral for e in services.waiting_list(Referral.objects.visible_to(manager), south)]
    figures = services.timeliness(Referral.objects.filter(service=south))
    assert figures.allocated == 1 and 11.9 < figures.average_days_to_allocation < 12.1
    # Accepting again after allocation keeps the allocation.
    services.decide(by=manager, referral=referral, outcome="accepted", reason="Confirmed at panel")
    referral.refresh_from_db()
    assert referral.status == "allocated"


def test_allocation_needs_an_identified_child_and_a_practitioner_of_the_service(manager, south, alice, charlie):
    from django.core.exceptions import ValidationError

    from people.tests.factories import ChildFactory

    unlinked = accepted(south, manager)
    with pytest.raises(ValidationError):
        services.allocate(by=manager, referral=unlinked, practitioner=alice)
    linked = accepted(south, manager, child=ChildFactory(service=south))
    with pytest.raises(ValidationError):
        services.allocate(by=manager, referral=linked, practitioner=charlie)  # another service
    undecided = ReferralFactory(service=south, child=ChildFactory(service=south))
    with pytest.raises(ValidationError):
        services.allocate(by=manager, referral=undecided, practitioner=alice)


def test_only_the_services_manager_allocates(client_for, alice, manager, south):
    from people.tests.factories import ChildFactory

    referral = accepted(south, manager, child=ChildFactory(service=south))
    assert client_for(alice).get(reverse("referrals:allocate", args=[referral.pk])).status_code in (403, 404)


def test_one_form_token_sent_again_with_the_same_answers_is_already_received(client, la_cardiff, south):
    data = public_post(la_cardiff)
    client.post(reverse("public_referral"), data)
    referral = Referral.objects.get()
    again = client.post(reverse("public_referral"), data, follow=True)
    body = again.content.decode()
    assert "We had already received this request" in body and referral.reference in body
    assert Referral.objects.count() == 1


def test_one_form_token_with_different_answers_is_refused_and_keeps_what_was_typed(client, la_cardiff, south, settings):
    settings.NYTH_PUBLIC_REFERRALS_PER_HOUR = 100
    token = public_post(la_cardiff)["started"]
    client.post(reverse("public_referral"), public_post(la_cardiff, started=token))
    refused = client.post(
        reverse("public_referral"), public_post(la_cardiff, started=token, needs="A second, different worry")
    )
    body = refused.content.decode()
    assert refused.status_code == 200
    assert "already sent with different answers" in body
    assert "A second, different worry" in body
    assert f'value="{token}"' not in body  # a fresh token for the new request
    assert Referral.objects.count() == 1
    # Replaying one token for many posts creates nothing more.
    for n in range(5):
        client.post(reverse("public_referral"), public_post(la_cardiff, started=token, needs=f"Replay {n}"))
    assert Referral.objects.count() == 1


def test_the_limit_is_a_moving_window_not_a_clock_hour(client, la_cardiff, south, settings, monkeypatch):
    from core import ratelimit

    settings.NYTH_PUBLIC_REFERRALS_PER_HOUR = 2
    now = [1_800_000_000.0]
    monkeypatch.setattr(ratelimit, "_now", lambda: now[0])
    assert client.post(reverse("public_referral"), public_post(la_cardiff, needs="One")).status_code == 302
    now[0] += 1800
    assert client.post(reverse("public_referral"), public_post(la_cardiff, needs="Two")).status_code == 302
    now[0] += 1801  # a new clock hour, but "One" is only 3601 s old and "Two" 1801 s
    assert client.post(reverse("public_referral"), public_post(la_cardiff, needs="Three")).status_code == 302
    assert client.post(reverse("public_referral"), public_post(la_cardiff, needs="Four")).status_code == 429
    # Behind our proxy, each client is counted by its own address.
    settings.NYTH_TRUSTED_PROXIES = ["127.0.0.1"]
    other = client.post(
        reverse("public_referral"), public_post(la_cardiff, needs="Five"), HTTP_X_FORWARDED_FOR="198.51.100.4"
    )
    assert other.status_code == 302
    assert Referral.objects.count() == 4


# --- The referrer sees the linked record's name only within their scope (issue 11 §5) ---------


def test_the_referrer_is_told_the_referral_was_linked_without_the_records_name(
    client_for, partner, manager, south, child
):
    child.preferred_name = "Sionyn"
    child.save(update_fields=["preferred_name"])
    referral = ReferralFactory(
        service=south, referred_by=partner, given_name="Siôn", family_name="Prydderch", child=child
    )
    page = client_for(partner).get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "Sionyn" not in page
    assert reverse("people:detail", args=[child.pk]) not in page
    assert "Linked to a record" in page
    # Within scope (the service's manager), the record is named and linked.
    managed = client_for(manager).get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "Sionyn Prydderch" in managed
    assert reverse("people:detail", args=[child.pk]) in managed


def test_the_public_welsh_form_records_welsh_and_the_decision_reason_its_own_language(
    client, client_for, manager, la_cardiff, south
):
    """WCAG 3.1.2: a referral sent from the Welsh form is recorded as Welsh text (the radios
    default to the page's language) and shown lang="cy" on the English detail page; the
    manager's reason carries the language the manager chose."""
    page = client.get("/cy/refer/").content.decode()
    assert 'name="text_language" type="radio" value="cy" checked' in page
    data = public_post(la_cardiff, needs="Mae hi'n drist ers y symud.")
    data.pop("text_language", None)
    client.post("/cy/refer/", {**data, "text_language": "cy"})
    referral = Referral.objects.get(needs="Mae hi'n drist ers y symud.")
    assert referral.text_language == "cy"
    staff = client_for(manager)
    staff.post(
        reverse("referrals:decide", args=[referral.pk]),
        {"outcome": "accepted", "reason": "Angen cymorth therapiwtig.", "reason_language": "cy"},
    )
    detail = staff.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert '<dd class="govuk-summary-list__value" lang="cy">Mae hi&#x27;n drist ers y symud.</dd>' in detail
    assert '<dd class="govuk-summary-list__value" lang="cy">Angen cymorth therapiwtig.</dd>' in detail


def test_the_initial_consultation_carries_its_language(client_for, manager, south):
    late = accepted(south, manager, days_ago=30)
    client = client_for(manager)
    client.post(
        reverse("referrals:initial_consultation", args=[late.pk]),
        {
            "held_on_day": "20",
            "held_on_month": "11",
            "held_on_year": "2026",
            "participants": "Gofalwr maeth, gweithiwr cymdeithasol",
            "best_placed_to_help": "Y gofalwr maeth, gydag ymgynghori wythnosol",
            "can_start_now": "Sesiynau ymgynghori i'r gofalwr",
            "text_language": "cy",
        },
    )
    detail = client.get(reverse("referrals:detail", args=[late.pk])).content.decode()
    assert '<dd class="govuk-summary-list__value" lang="cy">Y gofalwr maeth, gydag ymgynghori wythnosol</dd>' in detail


def test_the_reason_for_an_adjustment_is_marked_with_its_own_language(client_for, manager, south):
    """WCAG 3.1.2: the manager writes the reason later than the referral, maybe in Welsh on the
    English form: it is shown ``lang="cy"`` after the translated label, never inside it; an old
    adjustment (undetermined) has no lang attribute."""
    referral = accepted(south, manager, given_name="Second", text_language="en")
    client = client_for(manager)
    client.post(
        reverse("referrals:adjust", args=[referral.pk]),
        {"points": "15", "reason": "Lleoliad yn dod i ben ddydd Gwener", "text_language": "cy"},
    )
    referral.refresh_from_db()
    assert (referral.text_language, referral.priority_adjustment_language) == ("en", "cy")
    page = client.get(reverse("referrals:waiting_list")).content.decode()
    assert '<li>Manager&#x27;s adjustment: <span lang="cy">Lleoliad yn dod i ben ddydd Gwener</span>: 15</li>' in page
    Referral.objects.filter(pk=referral.pk).update(priority_adjustment_language="")
    page = client.get(reverse("referrals:waiting_list")).content.decode()
    assert "<li>Manager&#x27;s adjustment: <span>Lleoliad yn dod i ben ddydd Gwener</span>: 15</li>" in page


def test_a_public_referral_leaves_complex_needs_to_triage(client, la_cardiff, south, manager):
    """A carer or young person describes the needs; whether they are complex is judged at triage.
    Recording them as complex for every public referral gave each one 15 priority points."""
    from referrals.services import eligibility, waiting_list

    client.post(reverse("public_referral"), public_post(la_cardiff))
    referral = Referral.objects.get()
    assert referral.complex_needs is None
    criterion = next(c for c in eligibility(referral).criteria if c.name == "complex_needs")
    assert criterion.met is None and criterion.why == "Not stated."
    referral.status = "accepted"
    referral.save(update_fields=["status"])
    entry = next(e for e in waiting_list(Referral.objects.all(), south) if e.referral == referral)
    assert "Complex mental health and wellbeing needs" not in [r.label for r in entry.priority.reasons]
