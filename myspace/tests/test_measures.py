"""The outcome measures due for the young person, offered after How I'm feeling: only when a
point is due and the measure's wording is loaded; completed and scored by the practitioners'
rule, saved as the young person's (route self) at the point; never another child's point,
never for a carer; bad input kept and explained, nothing saved; the same form twice, once."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from accounts.models import Role
from accounts.tests.factories import UserFactory
from audit.models import AuditEvent
from episodes import services as episode_services
from myspace.models import Draft, SpaceAccount
from outcomes import wording
from outcomes.models import Instrument, Measurement, MeasurementPoint, PointStatus
from people.tests.factories import CareTeamFactory, ChildFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _teen(child):
    child.date_of_birth = TODAY() - datetime.timedelta(days=14 * 366)
    child.save()
    return child


@pytest.fixture
def young_person(child, alice):
    _teen(child)
    user = UserFactory(username="sion", first_name="Siôn", last_name="", organisation=None, role=Role.YOUNG_PERSON)
    SpaceAccount.objects.create(user=user, child=child, created_by=alice)
    return user


@pytest.fixture
def point(child, alice):
    episode_services.open_episode(by=alice, child=child, opened_on=TODAY(), opened_from="returning")
    return MeasurementPoint.objects.get(child=child, kind="start")  # due today


@pytest.fixture
def loaded():
    """SWEMWBS with its wording loaded (synthetic text: the real wording is licensed)."""
    swemwbs = Instrument.objects.get(code="swemwbs")
    wording.load_wording(
        instrument=swemwbs,
        data={"en": [f"Feeling test item {n}" for n in range(1, 8)], "cy": [f"Eitem prawf {n}" for n in range(1, 8)]},
    )
    return swemwbs


def _checkin(client):
    return client.post(reverse("myspace:checkin"), {"feeling": "3", "note": "", "text_language": "en"})


def _url(point, code="swemwbs"):
    return reverse("myspace:measure", args=[point.pk, code])


def _answers(client, point, values, key=None):
    page = client.get(_url(point)).content.decode()
    key = key or re.search(r'name="key" value="([^"]+)"', page).group(1)
    return client.post(_url(point), {"key": key, **{f"swemwbs_{n}": str(v) for n, v in enumerate(values, 1)}}), key


def test_offered_after_the_check_in_when_due_and_worded(client_for, young_person, point, loaded):
    client = client_for(young_person)
    response = _checkin(client)
    assert response.status_code == 302 and response["Location"] == reverse("myspace:measure_offers")
    page = client.get(reverse("myspace:measure_offers")).content.decode()
    assert "You can also fill in" in page and loaded.name_en in page and _url(point) in page
    form = client.get(_url(point)).content.decode()
    assert "Feeling test item 1" in form and "Feeling test item 7" in form


def test_the_wording_in_welsh(client_for, young_person, point, loaded):
    page = client_for(young_person).get("/cy" + _url(point)[3:]).content.decode()
    assert "Eitem prawf 1" in page and "Feeling test item 1" not in page


def test_nothing_is_said_without_the_wording(client_for, young_person, point):
    client = client_for(young_person)
    response = _checkin(client)
    assert response["Location"] == reverse("myspace:checkin")
    assert "You can also fill in" not in client.get(response["Location"]).content.decode()
    assert client.get(reverse("myspace:measure_offers")).status_code == 302
    assert client.get(_url(point)).status_code == 404


def test_nothing_is_offered_when_no_point_is_due(client_for, young_person, point, loaded):
    MeasurementPoint.objects.filter(pk=point.pk).update(due_on=TODAY() + datetime.timedelta(days=60))
    client = client_for(young_person)
    assert _checkin(client)["Location"] == reverse("myspace:checkin")
    assert client.get(_url(point)).status_code == 404


def test_saved_as_the_young_persons_by_the_same_scoring(client_for, young_person, child, point, loaded):
    client = client_for(young_person)
    response, key = _answers(client, point, [3, 3, 3, 3, 3, 3, 2])
    assert response.status_code == 302
    measured = Measurement.objects.get(point=point, instrument=loaded)
    # The practitioner's rule: raw 20 → metric 18.59 (outcomes/tests/test_points.py).
    assert (measured.raw_score, measured.score) == (Decimal(20), Decimal("18.59"))
    assert (measured.source, measured.recorded_by, measured.taken_on) == ("young_person_space", young_person, TODAY())
    event = AuditEvent.objects.get(actor=young_person, action="create", object_type__icontains="measurement")
    assert event.route == "self" and event.child_id == child.pk
    point.refresh_from_db()
    assert point.status == PointStatus.DUE  # the practitioner still records the rest
    # The same form sent again records nothing more, and it is no longer offered.
    again = client.post(_url(point), {"key": key, **{f"swemwbs_{n}": "5" for n in range(1, 8)}})
    assert again.status_code == 404 or again.status_code == 302
    assert Measurement.objects.filter(point=point).count() == 1
    assert Measurement.objects.get(point=point).score == Decimal("18.59")
    assert _checkin(client)["Location"] == reverse("myspace:checkin")


def test_the_practitioner_then_records_the_rest_without_asking_it_again(client_for, young_person, alice, point, loaded):
    _answers(client_for(young_person), point, [4] * 7)
    staff = client_for(alice)
    page = staff.get(reverse("outcomes:point_record", args=[point.pk])).content.decode()
    assert 'name="swemwbs_1"' not in page and "young_person_space" not in page
    assert "Already recorded at this point" in page and "Completed by the young person in their own space" in page
    data = {"key": "staff-1", "source": "with_practitioner", "taken_on_day": str(TODAY().day),
            "taken_on_month": str(TODAY().month), "taken_on_year": str(TODAY().year)}  # fmt: skip
    assert staff.post(reverse("outcomes:point_record", args=[point.pk]), data).status_code == 302
    point.refresh_from_db()
    assert point.status == PointStatus.DONE
    assert Measurement.objects.get(point=point, instrument=loaded).recorded_by == young_person


def test_bad_answers_are_explained_kept_and_nothing_saved(client_for, young_person, point, loaded):
    client = client_for(young_person)
    response, _key = _answers(client, point, [3, 3, "", 3, 9, 3, 3])
    body = response.content.decode()
    assert response.status_code == 400
    assert "Enter the answer to item 3" in body and "Item 5 must be from 1 to 5" in body
    assert re.search(r'name="swemwbs_1"[^>]*value="3"[^>]*checked', body)  # what was chosen is kept
    assert re.search(r'name="swemwbs_5"[^>]*value="9"', body) is None  # not a choice: left blank to choose again
    assert "(optional)" not in body
    assert not Measurement.objects.exists()
    empty, _key = _answers(client, point, [""] * 7)
    assert empty.status_code == 400 and "Answer every question, then send it" in empty.content.decode()
    assert not Measurement.objects.exists()


def test_another_childs_point_is_404(client_for, young_person, south, alice, loaded, point):
    other = _teen(ChildFactory(service=south, given_name="Owain"))
    CareTeamFactory(child=other, user=alice, role="lead")
    episode_services.open_episode(by=alice, child=other, opened_on=TODAY(), opened_from="returning")
    theirs = MeasurementPoint.objects.get(child=other, kind="start")
    client = client_for(young_person)
    assert client.get(_url(theirs)).status_code == 404
    data = {"key": "x", **{f"swemwbs_{n}": "3" for n in range(1, 8)}}
    assert client.post(_url(theirs), data).status_code == 404
    assert not Measurement.objects.filter(point=theirs).exists()


def test_carers_and_staff_never_see_it(client_for, child, alice, point, loaded):
    _teen(child)
    person = child.related_people.get()
    carer = UserFactory(username="sioned", organisation=None, role=Role.CARER)
    SpaceAccount.objects.create(user=carer, child=child, related_person=person, created_by=alice)
    data = {"key": "x", **{f"swemwbs_{n}": "3" for n in range(1, 8)}}
    for user in (carer, alice):
        client = client_for(user)
        assert client.get(reverse("myspace:measure_offers")).status_code == 404
        assert client.get(_url(point)).status_code == 404
        assert client.post(_url(point), data).status_code == 404
    assert not Measurement.objects.exists()


def test_the_offer_is_readable(client_for, young_person, point, loaded, monkeypatch):
    import nltk

    from myspace import readable

    monkeypatch.setattr(nltk, "download", lambda *a, **k: pytest.fail("textstat tried to download data"))

    page = client_for(young_person).get(reverse("myspace:measure_offers")).content.decode()
    blocks = readable.scored_blocks(page)
    assert blocks, "the offer's prose is marked for the readability check"
    assert all(block.grade <= readable.MAX_GRADE for block in blocks), [(b.grade, b.text) for b in blocks]


def test_an_idle_timeout_while_answering_loses_nothing(client_for, young_person, point, loaded, settings):
    start = timezone.now()
    with freeze_time(start):
        client = client_for(young_person)
        page = client.get(_url(point)).content.decode()
    key = re.search(r'name="key" value="([^"]+)"', page).group(1)
    data = {"key": key, **{f"swemwbs_{n}": "4" for n in range(1, 8)}}
    with freeze_time(start + datetime.timedelta(minutes=settings.NYTH_SPACE_IDLE_MINUTES + 1)):
        response = client.post(_url(point), data)
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
        assert not Measurement.objects.exists() and Draft.objects.get().data["swemwbs_3"] == ["4"]
        again = client_for(young_person)
        shown = again.get(_url(point))
        body = shown.content.decode()
        assert shown.status_code == 200 and "We kept what you wrote." in body
        assert re.search(r'name="swemwbs_7"[^>]*value="4"[^>]*checked', body)
        assert "There is a problem" not in body and not Draft.objects.exists()
        assert again.post(_url(point), data).status_code == 302
    assert Measurement.objects.count() == 1
