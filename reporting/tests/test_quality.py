"""The manager's data-quality page: each check's count on hand-made data (with records of another
service and a merged-away record that must not count), the links to each list, the lists audited
and paginated, who is refused, query counts that do not grow with the data, and Welsh."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from accounts.models import Role
from accounts.tests.factories import UserFactory
from audit.models import Action, AuditEvent
from contacts.models import Attendance, Contact, Kind
from episodes.models import Episode, EpisodeStatus
from outcomes.models import MeasurementPoint, PointStatus
from people.models import Child
from people.tests.factories import CareTeamFactory, ChildFactory
from referrals.models import Status
from referrals.tests.factories import ReferralFactory
from reporting import quality, quality_views

pytestmark = pytest.mark.django_db
D = datetime.date
NOW = timezone.now


def nhs(nine: str) -> str:
    """A valid NHS number from nine digits (modulus 11; none here gives the impossible 10)."""
    total = sum(int(d) * w for d, w in zip(nine, range(10, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    assert check != 10
    return nine + str(check)


V1, V2, V3, V4 = nhs("943476591"), nhs("401023213"), nhs("123456780"), nhs("450557710")


def kid(service, given, family, born, **fields):
    values = {"ethnicity": "white_british", "active_offer": "welsh", "nhs_number": ""} | fields
    return ChildFactory(service=service, given_name=given, family_name=family, date_of_birth=born, **values)


@pytest.fixture
def register(south, north, alice):
    """South's records, each check worked out by hand below; North's and a merged-away record
    that would match every check if they counted."""
    r = {
        "complete": kid(south, "Aled", "Roberts", D(2012, 1, 2), nhs_number=V1),
        "gaps": kid(south, "Bryn", "Hughes", D(2013, 2, 3), ethnicity="", active_offer="not_made"),
        "zeros": kid(south, "Catrin", "Owen", D(2014, 3, 4), nhs_number="0000000000", ethnicity="not_stated"),
        "zeros2": kid(south, "Dafydd", "Parry", D(2011, 4, 5), nhs_number="0000000000", active_offer="english"),
        "nines": kid(south, "Elin", "Lloyd", D(2010, 6, 7), nhs_number="9999999999", legal_status=""),
        "twin1": kid(south, "Gethin", "Morgan", D(2010, 5, 5), nhs_number=V2),
        "twin2": kid(south, "Gethin", "Morgan", D(2010, 5, 5), nhs_number=V3),
        "same1": kid(south, "Heledd", "Jenkins", D(2011, 1, 1), nhs_number=V4),
        "same2": kid(south, "Iolo", "Price", D(2009, 9, 9), nhs_number=V4),
    }
    r["merged"] = kid(south, "Gethin", "Morgan", D(2010, 5, 5), ethnicity="", active_offer="not_made", legal_status="")
    Child.objects.filter(pk=r["merged"].pk).update(merged_into=r["complete"], ethnicity="not_stated")
    r["north"] = kid(north, "Gethin", "Morgan", D(2010, 5, 5), ethnicity="", active_offer="not_made", legal_status="")
    r["north_same_number"] = kid(north, "Aled", "Roberts", D(2012, 1, 2), nhs_number=V1, ethnicity="not_stated")
    r["north_zeros"] = kid(north, "Nia", "Evans", D(2012, 8, 8), nhs_number="0000000000")
    for record in r.values():
        if record.service_id == south.pk:
            CareTeamFactory(child=record, user=alice, role="lead")
    return r


EXPECTED = {
    "missing-nhs-number": {"gaps"},
    "placeholder-nhs-number": {"zeros", "zeros2", "nines"},
    "missing-legal-status": {"nines"},
    "ethnicity-not-recorded": {"gaps"},
    "ethnicity-declined": {"zeros"},
    "active-offer-not-recorded": {"gaps"},
    # Same date of birth and names; a shared real NHS number. The shared placeholder of zeros and
    # zeros2 is not a match, nor North's record with Aled's number, nor the merged-away twin.
    "possible-duplicates": {"twin1", "twin2", "same1", "same2"},
}


def test_each_record_check_counts_exactly_the_records_worked_out_by_hand(register, manager):
    now = NOW()
    for slug, names in EXPECTED.items():
        rows = set(quality.CHECKS_BY_SLUG[slug].rows(manager, now).values_list("pk", flat=True))
        assert rows == {register[name].pk for name in names}, slug


def test_the_placeholders_are_the_ten_repeated_digit_numbers_and_each_passes_the_check_digit():
    from people.identifiers import nhs_number_is_valid

    assert quality.PLACEHOLDER_NHS_NUMBERS == tuple(f"{d}" * 10 for d in range(10))
    assert all(nhs_number_is_valid(number) for number in quality.PLACEHOLDER_NHS_NUMBERS)


def test_another_services_manager_sees_only_their_own_records(register, north):
    other = UserFactory(username="northmanager", organisation=north, role=Role.SERVICE_MANAGER)
    now = NOW()
    rows = quality.CHECKS_BY_SLUG["placeholder-nhs-number"].rows(other, now)
    assert set(rows.values_list("pk", flat=True)) == {register["north_zeros"].pk}
    # North's Aled shares a number only with a record of South: no duplicate for either manager.
    assert not quality.CHECKS_BY_SLUG["possible-duplicates"].rows(other, now).exists()


# --- Referrals, measures, contacts -----------------------------------------------------------


def test_the_decision_cutoff_counts_working_days_as_the_referrals_module_does():
    # Received Monday 23 November 2026: its 10th working day after is Monday 7 December, so on
    # 7 December it is not yet overdue; received on Friday 20 November (or at the weekend) it is.
    cutoff = quality.decision_cutoff(D(2026, 12, 7), 10)
    assert cutoff == timezone.make_aware(datetime.datetime(2026, 11, 23))
    assert quality.decision_cutoff(D(2026, 12, 8), 10) == timezone.make_aware(datetime.datetime(2026, 11, 24))


def test_referrals_without_a_decision_past_the_set_working_days(south, north, manager):
    now = timezone.make_aware(datetime.datetime(2026, 12, 7, 12))
    late = ReferralFactory(service=south, received_at=timezone.make_aware(datetime.datetime(2026, 11, 20, 16)))
    ReferralFactory(service=south, received_at=timezone.make_aware(datetime.datetime(2026, 11, 23, 9)))  # on time
    ReferralFactory(
        service=south, received_at=timezone.make_aware(datetime.datetime(2026, 11, 2)), status=Status.ACCEPTED
    )
    ReferralFactory(service=north, received_at=timezone.make_aware(datetime.datetime(2026, 11, 2)))
    check = quality.CHECKS_BY_SLUG["undecided-referrals"]
    assert list(check.rows(manager, now)) == [late]
    with override_settings(NYTH_DATA_QUALITY_UNDECIDED_DAYS=9):  # now the 23rd's is late too
        assert check.rows(manager, now).count() == 2


def _episode(child, alice):
    return Episode.objects.create(
        child=child,
        opened_on=timezone.localdate() - datetime.timedelta(days=200),
        opened_from="returning",
        opened_by=alice,
        status=EpisodeStatus.OPEN,
    )


def _points(child, alice, *, overdue_days=5):
    episode = _episode(child, alice)
    today = timezone.localdate()
    MeasurementPoint.objects.bulk_create(
        [
            MeasurementPoint(
                child=child,
                episode=episode,
                kind="start",
                due_on=episode.opened_on,
                status=PointStatus.DONE,
                taken_on=episode.opened_on,
            ),
            MeasurementPoint(
                child=child, episode=episode, kind="review", due_on=today - datetime.timedelta(overdue_days)
            ),
            MeasurementPoint(child=child, episode=episode, kind="review", due_on=today + datetime.timedelta(30)),
        ]
    )


def _contact(child, who, *, hours, attendance=Attendance.BOOKED, key=""):
    return Contact.objects.create(
        child=child,
        practitioner=who,
        recorded_by=who,
        kind=Kind.INDIVIDUAL,
        location="home",
        attendance=attendance,
        starts_at=NOW() + datetime.timedelta(hours=hours),
        idempotency_key=key or uuid.uuid4().hex,
    )


def test_overdue_measures_and_contacts_without_an_outcome(register, manager, alice, charlie):
    _points(register["gaps"], alice)
    _points(register["north"], charlie)
    past = _contact(register["complete"], alice, hours=-3)
    _contact(register["complete"], alice, hours=3)  # still ahead
    _contact(register["complete"], alice, hours=-30, attendance=Attendance.ATTENDED)  # outcome recorded
    _contact(register["north"], charlie, hours=-3)
    now = NOW()
    points = quality.CHECKS_BY_SLUG["overdue-measures"].rows(manager, now)
    assert [(p.child_id, p.kind) for p in points] == [(register["gaps"].pk, "review")]
    assert list(quality.CHECKS_BY_SLUG["contacts-without-outcome"].rows(manager, now)) == [past]


# --- The pages ----------------------------------------------------------------------------------


def test_the_summary_shows_each_count_linked_to_its_list(client_for, register, manager):
    response = client_for(manager).get(reverse("data_quality:summary"))
    assert response.status_code == 200
    page = response.content.decode()
    for check in quality.CHECKS:
        url = reverse(f"data_quality:{check.slug}")
        expected = len(EXPECTED.get(check.slug, ()))
        assert f'href="{url}">{expected}<' in page, check.slug
        assert escape(str(check.definition)) in page
    # Counts only: no record is named on the summary.
    assert "Hughes" not in page and "Morgan" not in page
    event = AuditEvent.objects.filter(actor=manager, action=Action.VIEW).latest("id")
    assert event.detail["page"] == "data_quality" and event.detail["counts"]["placeholder-nhs-number"] == 3


def test_a_list_shows_its_records_linked_and_records_one_list_event(client_for, register, manager):
    client = client_for(manager)
    response = client.get(reverse("data_quality:placeholder-nhs-number"))
    page = response.content.decode()
    for name in ("zeros", "zeros2", "nines"):
        record = register[name]
        assert reverse("people:detail", args=[record.pk]) in page and record.family_name in page
        assert reverse("people:edit", args=[record.pk]) in page
    for name in ("complete", "gaps", "north_zeros", "merged"):
        assert reverse("people:detail", args=[register[name].pk]) not in page
    (event,) = AuditEvent.objects.filter(actor=manager, action=Action.LIST)
    assert event.detail["page"] == "data_quality:placeholder-nhs-number"
    assert event.detail["children"] == sorted(register[n].pk for n in ("zeros", "zeros2", "nines"))

    duplicates = client.get(reverse("data_quality:possible-duplicates")).content.decode()
    for name in EXPECTED["possible-duplicates"]:
        assert reverse("people:duplicates", args=[register[name].pk]) in duplicates


def test_the_other_lists_link_to_the_referral_point_and_contact(client_for, register, manager, alice, south):
    _points(register["gaps"], alice)
    contact = _contact(register["complete"], alice, hours=-3)
    referral = ReferralFactory(service=south, received_at=NOW() - datetime.timedelta(days=40))
    client = client_for(manager)
    point = MeasurementPoint.objects.get(child=register["gaps"], kind="review", due_on__lt=timezone.localdate())
    assert (
        reverse("outcomes:point_record", args=[point.pk])
        in client.get(reverse("data_quality:overdue-measures")).content.decode()
    )
    assert (
        reverse("contacts:edit", args=[contact.child_id, contact.pk])
        in client.get(reverse("data_quality:contacts-without-outcome")).content.decode()
    )
    page = client.get(reverse("data_quality:undecided-referrals")).content.decode()
    assert reverse("referrals:detail", args=[referral.pk]) in page and referral.family_name in page
    event = AuditEvent.objects.filter(actor=manager, action=Action.LIST).latest("id")
    assert event.detail["referrals"] == [referral.pk] and event.detail["children"] == []


def test_lists_are_paginated_and_each_page_audits_what_it_shows(client_for, register, manager, monkeypatch):
    monkeypatch.setattr(quality_views, "PAGE_SIZE", 2)
    client = client_for(manager)
    url = reverse("data_quality:placeholder-nhs-number")
    first = client.get(url).content.decode()
    assert "govuk-pagination" in first and "Page 1 of 2" in first and 'rel="next"' in first
    second = client.get(url, {"page": 2}).content.decode()
    assert "Page 2 of 2" in second
    events = list(AuditEvent.objects.filter(actor=manager, action=Action.LIST).order_by("id"))
    assert [len(e.detail["children"]) for e in events] == [2, 1]
    shown = {pk for e in events for pk in e.detail["children"]}
    assert shown == {register[n].pk for n in ("zeros", "zeros2", "nines")}


@pytest.mark.parametrize("persona", ["alice", "duty", "commissioner", "partner"])
def test_everyone_but_a_service_manager_gets_404(client_for, register, persona, request):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("data_quality:summary")).status_code == 404
    assert client.get(reverse("data_quality:missing-nhs-number")).status_code == 404
    assert not AuditEvent.objects.filter(action=Action.LIST, detail__page__startswith="data_quality").exists()


def test_an_unknown_check_is_404(client_for, manager):
    assert client_for(manager).get("/en/reports/data-quality/no-such-check/").status_code == 404


def test_the_managers_home_links_to_the_page(client_for, manager):
    page = client_for(manager).get(reverse("core:home")).content.decode()
    assert reverse("data_quality:summary") in page


# --- Query counts -------------------------------------------------------------------------------


def _grow(south, north, alice, charlie, n, start):
    """``n`` more records failing several checks each, with an overdue point, a contact without
    an outcome and a late referral, and one pair of possible duplicates (and as many in North).
    ``start`` keeps the dates of birth of each batch apart, so batches do not match each other."""
    for service, who in ((south, alice), (north, charlie)):
        born = D(2008, 1, 1) + datetime.timedelta(days=start)
        for i in range(n):
            record = kid(service, f"Grow{i}", f"Tyfu{service.pk}x{i}", born + datetime.timedelta(days=i))
            CareTeamFactory(child=record, user=who, role="lead")
            _points(record, who)
            _contact(record, who, hours=-5)
            ReferralFactory(service=service, child=record, received_at=NOW() - datetime.timedelta(days=60))
        for _twin in range(2):
            kid(service, "Twm", "Dwbl", D(2005, 1, 1) + datetime.timedelta(days=start))


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries)


def test_query_counts_do_not_grow_with_the_data(client_for, south, north, manager, alice, charlie):
    client = client_for(manager)
    urls = [reverse("data_quality:summary")] + [reverse(f"data_quality:{c.slug}") for c in quality.CHECKS]
    _grow(south, north, alice, charlie, 2, start=0)
    small = {url: _queries(client, url) for url in urls}
    _grow(south, north, alice, charlie, 25, start=100)
    large = {url: _queries(client, url) for url in urls}
    assert large == small
    # The lists did show the larger data: 27 grown records and 2 pairs of twins without an NHS
    # number in South, 27 contacts without an outcome, the 4 twins as possible duplicates.
    assert "Total: 31" in client.get(reverse("data_quality:missing-nhs-number")).content.decode()
    assert "Total: 27" in client.get(reverse("data_quality:contacts-without-outcome")).content.decode()
    assert "Total: 4" in client.get(reverse("data_quality:possible-duplicates")).content.decode()


# --- Welsh ----------------------------------------------------------------------------------------


def test_the_page_and_a_list_in_welsh(client_for, register, manager):
    client = client_for(manager)
    with translation.override("cy"):
        url, list_url = reverse("data_quality:summary"), reverse("data_quality:ethnicity-declined")
        title = translation.gettext("Data quality")
        check = quality.CHECKS_BY_SLUG["ethnicity-declined"]
        check_title, definition = str(check.title), str(check.definition)
    assert url.startswith("/cy/") and title != "Data quality" and check_title != "Ethnic group not stated"
    page = client.get(url).content.decode()
    assert title in page and escape(check_title) in page and escape(definition) in page
    assert "Ethnic group not stated" not in page and "What it counts" not in page
    listed = client.get(list_url).content.decode()
    assert escape(check_title) in listed and register["zeros"].family_name in listed and "Young person" not in listed
