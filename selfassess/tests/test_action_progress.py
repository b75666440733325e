"""A completed round's action plan goes on: status and dated progress notes by the service's
managers (the ratings stay read-only), stale saves refused with a translated message, audited;
and a new round offers the last completed round's open actions to carry over."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from audit.models import AuditEvent
from core.errors import StaleEditError
from selfassess import services
from selfassess.models import Action, ActionProgress, ActionStatus, Domain, Rating, Round
from selfassess.tests.conftest import completed_round, rate_all

DAY = datetime.date(2026, 9, 1)
LATER = datetime.date(2026, 10, 5)


def _with_actions(south, manager, alice, statuses: list[str]) -> Round:
    """A completed round whose action plan has one action per status given (due in order)."""
    round_ = services.start_round(by=manager, service=south, assessed_on=DAY)
    round_ = rate_all(round_, manager, 2)
    domain = Domain.objects.get(framework_id=round_.framework_id, code="welsh-language")
    for n, status in enumerate(statuses):
        round_.refresh_from_db()
        services.add_action(
            by=manager, round_=round_, expected_version=round_.version,
            values=services.ActionValues(text=f"Action {n}", owner=alice, due_on=DAY + datetime.timedelta(days=n),
                                         status=status, domain=domain if n == 0 else None),
        )  # fmt: skip
    round_.refresh_from_db()
    return services.complete_round(by=manager, round_=round_, expected_version=round_.version)


@pytest.fixture
def done(south, manager, alice, framework) -> Round:
    return _with_actions(south, manager, alice, [ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS, ActionStatus.DONE])


# --- Progress on a completed round's actions ---------------------------------------------------


def test_a_completed_rounds_action_takes_a_status_and_a_dated_note_but_its_ratings_stay(done, manager):
    action = done.actions.get(text="Action 0")
    progress = services.record_progress(
        by=manager, action=action, expected_version=done.version,
        status=ActionStatus.IN_PROGRESS, note="  Two Welsh speakers recruited  ", noted_on=datetime.date(2026, 9, 20),
    )  # fmt: skip
    action.refresh_from_db()
    assert action.status == ActionStatus.IN_PROGRESS
    assert (progress.note, progress.noted_on, progress.status) == (
        "Two Welsh speakers recruited",
        datetime.date(2026, 9, 20),
        ActionStatus.IN_PROGRESS,
    )
    # A note alone keeps the status and records none.
    done.refresh_from_db()
    second = services.record_progress(
        by=manager, action=action, expected_version=done.version,
        status=ActionStatus.IN_PROGRESS, note="Third interview booked", noted_on=datetime.date(2026, 9, 25),
    )  # fmt: skip
    assert second.status == "" and ActionProgress.objects.filter(action=action).count() == 2
    events = AuditEvent.objects.filter(object_type="selfassess.action", object_id=str(action.pk), action="update")
    assert [e.detail["fields"] for e in events.order_by("pk")] == [["status"], []]
    assert all(e.detail["completed_round"] for e in events)
    # The ratings and evidence stay read-only.
    done.refresh_from_db()
    with pytest.raises(ValidationError, match="completed"):
        rate_all(done, manager, 4)
    assert set(Rating.objects.filter(round=done).values_list("level__value", flat=True)) == {2}


def test_progress_needs_a_change_a_past_date_and_the_services_manager(done, manager, alice, north, framework):
    from accounts.tests.factories import UserFactory

    action = done.actions.get(text="Action 1")
    with pytest.raises(ValidationError) as caught:
        services.record_progress(
            by=manager, action=action, expected_version=done.version,
            status=action.status, note="   ", noted_on=DAY,
        )  # fmt: skip
    assert "note" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.record_progress(
            by=manager, action=action, expected_version=done.version, status=ActionStatus.DONE, note="",
            noted_on=datetime.date.today() + datetime.timedelta(days=2),
        )  # fmt: skip
    assert "noted_on" in caught.value.message_dict
    other_manager = UserFactory(username="north-manager", organisation=north, role="service_manager")
    for stranger in (alice, other_manager):
        with pytest.raises(PermissionDenied):
            services.record_progress(
                by=stranger, action=action, expected_version=done.version,
                status=ActionStatus.DONE, note="", noted_on=DAY,
            )  # fmt: skip
    assert not ActionProgress.objects.exists()
    action.refresh_from_db()
    assert action.status == ActionStatus.IN_PROGRESS


def test_a_stale_progress_save_is_refused_and_nothing_is_overwritten(done, manager):
    first, second = done.actions.get(text="Action 0"), done.actions.get(text="Action 1")
    opened_at = done.version
    services.record_progress(
        by=manager, action=first, expected_version=opened_at, status=ActionStatus.DONE, note="", noted_on=DAY
    )
    with pytest.raises(StaleEditError) as caught:
        services.record_progress(
            by=manager, action=first, expected_version=opened_at, status=ActionStatus.NOT_STARTED,
            note="Back to the start", noted_on=DAY,
        )  # fmt: skip
    assert caught.value.current.version == opened_at + 1
    first.refresh_from_db()
    assert first.status == ActionStatus.DONE and ActionProgress.objects.count() == 1
    assert second.status == ActionStatus.IN_PROGRESS


def test_the_progress_page_in_welsh_with_a_stale_save_explained(client_for, manager, alice, done):
    action = done.actions.get(text="Action 0")
    client = client_for(manager)
    with translation.override("cy"):
        url = reverse("selfassess:action_progress", args=[done.pk, action.pk])
        detail = reverse("selfassess:detail", args=[done.pk])
    page = client.get(detail).content.decode()
    assert url in page  # offered on the completed round
    data = {"version": done.version, "status": ActionStatus.IN_PROGRESS, "note": "Dau siaradwr Cymraeg",
            "noted_on_day": "20", "noted_on_month": "9", "noted_on_year": "2026"}  # fmt: skip
    services.record_progress(
        by=manager, action=done.actions.get(text="Action 1"), expected_version=done.version,
        status=ActionStatus.DONE, note="", noted_on=DAY,
    )  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Newidiodd rhywun arall y cynllun gweithredu hwn" in body
    assert "Dau siaradwr Cymraeg" in body  # what was typed is kept
    assert not ActionProgress.objects.filter(action=action).exists()
    response = client.post(url, {**data, "version": Round.objects.get(pk=done.pk).version})
    assert response.status_code == 302
    page = client.get(detail).content.decode()
    assert "Dau siaradwr Cymraeg" in page and "20 Medi 2026" in page


def test_practitioners_and_commissioners_cannot_record_progress(client_for, alice, commissioner, done):
    action = done.actions.get(text="Action 0")
    url = reverse("selfassess:action_progress", args=[done.pk, action.pk])
    assert client_for(alice).get(url).status_code == 403
    assert url not in client_for(alice).get(reverse("selfassess:detail", args=[done.pk])).content.decode()
    done.service.region = commissioner.organisation
    done.service.save()
    assert client_for(commissioner).get(url).status_code == 403
    assert not ActionProgress.objects.exists()


# --- Carrying open actions into the next round -------------------------------------------------


def test_a_new_round_offers_the_open_actions_and_copies_the_chosen_ones_with_a_link_back(done, manager):
    offered = list(services.carry_over_candidates(done.service))
    assert [a.text for a in offered] == ["Action 0", "Action 1"]  # "Action 2" is done
    chosen = offered[1]
    new = services.start_round(by=manager, service=done.service, assessed_on=LATER, carry_over=[chosen.pk])
    copy = new.actions.get()
    assert (copy.text, copy.status, copy.owner_id, copy.due_on, copy.carried_from_id) == (
        chosen.text, chosen.status, chosen.owner_id, chosen.due_on, chosen.pk,
    )  # fmt: skip
    event = AuditEvent.objects.get(object_type="selfassess.action", object_id=str(copy.pk), action="create")
    assert event.detail["carried_from"] == chosen.pk
    # A second start (a double submit) returns the draft and copies nothing again.
    again = services.start_round(by=manager, service=done.service, assessed_on=LATER, carry_over=[offered[0].pk])
    assert again.pk == new.pk and new.actions.count() == 1


def test_only_open_actions_of_the_last_completed_round_may_be_carried(done, manager):
    finished = done.actions.get(text="Action 2")
    with pytest.raises(ValidationError) as caught:
        services.start_round(by=manager, service=done.service, assessed_on=LATER, carry_over=[finished.pk])
    assert "carry_over" in caught.value.message_dict
    assert Round.objects.filter(service=done.service).count() == 1  # nothing started


def test_the_start_page_offers_the_actions_by_checkbox_and_the_copy_links_back(client_for, manager, done):
    client = client_for(manager)
    open_action = done.actions.get(text="Action 0")
    page = client.get(reverse("selfassess:start")).content.decode()
    assert 'type="checkbox"' in page and "Action 0" in page and "Action 1" in page and "Action 2" not in page
    assert "checked" not in page.split("carry_over", 1)[1].split("</form>", 1)[0]  # nothing chosen for them
    data = {"assessed_on_day": "5", "assessed_on_month": "10", "assessed_on_year": "2026",
            "carry_over": [str(open_action.pk)]}  # fmt: skip
    response = client.post(reverse("selfassess:start"), data)
    assert response.status_code == 302
    new = Round.objects.exclude(pk=done.pk).get()
    copy = Action.objects.get(round=new)
    assert copy.carried_from_id == open_action.pk and copy.domain.code == "welsh-language"
    detail = client.get(reverse("selfassess:detail", args=[new.pk])).content.decode()
    assert reverse("selfassess:detail", args=[done.pk]) in detail and "Carried over from the" in detail


def test_without_a_completed_round_nothing_is_offered(client_for, manager, south, framework):
    page = client_for(manager).get(reverse("selfassess:start")).content.decode()
    assert 'type="checkbox"' not in page
    assert services.carry_over_candidates(south).count() == 0
    completed_round(south, manager, DAY, 1)  # completed, no actions
    assert services.carry_over_candidates(south).count() == 0
