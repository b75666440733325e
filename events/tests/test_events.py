"""Significant events: recorded by the care team through the one scope, audited, idempotent,
corrected with stale saves refused, removed (entered in error) without losing the trail, on the
timeline; and the recording periods that say when "before support" figures mean something."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from audit.models import AuditEvent
from core.errors import StaleEditError
from events import services
from events.models import EventKind, EventSource, RecordingPeriod, SignificantEvent
from people.tests.factories import ChildFactory, PlacementFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def post(child, **overrides) -> dict[str, str]:
    when = timezone.localdate() - datetime.timedelta(days=3)
    data = {
        "kind": "missing",
        "occurred_on_day": str(when.day),
        "occurred_on_month": str(when.month),
        "occurred_on_year": str(when.year),
        "source": "police",
        "placement": "",
        "note": "Back by morning.",
        "text_language": "en",
        "key": "form-key-1",
        "version": "",
    }
    data.update(overrides)
    return data


def test_the_care_team_records_an_event_once_however_often_the_form_is_sent(client_for, alice, child):
    client = client_for(alice)
    url = reverse("events:create", args=[child.pk])
    assert client.get(url).status_code == 200
    for _ in range(2):
        response = client.post(url, post(child))
        assert response.status_code == 302, response.content.decode()[
            response.content.decode().find("govuk-error-summary") :
        ][:1500]
    event = SignificantEvent.objects.get(child=child)
    assert (event.kind, event.source, event.recorded_by) == (EventKind.MISSING, EventSource.POLICE, alice)
    created = AuditEvent.objects.filter(action="create", object_type="events.significantevent", child_id=child.pk)
    assert created.count() == 1
    page = client.get(reverse("events:child", args=[child.pk])).content.decode()
    assert "Went missing" in page and "Back by morning." in page


def test_bad_input_gets_a_clear_error_and_keeps_what_was_typed(client_for, alice, child):
    client = client_for(alice)
    url = reverse("events:create", args=[child.pk])
    future = timezone.localdate() + datetime.timedelta(days=2)
    response = client.post(
        url,
        post(child, **{"occurred_on_day": str(future.day), "occurred_on_month": str(future.month), "occurred_on_year": str(future.year)},
             note="x" * 1001),
    )  # fmt: skip
    assert response.status_code == 200
    page = response.content.decode()
    assert "The date must be today or in the past" in page
    assert "x" * 1001 in page  # kept, not saved
    assert not SignificantEvent.objects.exists()


def test_a_placement_is_named_only_for_a_breakdown_and_only_one_of_theirs(alice, child):
    theirs = child.placements.get()
    other = PlacementFactory(child=ChildFactory(service=child.service))
    base = {"occurred_on": D(2026, 3, 1), "source": "social_worker", "note": ""}
    with pytest.raises(ValidationError) as error:
        services.record_event(by=alice, child=child, values={**base, "kind": "missing", "placement": theirs}, key="a")
    assert "placement" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.record_event(
            by=alice, child=child, values={**base, "kind": "placement_breakdown", "placement": other}, key="b"
        )
    event, created = services.record_event(
        by=alice, child=child, values={**base, "kind": "placement_breakdown", "placement": theirs}, key="c"
    )
    assert created and event.placement == theirs


def test_an_event_before_the_date_of_birth_is_refused(alice, child):
    with pytest.raises(ValidationError) as error:
        services.record_event(
            by=alice,
            child=child,
            values={
                "kind": "police",
                "occurred_on": child.date_of_birth - datetime.timedelta(days=1),
                "source": "police",
            },
            key="k",
        )
    assert "occurred_on" in error.value.message_dict


def test_partners_commissioners_and_other_services_cannot_record(partner, commissioner, charlie, child, client_for):
    for user in (partner, commissioner, charlie):
        with pytest.raises(PermissionDenied):
            services.record_event(
                by=user,
                child=child,
                values={"kind": "police", "occurred_on": D(2026, 1, 1), "source": "police"},
                key=user.username,
            )
    assert client_for(charlie).get(reverse("events:child", args=[child.pk])).status_code == 404


def test_a_key_from_another_young_persons_form_is_refused(alice, child, south):
    other = ChildFactory(service=south)
    from people.tests.factories import CareTeamFactory

    CareTeamFactory(child=other, user=alice, role="lead")
    values = {"kind": "police", "occurred_on": D(2026, 1, 1), "source": "police"}
    services.record_event(by=alice, child=child, values=values, key="shared")
    with pytest.raises(PermissionDenied):
        services.record_event(by=alice, child=other, values=values, key="shared")


def test_a_correction_based_on_an_older_version_is_refused(alice, bob, child):
    from people.tests.factories import CareTeamFactory

    CareTeamFactory(child=child, user=bob, role="member")
    event, _ = services.record_event(
        by=alice, child=child, values={"kind": "police", "occurred_on": D(2026, 1, 1), "source": "police"}, key="k"
    )
    services.change_event(by=bob, event=event, expected_version=1, values={"kind": "arrest"})
    with pytest.raises(StaleEditError):
        services.change_event(by=alice, event=event, expected_version=1, values={"source": "school"})
    event.refresh_from_db()
    assert (event.kind, event.source, event.version) == ("arrest", "police", 2)


def test_the_edit_page_keeps_both_versions_when_someone_saved_meanwhile(client_for, alice, child):
    event, _ = services.record_event(
        by=alice, child=child, values={"kind": "police", "occurred_on": D(2026, 1, 1), "source": "police"}, key="k"
    )
    services.change_event(by=alice, event=event, expected_version=1, values={"note": "Changed elsewhere"})
    response = client_for(alice).post(
        reverse("events:edit", args=[child.pk, event.pk]),
        post(
            child,
            kind="arrest",
            note="Mine",
            version="1",
            **{"occurred_on_day": "1", "occurred_on_month": "1", "occurred_on_year": "2026"},
        ),
    )
    page = response.content.decode()
    assert response.status_code == 200 and "Saved by someone else" in page and "Mine" in page
    event.refresh_from_db()
    assert event.kind == "police" and event.note == "Changed elsewhere"


def test_removing_an_event_entered_in_error_keeps_it_and_says_why(client_for, alice, child):
    event, _ = services.record_event(
        by=alice, child=child, values={"kind": "self_harm", "occurred_on": D(2026, 1, 1), "source": "carer"}, key="k"
    )
    client = client_for(alice)
    url = reverse("events:remove", args=[child.pk, event.pk])
    response = client.post(url, {"reason": "", "version": "1"})
    assert response.status_code == 200 and "Say why this event is being removed" in response.content.decode()
    assert client.post(url, {"reason": "Wrong young person's record", "version": "1"}).status_code == 302
    event.refresh_from_db()
    assert event.removed_by == alice and event.removed_reason == "Wrong young person's record"
    assert not SignificantEvent.objects.filter(services.counted()).exists()
    assert AuditEvent.objects.filter(action="delete", object_id=str(event.pk), reason__contains="Wrong").exists()
    assert "Self-harm incident" not in client.get(reverse("events:child", args=[child.pk])).content.decode()
    # It can no longer be opened for change.
    assert client.get(reverse("events:edit", args=[child.pk, event.pk])).status_code == 404


def test_events_are_on_the_timeline_and_removed_ones_are_not(client_for, alice, child):
    services.record_event(
        by=alice,
        child=child,
        values={"kind": "exclusion", "occurred_on": timezone.localdate(), "source": "school"},
        key="a",
    )
    gone, _ = services.record_event(
        by=alice,
        child=child,
        values={"kind": "arrest", "occurred_on": timezone.localdate(), "source": "police"},
        key="b",
    )
    services.remove_event(by=alice, event=gone, expected_version=1, reason="Duplicate")
    page = client_for(alice).get(reverse("episodes:timeline", args=[child.pk])).content.decode()
    assert "Excluded from school" in page and "Arrested" not in page
    with translation.override("cy"):
        page = client_for(alice).get(reverse("episodes:timeline", args=[child.pk])).content.decode()
    assert "Excluded from school" not in page


def test_recording_periods_say_when_before_support_figures_mean_something(client_for, alice, child):
    client = client_for(alice)
    url = reverse("events:period_create", args=[child.pk])
    bad = client.post(url, {"starts_on_day": "1", "starts_on_month": "6", "starts_on_year": "2025",
                            "ends_on_day": "1", "ends_on_month": "1", "ends_on_year": "2025", "source": "Chronology"})  # fmt: skip
    assert bad.status_code == 200 and "The end must be on or after the start" in bad.content.decode()
    good = client.post(url, {"starts_on_day": "1", "starts_on_month": "1", "starts_on_year": "2025",
                             "ends_on_day": "30", "ends_on_month": "6", "ends_on_year": "2025", "source": "Chronology"})  # fmt: skip
    assert good.status_code == 302
    services.record_period(
        by=alice, child=child, starts_on=D(2025, 7, 1), ends_on=None, source="Recording since referral"
    )
    periods = list(RecordingPeriod.objects.filter(child=child))
    assert services.complete_for(periods, D(2025, 2, 1), D(2025, 12, 31))  # two periods, no gap
    assert not services.complete_for(periods, D(2024, 12, 1), D(2025, 3, 1))  # before the first
    assert not services.complete_for(periods[:1], D(2025, 5, 1), D(2025, 8, 1))  # a gap after June
    assert services.complete_for(periods, D(2025, 1, 1), D(2025, 1, 1))
    assert not services.complete_for([], D(2025, 1, 1), D(2025, 1, 2))
