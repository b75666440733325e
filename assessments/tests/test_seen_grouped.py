"""Who has seen my story, grouped (issue 12 C): one line per person, day and thing done ("Pat
Partner (…) read your story 3 times"), with the times; a consent's withdrawal listed; the short
names explained; organisations named in the reader's language; Welsh plural forms."""

from __future__ import annotations

import datetime
import types

import pytest
from django.urls import reverse

from accounts.models import Profession
from assessments.models import Assessment
from assessments.services import save_section
from assessments.tests.builders import give_consent
from audit import services as audit_services
from audit.services import record
from consent.services import withdraw_consent

pytestmark = pytest.mark.django_db

LONDON = datetime.UTC  # December: local time in Wales is UTC


@pytest.fixture
def written(child, alice):
    save_section(by=alice, child=child, section="my_story", text="I like climbing.", based_on=0, voice="young_person")
    return child


@pytest.fixture
def at(monkeypatch):
    """``at(hour, minute, day=2)`` sets the clock the audit trail records with (2 December 2026)."""

    def set_clock(hour: int, minute: int, day: int = 2) -> None:
        moment = datetime.datetime(2026, 12, day, hour, minute, tzinfo=LONDON)
        monkeypatch.setattr(audit_services, "timezone", types.SimpleNamespace(now=lambda: moment))

    return set_clock


def _partner_reads(partner, child, at, times, day=2):
    assessment = Assessment.objects.get(child=child)
    for hour, minute in times:
        at(hour, minute, day)
        record(actor=partner, action="view", obj=assessment, child_id=child.pk, route="ui", detail={"route": "consent"})


def _seen(client_for, reader, child, language="en"):
    url = reverse("assessments:seen", args=[child.pk])
    if language == "cy":
        url = "/cy/" + url.split("/", 2)[2]
    response = client_for(reader).get(url)
    assert response.status_code == 200
    return response


def test_reads_by_one_person_on_one_day_are_one_line_with_the_times(client_for, alice, partner, manager, written, at):
    give_consent(written, recorded_by=manager, organisation=partner.organisation, sections=["my_story"])
    _partner_reads(partner, written, at, [(9, 14), (10, 2), (15, 40)])
    _partner_reads(partner, written, at, [(8, 30)], day=3)
    body = _seen(client_for, alice, written).content.decode()
    who = f"Pat Partner ({partner.organisation})"
    assert f"On 2 December 2026, {who} read your story 3 times." in body
    assert "Times: 09:14, 10:02, 15:40" in body
    assert f"On 3 December 2026, {who} read your story." in body
    assert "Time: 08:30" in body
    assert body.count(who) == 2  # two days, two lines – not four
    assert body.index("3 December 2026") < body.index("2 December 2026")  # newest first


def test_a_withdrawn_consent_is_listed(client_for, alice, partner, manager, written):
    consent = give_consent(written, recorded_by=manager, organisation=partner.organisation, sections=["my_story"])
    withdraw_consent(by=alice, consent=consent, young_person_words="I don't want them to read it now.")
    body = _seen(client_for, alice, written).content.decode()
    assert (
        f"Alice Ymarferydd (South Service) recorded that you no longer agree to share with {partner.organisation}."
        in body
    )


def test_short_names_are_explained(client_for, alice, partner, manager, written, at):
    partner.profession = Profession.CAMHS_CLINICIAN
    partner.save()
    give_consent(written, recorded_by=manager, organisation=partner.organisation, sections=["my_story"])
    _partner_reads(partner, written, at, [(9, 14)])
    body = _seen(client_for, alice, written).content.decode()
    assert "CAMHS clinician" in body
    assert "<abbr" in body and "Child and Adolescent Mental Health Services" in body
    assert "National Health Service" not in body  # only the short names on the page


def test_in_welsh_with_welsh_plural_forms_and_names(client_for, alice, partner, manager, written, at):
    partner.profession = Profession.CAMHS_CLINICIAN
    partner.save()
    give_consent(written, recorded_by=manager, organisation=partner.organisation, sections=["my_story"])
    _partner_reads(partner, written, at, [(9, 14), (10, 2)])  # two: the Welsh dual
    _partner_reads(partner, written, at, [(8, 0), (9, 0), (10, 0)], day=3)
    body = _seen(client_for, alice, written, "cy").content.decode()
    who = "Pat Partner (Clinigydd CAMHS, CAMHS Bwrdd Iechyd Prifysgol Caerdydd a&#x27;r Fro)"
    assert f"Ar 2 Rhagfyr 2026, darllenodd {who} eich stori ddwywaith." in body
    assert f"Ar 3 Rhagfyr 2026, darllenodd {who} eich stori 3 gwaith." in body
    assert "Amseroedd: 09:14, 10:02" in body
    assert "Gwasanaethau Iechyd Meddwl Plant a&#x27;r Glasoed" in body
    assert "Cardiff and Vale" not in body


def test_the_page_costs_the_same_queries_however_many_reads(
    client_for, alice, partner, manager, written, at, django_assert_max_num_queries
):
    give_consent(written, recorded_by=manager, organisation=partner.organisation, sections=["my_story"])
    _partner_reads(partner, written, at, [(9, 0)])
    client = client_for(alice)
    with django_assert_max_num_queries(40) as small:
        assert client.get(reverse("assessments:seen", args=[written.pk])).status_code == 200
    _partner_reads(partner, written, at, [(10 + n // 60, n % 60) for n in range(60)], day=4)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("assessments:seen", args=[written.pk]))
    assert "read your story 60 times" in response.content.decode()
