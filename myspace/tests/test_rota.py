"""The manager's on-call rota (myspace.rota, myspace.staff_rota): shifts for the service's duty
workers only, the end after the start, no overlap for one person, never a silent overwrite,
every change audited, the gaps out of hours said plainly – and 404 for everyone else."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.urls import reverse
from freezegun import freeze_time

from accounts.models import Role
from accounts.tests.factories import UserFactory
from audit.models import AuditEvent
from myspace import rota, voice
from myspace.models import Cover, OnCallShift, SpaceAccount

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
#: Monday 7 December 2026, in hours (the service is open Monday to Friday, 09:00 to 17:00).
NOW = datetime.datetime(2026, 12, 7, 12, 0, tzinfo=LONDON)


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 12, day, hour, minute, tzinfo=LONDON)


def form(user, start: tuple[int, str], end: tuple[int, str], version: int | None = None) -> dict:
    data = {
        "user": user.pk if user is not None else "",
        "start_date_day": start[0], "start_date_month": 12, "start_date_year": 2026, "start_time": start[1],
        "end_date_day": end[0], "end_date_month": 12, "end_date_year": 2026, "end_time": end[1],
    }  # fmt: skip
    if version is not None:
        data["version"] = version
    return data


def shift(user, south, start, end) -> OnCallShift:
    return OnCallShift.objects.create(service=south, user=user, starts_at=start, ends_at=end)


@freeze_time(NOW)
def test_the_rota_says_plainly_when_nobody_is_on_call(client_for, manager, duty, south):
    page = client_for(manager).get(reverse("space_access:rota")).content.decode()
    assert "Nobody is on call from Monday 7 December 2026, 17:00 to Tuesday 8 December 2026, 09:00." in page
    # Friday evening to Monday morning is one gap, not three.
    assert "Nobody is on call from Friday 11 December 2026, 17:00 to Monday 14 December 2026, 09:00." in page
    shift(duty, south, at(7, 17), at(8, 9))
    page = client_for(manager).get(reverse("space_access:rota")).content.decode()
    assert "Nobody is on call from Monday 7 December 2026, 17:00" not in page
    assert "Nobody is on call from Tuesday 8 December 2026, 17:00 to Wednesday 9 December 2026, 09:00." in page
    assert "Dewi Dyletswydd" in page


@freeze_time(NOW)
def test_gaps_count_only_the_service_hours_and_real_on_call_staff(south, duty):
    start, end = at(7, 12), at(8, 12)
    assert rota.gaps(south, start, end) == [rota.Gap(at(7, 17), at(8, 9))]
    shift(duty, south, at(7, 18), at(8, 8))
    assert rota.gaps(south, start, end) == [rota.Gap(at(7, 17), at(7, 18)), rota.Gap(at(8, 8), at(8, 9))]
    duty.is_active = False
    duty.save()  # a shift of someone who left covers nothing: on_call_now would not route to them
    assert rota.gaps(south, start, end) == [rota.Gap(at(7, 17), at(8, 9))]


@freeze_time(NOW)
def test_a_manager_adds_a_shift_and_the_alert_goes_to_that_worker(client_for, manager, duty, south):
    response = client_for(manager).post(reverse("space_access:shift_create"), form(duty, (7, "17:00"), (8, "09:00")))
    assert response.status_code == 302
    saved = OnCallShift.objects.get()
    assert (saved.user, saved.service, saved.starts_at, saved.ends_at) == (duty, south, at(7, 17), at(8, 9))
    event = AuditEvent.objects.get(object_type__icontains="oncallshift", action="create")
    assert event.actor_id == manager.pk and event.route == "ui"
    with freeze_time(at(7, 22)):
        cover = voice.cover_now(south, at(7, 22))
    assert cover.cover == Cover.ON_CALL and cover.on_call == duty


@freeze_time(NOW)
def test_bad_input_is_explained_kept_and_nothing_saved(client_for, manager, duty, alice, south):
    client = client_for(manager)
    url = reverse("space_access:shift_create")
    backwards = client.post(url, form(duty, (8, "09:00"), (7, "17:00")))
    assert backwards.status_code == 400 and "The end must be after the start" in backwards.content.decode()
    assert 'value="09:00"' in backwards.content.decode()  # what was typed is kept
    not_on_call = client.post(url, form(alice, (7, "17:00"), (8, "09:00")))
    assert not_on_call.status_code == 400 and "Choose who is on call" in not_on_call.content.decode()
    bad_time = client.post(url, form(duty, (7, "25:00"), (8, "09:00")))
    assert "Enter a real time" in bad_time.content.decode()
    assert 'value="25:00"' in bad_time.content.decode()
    assert OnCallShift.objects.count() == 0


@freeze_time(NOW)
def test_one_person_cannot_be_on_two_shifts_at_once(client_for, manager, duty, south):
    shift(duty, south, at(7, 17), at(8, 9))
    other = UserFactory(username="duty2", first_name="Elin", organisation=south, role=Role.DUTY_WORKER)
    client = client_for(manager)
    overlapping = client.post(reverse("space_access:shift_create"), form(duty, (8, "08:00"), (8, "20:00")))
    assert overlapping.status_code == 400
    assert "This person is already on call at some of this time" in overlapping.content.decode()
    # Back to back is fine, and another person may overlap.
    assert client.post(reverse("space_access:shift_create"), form(duty, (8, "09:00"), (8, "20:00"))).status_code == 302
    assert client.post(reverse("space_access:shift_create"), form(other, (8, "08:00"), (8, "20:00"))).status_code == 302
    assert OnCallShift.objects.count() == 3


@freeze_time(NOW)
def test_a_change_over_someone_elses_is_refused_not_overwritten(client_for, manager, duty, south):
    saved = shift(duty, south, at(7, 17), at(8, 9))
    client = client_for(manager)
    url = reverse("space_access:shift_edit", args=[saved.pk])
    assert 'name="version" value="1"' in client.get(url).content.decode()
    assert client.post(url, form(duty, (7, "18:00"), (8, "09:00"), version=1)).status_code == 302
    stale = client.post(url, form(duty, (7, "19:00"), (8, "09:00"), version=1))
    body = stale.content.decode()
    assert "Someone else changed this shift" in body and 'value="19:00"' in body and 'name="version" value="2"' in body
    saved.refresh_from_db()
    assert (saved.starts_at, saved.version) == (at(7, 18), 2)
    events = AuditEvent.objects.filter(object_type__icontains="oncallshift", action="update")
    assert events.count() == 1


@freeze_time(NOW)
def test_a_manager_removes_a_shift_unless_it_changed(client_for, manager, duty, south):
    saved = shift(duty, south, at(7, 17), at(8, 9))
    client = client_for(manager)
    url = reverse("space_access:shift_remove", args=[saved.pk])
    assert "Remove this shift?" in client.get(url).content.decode()
    stale = client.post(url, {"version": 0})
    assert stale.status_code == 200 and "Someone else changed this shift" in stale.content.decode()
    assert OnCallShift.objects.filter(pk=saved.pk).exists()
    assert client.post(url, {"version": 1}).status_code == 302
    assert not OnCallShift.objects.exists()
    assert AuditEvent.objects.filter(
        object_type__icontains="oncallshift", action="delete", actor_id=manager.pk
    ).exists()


@freeze_time(NOW)
def test_the_rota_is_404_to_everyone_but_the_services_managers(
    client_for, manager, duty, alice, charlie, north, south, child
):
    saved = shift(duty, south, at(7, 17), at(8, 9))
    north_manager = UserFactory(username="north-manager", organisation=north, role=Role.SERVICE_MANAGER)
    young_person = UserFactory(username="yp", organisation=None, role=Role.YOUNG_PERSON)
    SpaceAccount.objects.create(user=young_person, child=child, created_by=alice)
    urls = [
        reverse("space_access:rota"),
        reverse("space_access:shift_create"),
        reverse("space_access:shift_edit", args=[saved.pk]),
        reverse("space_access:shift_remove", args=[saved.pk]),
    ]
    for user in (alice, duty, charlie, young_person):
        client = client_for(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
            assert client.post(url, form(duty, (9, "17:00"), (10, "09:00"), version=1)).status_code == 404
    other = client_for(north_manager)  # another service's manager: not their rota, not their shift
    assert other.get(urls[2]).status_code == 404 and other.post(urls[3], {"version": 1}).status_code == 404
    assert "Dewi" not in other.get(urls[0]).content.decode()
    assert OnCallShift.objects.filter(pk=saved.pk, starts_at=at(7, 17)).exists()


@freeze_time(NOW)
def test_the_rota_in_welsh(client_for, manager, duty, south):
    page = client_for(manager).get("/cy/space-access/rota/").content.decode()
    assert "Does neb ar alwad rhwng Dydd Llun 7 Rhagfyr 2026, 17:00 a Dydd Mawrth 8 Rhagfyr 2026, 09:00." in page
