"""Help now from one source: every page that gives the help-now numbers renders the managers'
``HelpLine`` rows through one tag (myspace.helpnow), 999 always first; and Help now lists the
service directory's out-of-hours entries for the young person (or the carer's young person)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import OrganisationFactory, UserFactory
from consent import services as consent_services
from myspace.models import HelpLine, SpaceAccount
from outcomes.tests.test_feedback import send_public
from referrals.models import DirectoryService

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def young_person(child, alice):
    child.date_of_birth = TODAY() - datetime.timedelta(days=14 * 366)  # 14
    child.save()
    user = UserFactory(username="sion", first_name="Siôn", last_name="", organisation=None, role=Role.YOUNG_PERSON)
    SpaceAccount.objects.create(user=user, child=child, created_by=alice)
    return user


def _pages(south, client_for, young_person) -> dict[str, str]:
    """Every page that shows the help-now numbers, as its body."""
    signed_in = client_for(young_person)
    public = Client()
    return {
        "help now": public.get(reverse("myspace:help")).content.decode(),
        "get help": signed_in.get(reverse("myspace:help_me")).content.decode(),
        "feedback": public.get(reverse("public_feedback_form", args=[south.code, "young-person"])).content.decode(),
        "feedback sent": public.get(reverse("public_feedback_sent", args=[south.code])).content.decode(),
    }


def test_every_page_shows_the_managers_numbers_not_its_own(south, client_for, young_person):
    HelpLine.objects.filter(name_en="Childline").update(phone="0800 2222")
    HelpLine.objects.create(
        name_en="Demo line", name_cy="Llinell demo", what_en="A line.", what_cy="Llinell.", phone="0800 000 999",
        citation="https://example.org/", order=9,
    )  # fmt: skip
    for name, body in _pages(south, client_for, young_person).items():
        assert 'href="tel:999"' in body, name
        assert "0800 2222" in body and 'href="tel:08002222"' in body, name
        assert "0800 1111" not in body, name  # no copy of the old number anywhere
        assert "0800 000 999" in body and "116 123" in body and "0808 164 0123" in body, name
        assert body.index('href="tel:999"') < body.index("0800 2222"), name


def test_the_too_many_answers_page_uses_the_same_lines(south, settings):
    settings.NYTH_FEEDBACK_PER_HOUR = 1
    HelpLine.objects.filter(name_en="Meic").update(phone="080880 99999")
    client = Client()
    assert send_public(client, south).status_code == 302
    response = send_public(client, south)
    body = response.content.decode()
    assert response.status_code == 429
    assert "080880 99999" in body and "080880 23456" not in body and 'href="tel:999"' in body


def test_with_no_lines_every_page_still_says_call_999(south, client_for, young_person):
    HelpLine.objects.all().delete()
    for name, body in _pages(south, client_for, young_person).items():
        assert 'href="tel:999"' in body and "If you need help now and it cannot wait, call 999." in body, name
        assert "Talk to someone now" not in body, name


def test_a_line_changed_by_a_manager_shows_at_once(client_for, manager):
    client = Client()
    assert "0800 1111" in client.get(reverse("myspace:help")).content.decode()  # now kept in memory
    line = HelpLine.objects.get(name_en="Childline")
    data = {f: getattr(line, f) for f in ("name_en", "name_cy", "what_en", "what_cy", "phone", "text_number",
                                          "welsh_phone", "citation", "order")} | {"is_active": "on", "phone": "0800 3333"}  # fmt: skip
    assert client_for(manager).post(reverse("space_access:help_line_edit", args=[line.pk]), data).status_code == 302
    body = client.get(reverse("myspace:help")).content.decode()
    assert "0800 3333" in body and "0800 1111" not in body


def test_the_public_pages_read_the_lines_once_not_on_every_request(south):
    client = Client()
    url = reverse("public_feedback_form", args=[south.code, "young-person"])

    def line_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return sum("myspace_helpline" in q["sql"] for q in queries.captured_queries)

    assert line_queries() == 1
    assert [line_queries() for _ in range(3)] == [0, 0, 0]
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("public_feedback_sent", args=[south.code]))
    assert not any("myspace_helpline" in q["sql"] for q in queries.captured_queries)


def test_the_lines_in_welsh():
    body = Client().get("/cy/my/help/").content.decode()
    assert "Help a chyngor i blant a phobl ifanc yng Nghymru" in body  # Meic's purpose, from its row
    assert "Os ydych chi mewn perygl nawr, ffoniwch" in body


# --- The service's out-of-hours entries ------------------------------------------------------


def _entry(name: str, **overrides) -> DirectoryService:
    values = {
        "name_en": name, "name_cy": f"{name} (cy)", "offer_en": f"What {name} offers.", "offer_cy": f"Cynnig {name}.",
        "welsh_provision": "full", "referral_route_en": "Phone.", "referral_route_cy": "Ffoniwch.",
        "out_of_hours": True, "phone": "01000 000001", "min_age": 11, "max_age": 25,
    } | overrides  # fmt: skip
    areas = values.pop("areas", [])
    entry = DirectoryService.objects.create(**values)
    entry.areas.set(areas)
    return entry


@pytest.fixture
def entries(child, south):
    elsewhere = OrganisationFactory(code="LA-ELSE", type="local_authority")
    return {
        "all wales": _entry("Crisis line for all Wales"),
        "their area": _entry("Crisis line in their area", areas=[child.responsible_local_authority]),
        "their service": _entry("Their service evening line", organisation=south, areas=[elsewhere]),
        "another area": _entry("Crisis line elsewhere", areas=[elsewhere]),
        "day only": _entry("Daytime drop-in", out_of_hours=False),
        "too old": _entry("Line for under 11s", min_age=0, max_age=10),
        "not listed": _entry("Closed line", is_active=False),
    }


SHOWN = ("all wales", "their area", "their service")


def test_help_now_lists_the_out_of_hours_entries_for_the_young_person(client_for, young_person, entries):
    body = client_for(young_person).get(reverse("myspace:help")).content.decode()
    for key, entry in entries.items():
        assert (entry.name_en in body) == (key in SHOWN), key
    assert "What Crisis line in their area offers." in body and 'href="tel:01000000001"' in body
    assert body.index("Samaritans") < body.index("Crisis line for all Wales")  # the national lines first


def test_the_entries_in_welsh(client_for, young_person, entries):
    body = client_for(young_person).get("/cy/my/help/").content.decode()
    assert "Crisis line for all Wales (cy)" in body and "Cynnig Crisis line for all Wales." in body


def test_signed_out_help_now_lists_no_entries(entries):
    body = Client().get(reverse("myspace:help")).content.decode()
    assert "0800 1111" in body
    assert not any(entry.name_en in body for entry in entries.values())


def _carer(child, alice):
    person = child.related_people.get()
    child.placements.get().carers.add(person)
    user = UserFactory(username="sioned", first_name="Sioned", organisation=None, role=Role.CARER)
    SpaceAccount.objects.create(user=user, child=child, related_person=person, created_by=alice)
    values = {
        "items": ["plan"], "recipient_kind": "person", "recipient_person": person, "purposes": ["support_at_home"],
        "decider": "young_person", "competence_judgement": "Understands.", "young_person_views": "Yes.",
        "how_given": "in_person", "given_on": TODAY(), "lawful_basis": "health_social_care",
    }  # fmt: skip
    consent = consent_services.record_consent(by=alice, child=child, values=values)
    return user, consent


def test_the_carer_sees_the_entries_for_their_young_person_while_shared(
    client_for, young_person, child, alice, entries
):
    user, consent = _carer(child, alice)
    client = client_for(user)
    home = client.get(reverse("myspace:home")).content.decode()
    assert f'href="{reverse("myspace:help")}"' in home  # the carer's home links to Help now
    body = client.get(reverse("myspace:help")).content.decode()
    for key, entry in entries.items():
        assert (entry.name_en in body) == (key in SHOWN), key
    consent_services.withdraw_consent(by=alice, consent=consent, note="Withdrawn in a test.")
    body = client.get(reverse("myspace:help")).content.decode()
    assert "0800 1111" in body and not any(entry.name_en in body for entry in entries.values())
