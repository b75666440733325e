"""Parameters change only through a reviewed proposal (ADR 017): one service manager proposes,
another approves or rejects; approval applies once, refuses a stale proposal, writes the history
with who and why, and is audited. Bad values are refused beside their fields, nothing saved."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from accounts.models import Role
from accounts.tests.factories import UserFactory
from audit.models import AuditEvent
from outcomes import parameters
from outcomes.models import ChangeStatus, Instrument, InstrumentChange
from outcomes.parameters import current_values

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_manager(south):
    return UserFactory(
        username="manager2", first_name="Gwen", last_name="Rheolwr", organisation=south, role=Role.SERVICE_MANAGER
    )


@pytest.fixture
def swemwbs():
    return Instrument.objects.get(code="swemwbs")


def values(instrument, **changes):
    return {**current_values(instrument), **changes}


def propose(by, instrument, **changes):
    return parameters.propose_change(
        by=by, instrument=instrument, values=values(instrument, **changes),
        reason="The service adopted a cut-off", citation="A cited source, 2024",
    )  # fmt: skip


CUTOFF = {"cutoff": Decimal("19.50"), "cutoff_population": "UK adults", "cutoff_citation": "A cut-off study, 2020"}


def test_the_migration_records_swemwbs_parameter_sources_and_a_first_history_state(swemwbs):
    assert "Shah N" in swemwbs.rc_citation and "Ringdal R" in swemwbs.rc_citation
    assert "Health Qual Life Outcomes 2018;16:239" in swemwbs.rc_citation
    assert swemwbs.rc_population.startswith("Two populations, VERIFY")
    assert "n=172" in swemwbs.rc_population and "n=1,814" in swemwbs.rc_population
    assert "Danish" in swemwbs.age_citation and "VERIFY" in swemwbs.age_citation
    # The values themselves are not changed by a release: only their sources are recorded.
    assert (swemwbs.rc_sd, swemwbs.rc_reliability) == (Decimal("3.920"), Decimal("0.880"))
    reasons = list(swemwbs.history.order_by("history_id").values_list("history_type", "history_change_reason"))
    assert reasons[0] == ("+", "Release: the state as shipped")
    assert reasons[-1][1].startswith("Release: the published sources")
    assert all(Instrument.objects.get(code=c).history.exists() for c in ("gbo", "cors", "wemwbs"))


def test_a_proposal_approved_by_another_manager_is_applied_with_history_and_audit(manager, second_manager, swemwbs):
    change = propose(manager, swemwbs, **CUTOFF)
    swemwbs.refresh_from_db()
    assert swemwbs.cutoff is None  # nothing changes until it is approved
    assert change.status == ChangeStatus.PENDING and change.based_on["cutoff"] is None
    assert change.proposed["cutoff"] == "19.50"

    before = swemwbs.history.count()
    parameters.approve_change(by=second_manager, change=change, note="Checked against the paper")
    swemwbs.refresh_from_db()
    assert (swemwbs.cutoff, swemwbs.cutoff_population) == (Decimal("19.50"), "UK adults")
    assert swemwbs.change_rule().cutoff == Decimal("19.50")
    change.refresh_from_db()
    assert (change.status, change.decided_by, change.decision_note) == (
        ChangeStatus.APPROVED, second_manager, "Checked against the paper")  # fmt: skip
    assert swemwbs.history.count() == before + 1
    latest = swemwbs.history.order_by("-history_id").first()
    assert latest.history_user == second_manager and latest.history_id == change.applied_history_id
    assert latest.history_change_reason == f"#{change.pk}: The service adopted a cut-off"
    proposed = AuditEvent.objects.get(actor=manager, action="create", detail__instrument="swemwbs")
    assert proposed.route == "ui" and proposed.detail["fields"] == ["cutoff", "cutoff_population", "cutoff_citation"]
    applied = AuditEvent.objects.get(actor=second_manager, action="update")
    assert applied.detail["change"] == change.pk and applied.detail["proposed_by"] == manager.pk
    assert applied.detail["parameters"] == ["cutoff", "cutoff_population", "cutoff_citation"]


def test_nobody_approves_or_rejects_their_own_proposal(client_for, manager, swemwbs):
    change = propose(manager, swemwbs, **CUTOFF)
    with pytest.raises(PermissionDenied):
        parameters.approve_change(by=manager, change=change)
    with pytest.raises(PermissionDenied):
        parameters.reject_change(by=manager, change=change, note="no")
    url = reverse("outcomes:instrument_change", args=[change.pk])
    page = client_for(manager).get(url).content.decode()
    assert "another service manager must approve or reject it" in page
    assert 'value="approve"' not in page and 'value="withdraw"' in page
    assert client_for(manager).post(url, {"decision": "approve", "note": ""}).status_code == 403
    change.refresh_from_db()
    swemwbs.refresh_from_db()
    assert change.status == ChangeStatus.PENDING and swemwbs.cutoff is None


def test_a_proposal_made_against_an_older_state_is_refused(client_for, manager, second_manager, swemwbs):
    first = propose(manager, swemwbs, **CUTOFF)
    stale = propose(manager, swemwbs, age_min=12)
    parameters.approve_change(by=second_manager, change=first)
    with pytest.raises(ValidationError, match="changed since this was proposed: propose again"):
        parameters.approve_change(by=second_manager, change=stale)
    swemwbs.refresh_from_db()
    assert swemwbs.age_min == 11
    page = client_for(second_manager).get(reverse("outcomes:instrument_change", args=[stale.pk])).content.decode()
    assert "changed since this was proposed: propose again" in page and 'value="approve"' not in page
    assert "Changed since proposed" in page
    response = client_for(second_manager).post(
        reverse("outcomes:instrument_change", args=[stale.pk]), {"decision": "approve", "note": ""}
    )
    assert response.status_code == 200 and "changed since this was proposed" in response.content.decode()
    stale.refresh_from_db()
    assert stale.status == ChangeStatus.PENDING


def test_a_change_made_outside_the_workflow_also_makes_a_proposal_stale(manager, second_manager, swemwbs):
    change = propose(manager, swemwbs, **CUTOFF)
    Instrument.objects.filter(pk=swemwbs.pk).update(age_min=12)  # no history row: values still differ
    with pytest.raises(ValidationError, match="propose again"):
        parameters.approve_change(by=second_manager, change=change)


def test_a_double_submit_of_approve_applies_once(client_for, manager, second_manager, swemwbs):
    change = propose(manager, swemwbs, **CUTOFF)
    before = swemwbs.history.count()
    url = reverse("outcomes:instrument_change", args=[change.pk])
    client = client_for(second_manager)
    assert client.post(url, {"decision": "approve", "note": ""}).status_code == 302
    assert client.post(url, {"decision": "approve", "note": ""}).status_code == 302
    assert swemwbs.history.count() == before + 1
    assert AuditEvent.objects.filter(actor=second_manager, action="update").count() == 1


def test_reject_needs_a_note_and_is_audited_and_changes_nothing(client_for, manager, second_manager, swemwbs):
    change = propose(manager, swemwbs, **CUTOFF)
    url = reverse("outcomes:instrument_change", args=[change.pk])
    page = client_for(second_manager).post(url, {"decision": "reject", "note": " "}).content.decode()
    assert "Enter why the proposal is rejected" in page
    client_for(second_manager).post(url, {"decision": "reject", "note": "The source is a conference poster"})
    change.refresh_from_db()
    swemwbs.refresh_from_db()
    assert change.status == ChangeStatus.REJECTED and swemwbs.cutoff is None
    assert AuditEvent.objects.get(actor=second_manager, action="review").detail["rejected"] is True
    with pytest.raises(ValidationError, match="already been decided"):
        parameters.approve_change(by=second_manager, change=change)


def test_only_the_proposer_withdraws(manager, second_manager, swemwbs):
    change = propose(manager, swemwbs, **CUTOFF)
    with pytest.raises(PermissionDenied):
        parameters.withdraw_change(by=second_manager, change=change)
    parameters.withdraw_change(by=manager, change=change)
    change.refresh_from_db()
    assert change.status == ChangeStatus.WITHDRAWN and change.decided_by == manager


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"rc_sd": Decimal(0)}, "rc_sd", "The standard deviation must be more than 0"),
        ({"rc_sd": Decimal("-1.5")}, "rc_sd", "The standard deviation must be more than 0"),
        ({"rc_reliability": Decimal(1)}, "rc_reliability", "more than 0 and less than 1"),
        ({"rc_reliability": Decimal(0)}, "rc_reliability", "more than 0 and less than 1"),
        ({"rc_sd": None}, "rc_sd", "Enter the standard deviation: the method uses it"),
        ({"rc_citation": " "}, "rc_citation", "Enter the source of the parameters"),
        ({"rc_population": ""}, "rc_population", "Enter the population the parameters come from"),
        ({"rc_scale": ""}, "rc_scale", "Choose the scale the parameters are on"),
        ({"cutoff": Decimal(20)}, "cutoff_population", "Enter the population the cut-off comes from"),
        ({"cutoff": Decimal(20)}, "cutoff_citation", "Enter the source of the cut-off"),
        ({**CUTOFF, "cutoff": Decimal("35.5")}, "cutoff", "The cut-off must be within the score range, 7 to 35"),
        ({**CUTOFF, "cutoff": Decimal(6)}, "cutoff", "The cut-off must be within the score range, 7 to 35"),
        ({"age_min": 16, "age_max": 14}, "age_min", "The youngest age must not be above the oldest age"),
        ({"age_citation": ""}, "age_citation", "Enter the source of the age range"),
        ({"rc_method": "fixed", "rc_threshold": None}, "rc_threshold", "Enter the fixed threshold"),
        ({"rc_sd": Decimal("3.9205")}, "rc_sd", "at most 3 decimal places"),
        ({}, "__all__", "Nothing was changed"),
    ],
)
def test_invalid_values_are_refused_with_the_reason(manager, swemwbs, changes, field, message):
    with pytest.raises(ValidationError) as caught:
        propose(manager, swemwbs, **changes)
    assert any(message in m for m in caught.value.message_dict[field])
    assert not InstrumentChange.objects.exists()


def test_valid_boundary_values_are_accepted(manager, swemwbs):
    change = propose(manager, swemwbs, rc_reliability=Decimal("0.999"), rc_sd=Decimal("0.001"), age_max=11)
    assert change.proposed["rc_reliability"] == "0.999" and change.proposed["age_max"] == 11


def test_a_reason_and_a_source_are_required(manager, swemwbs):
    with pytest.raises(ValidationError) as caught:
        parameters.propose_change(
            by=manager, instrument=swemwbs, values=values(swemwbs, age_min=12), reason=" ", citation=""
        )
    assert set(caught.value.message_dict) == {"reason", "citation"}


def form_data(instrument, **changes):
    data = {}
    for name, value in current_values(instrument).items():
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = f"{value.normalize():f}" if isinstance(value, Decimal) else str(value)
    data.update({"reason": "Better source", "citation": "A study, 2025"})
    data.update(changes)
    return data


def test_the_proposal_page_is_prefilled_and_proposes(client_for, manager, second_manager, swemwbs):
    client = client_for(manager)
    url = reverse("outcomes:instrument_propose", args=["swemwbs"])
    page = client.get(url).content.decode()
    assert 'value="3.92"' in page and 'value="0.88"' in page and "Shah N" in page
    response = client.post(url, form_data(swemwbs, cutoff="19.5", cutoff_population="UK adults", cutoff_citation="X"))
    change = InstrumentChange.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "outcomes:instrument_change", args=[change.pk]
    )
    page = client_for(second_manager).get(response["Location"]).content.decode()
    assert "19.5" in page and 'value="approve"' in page and "Better source" in page
    listing = client_for(second_manager).get(reverse("outcomes:instrument_list")).content.decode()
    assert reverse("outcomes:instrument_change", args=[change.pk]) in listing
    assert reverse("outcomes:instrument_propose", args=["swemwbs"]) in listing


def test_bad_values_on_the_page_are_shown_beside_the_fields_kept_and_nothing_saved(client_for, manager, swemwbs):
    data = form_data(swemwbs, rc_sd="abc", rc_reliability="1.2", age_min="16", age_max="14", reason="")
    page = client_for(manager).post(reverse("outcomes:instrument_propose", args=["swemwbs"]), data).content.decode()
    assert "Enter a number, for example 3.92" in page and 'href="#id_rc_sd"' in page
    assert 'value="abc"' in page and 'value="1.2"' in page
    assert not InstrumentChange.objects.exists()
    data = form_data(swemwbs, rc_reliability="1.2", age_min="16", age_max="14", reason="")
    page = client_for(manager).post(reverse("outcomes:instrument_propose", args=["swemwbs"]), data).content.decode()
    for message, field in [
        ("The reliability must be more than 0 and less than 1", "rc_reliability"),
        ("The youngest age must not be above the oldest age", "age_min"),
        ("Enter why the parameters should change", "reason"),
    ]:
        assert message in page and f'href="#id_{field}"' in page
    assert 'value="1.2"' in page and 'value="16"' in page
    assert not InstrumentChange.objects.exists()


def test_the_errors_are_in_welsh_on_the_welsh_page(client_for, manager, swemwbs):
    with translation.override("cy"):
        url = reverse("outcomes:instrument_propose", args=["swemwbs"])
        expected = translation.gettext("The reliability must be more than 0 and less than 1")
    assert expected != "The reliability must be more than 0 and less than 1"
    page = client_for(manager).post(url, form_data(swemwbs, rc_reliability="1.2")).content.decode()
    assert escape(expected) in page


def test_the_history_page_shows_every_state_who_what_and_why(client_for, manager, second_manager, swemwbs):
    change = propose(manager, swemwbs, **CUTOFF)
    parameters.approve_change(by=second_manager, change=change)
    page = client_for(manager).get(reverse("outcomes:instrument_history", args=["swemwbs"])).content.decode()
    assert "Gwen Rheolwr" in page and "Approved proposal by Mair Rheolwr" in page
    assert "The service adopted a cut-off" in page and "19.5" in page and "Caseness cut-off" in page
    assert "Release: the published sources" in page and "The first recorded state." in page
    assert reverse("outcomes:instrument_change", args=[change.pk]) in page


def test_others_may_not_reach_the_parameter_pages(
    client_for, alice, duty, commissioner, administrator, manager, swemwbs
):
    change = propose(manager, swemwbs, **CUTOFF)
    urls = [
        reverse("outcomes:instrument_propose", args=["swemwbs"]),
        reverse("outcomes:instrument_history", args=["swemwbs"]),
        reverse("outcomes:instrument_change", args=[change.pk]),
    ]
    for user in (alice, duty, commissioner, administrator):
        client = client_for(user)
        for url in urls:
            assert client.get(url).status_code == 404
        assert client.post(urls[2], {"decision": "approve", "note": ""}).status_code == 404
        with pytest.raises(PermissionDenied):
            parameters.approve_change(by=user, change=change)
    change.refresh_from_db()
    assert change.status == ChangeStatus.PENDING


def test_the_instruments_page_lists_pending_proposals_in_a_fixed_number_of_queries(
    client_for, manager, second_manager, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(second_manager)
    url = reverse("outcomes:instrument_list")
    propose(manager, Instrument.objects.get(code="swemwbs"), age_min=12)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for code in ("wemwbs", "gbo", "sdq", "rcads", "cors"):
        propose(manager, Instrument.objects.get(code=code), age_citation="A newer source")
    with CaptureQueriesContext(connection) as six:
        page = client.get(url).content.decode()
    assert len(six) == len(one)
    assert page.count("Mair Rheolwr") == 6


def test_an_approved_change_taking_a_measure_out_of_use_stops_it_being_offered(
    client_for, manager, second_manager, child
):
    from outcomes.services import instruments_due

    sdq = Instrument.objects.get(code="sdq")
    on = child.date_of_birth + datetime.timedelta(days=3660)  # about ten years old: within SDQ's 2 to 17
    assert sdq in instruments_due(child, on)
    change = propose(manager, sdq, active=False)
    assert sdq in instruments_due(child, on)  # not until it is approved
    parameters.approve_change(by=second_manager, change=change)
    assert sdq not in instruments_due(child, on)
    page = client_for(manager).get(reverse("outcomes:instrument_list")).content.decode()
    assert 'id="instrument-sdq"' in page and "Not in use" in page  # still listed, to bring back
