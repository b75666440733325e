"""The reporting pages per audience: what each sees, suppression, audit, Welsh, query counts.

Data is built around the newest complete quarter (what a commissioner's page opens on), so
the tests hold whatever day they run on."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation, Role
from accounts.tests.factories import UserFactory
from audit.models import Action, AuditEvent
from episodes.models import Episode, EpisodeEvent
from people.tests.factories import CareTeamFactory, ChildFactory
from reporting.forms import fixed_periods

pytestmark = pytest.mark.django_db


def _quarter():
    return fixed_periods(timezone.localdate(), complete_only=True)[0]


@pytest.fixture
def cv(db):
    return Organisation.objects.get(code="RPB-CV")


@pytest.fixture
def wg(db):
    return Organisation.objects.get(code="RPB-WG")


@pytest.fixture
def regions(south, north, cv, wg):
    """South is in Cardiff and Vale (the commissioner's region); North in West Glamorgan."""
    south.region, north.region = cv, wg
    south.save()
    north.save()


def _supported(service, count: int, by, *, gender: str = "female", caseload=None, family: str = "Testname"):
    """``count`` young people of ``service`` with an episode opened early in the quarter."""
    day = _quarter().start + datetime.timedelta(days=3)
    kids = []
    for i in range(count):
        kid = ChildFactory(service=service, gender=gender, family_name=f"{family}{i}")
        episode = Episode.objects.create(child=kid, opened_on=day, opened_from="referral", opened_by=by)
        EpisodeEvent.objects.create(episode=episode, kind="opened", on=day, recorded_by=by)
        if caseload is not None:
            CareTeamFactory(child=kid, user=caseload, role="lead")
        kids.append(kid)
    return kids


def _supported_section(body: str) -> str:
    """The "Young people supported" section of a page."""
    start = body.index('id="ind-young_people_supported"')
    return body[start : body.index("</section>", start)]


def _table_rows(body: str, caption: str) -> list[tuple[str, str]]:
    """(label, number as shown) for each row of the table with this caption."""
    start = body.index(caption + "</caption>")
    table = body[start : body.index("</tbody>", start)]
    rows = re.findall(r'<th scope="row"[^>]*>(.*?)</th><td[^>]*>(.*?)</td>', table, flags=re.S)
    return [(label, re.sub(r"<span.*?</span>|<[^>]+>", "", shown).strip()) for label, shown in rows]


def _headline(body: str, title: str) -> str:
    """The key figure shown for ``title`` in the headline panel."""
    panel = body[body.index("nyth-headline") :]
    match = re.search(re.escape(title) + r'</dt>\s*<dd class="govuk-summary-list__value">(.*?)</dd>', panel, flags=re.S)
    assert match, title
    return re.sub(r"<span.*?</span>|<[^>]+>", "", match.group(1)).strip()


# --- Commissioners ------------------------------------------------------------------------------


def test_a_commissioner_sees_their_region_only_suppressed_and_never_a_record(
    client_for, commissioner, regions, south, north, alice, charlie
):
    # Cardiff and Vale: 6 girls and 1 boy supported; West Glamorgan: 20 more, not theirs.
    _supported(south, 6, alice, family="Prydderch")
    _supported(south, 1, alice, gender="male", family="Bowen")
    _supported(north, 20, charlie, family="Gogledd")
    response = client_for(commissioner).get(reverse("reporting:area"), {"period": _quarter().code, "by": "gender"})
    assert response.status_code == 200
    body = response.content.decode()
    # 7 in their region (not 27): the total is shown, the one boy is [c] and so is the girls'
    # count (secondary: 7 − 6 would give him away).
    assert _headline(body, "Young people supported") == "7"
    rows = _table_rows(body, "Young people supported, by gender")
    assert [shown for _, shown in rows] == ["[c]", "[c]"]
    assert "fewer than 5: not shown so nobody can be identified" in _supported_section(body)
    assert "/children/" not in body and "Prydderch" not in body and "Gogledd" not in body
    assert "[c]: fewer than 5" in body  # the threshold note (core.disclosure.note)


def test_a_commissioner_gets_nothing_of_a_region_they_do_not_cover(
    client_for, commissioner, regions, wg, north, charlie
):
    _supported(north, 20, charlie)
    client = client_for(commissioner)
    assert (
        client.get(reverse("reporting:area"), {"period": _quarter().code, "area": f"region-{wg.pk}"}).status_code == 404
    )
    swansea = Organisation.objects.get(code="W06000011")
    assert client.get(reverse("reporting:area"), {"area": f"la-{swansea.pk}"}).status_code == 404
    # …and so are the service's and practitioners' pages, and custom ranges are not offered.
    assert client.get(reverse("reporting:service")).status_code == 404
    assert client.get(reverse("reporting:caseload")).status_code == 404
    response = client.get(reverse("reporting:area"), {"period": "custom"})
    assert response.status_code == 200 and "govuk-error-summary" in response.content.decode()
    assert not AuditEvent.objects.filter(actor=commissioner, detail__page="report").exists()


def test_a_health_boards_commissioner_sees_its_region_only_and_nothing_identifiable(
    client_for, regions, cv, wg, south, north, alice, charlie
):
    """Cardiff and Vale University Health Board's area is the Cardiff and Vale region: the same
    page as the region's board, never West Glamorgan's figures, never a record."""
    health_board = UserFactory(
        username="hb-commissioner", role=Role.COMMISSIONER, organisation=Organisation.objects.get(code="7A4")
    )
    _supported(south, 6, alice, family="Prydderch")
    _supported(north, 20, charlie, family="Gogledd")
    client = client_for(health_board)
    assert client.get(reverse("reporting:index"))["Location"] == reverse("reporting:area")
    response = client.get(reverse("reporting:area"), {"period": _quarter().code})
    assert response.status_code == 200
    body = response.content.decode()
    assert _headline(body, "Young people supported") == "6"  # South's 6, not North's 20
    assert "/children/" not in body and "Prydderch" not in body and "Gogledd" not in body
    assert (
        client.get(reverse("reporting:area"), {"period": _quarter().code, "area": f"region-{wg.pk}"}).status_code == 404
    )
    swansea = Organisation.objects.get(code="W06000011")  # West Glamorgan's
    assert client.get(reverse("reporting:area"), {"area": f"la-{swansea.pk}"}).status_code == 404
    assert client.get(reverse("reporting:service")).status_code == 404
    event = AuditEvent.objects.get(actor=health_board, detail__page="report")
    assert event.detail["audience"] == "commissioner"


def test_a_commissioner_cannot_narrow_a_release_to_undo_its_suppression(
    client_for, commissioner, regions, south, north, alice
):
    """6 girls and 1 boy: the girls' 6 is hidden (secondary) by gender. Filtering to girls
    would show a total of 6 and give the boy away (7 − 6), so a commissioner has no such
    filter: the parameter is ignored and the page is the whole area's."""
    _supported(south, 6, alice)
    _supported(south, 1, alice, gender="male")
    client = client_for(commissioner)
    for narrowing in ({"gender": "female"}, {"service": str(south.pk)}, {"age_band": "11-15"}):
        body = client.get(reverse("reporting:area"), {"period": _quarter().code, **narrowing}).content.decode()
        assert _headline(body, "Young people supported") == "7", narrowing
        assert 'id="id_gender"' not in body and 'id="id_service"' not in body
    event = AuditEvent.objects.filter(actor=commissioner, detail__page="report").last()
    assert "gender" not in event.detail


def test_a_commissioner_gets_complete_periods_only():
    today = datetime.date(2026, 12, 7)
    complete = fixed_periods(today, complete_only=True)
    assert all(p.end < today and p.fixed for p in complete)
    assert complete[0].code == "2026Q2"  # July to September 2026; Q3 is still running
    staff = fixed_periods(today, complete_only=False)
    assert staff[0].code == "2026Q3"


def test_a_small_region_total_is_withheld_whole(client_for, commissioner, regions, south, alice):
    _supported(south, 3, alice)
    body = client_for(commissioner).get(reverse("reporting:area"), {"period": _quarter().code}).content.decode()
    assert _headline(body, "Young people supported") == "[c]"
    # Its breakdown is withheld whole: a sentence, not a grid of [c].
    assert "This table is not shown: there are too few young people" in _supported_section(body)
    assert "Young people supported, by service</caption>" not in body


def test_a_commissioner_page_view_is_audited_with_the_period_and_filters(client_for, commissioner, regions, cv):
    quarter = _quarter().code
    client_for(commissioner).get(reverse("reporting:area"), {"period": quarter, "by": "age_band"})
    event = AuditEvent.objects.get(actor=commissioner, action=Action.VIEW, detail__page="report")
    assert event.child_id is None and event.object_id == ""
    assert event.detail["audience"] == "commissioner" and event.detail["period"] == quarter
    assert event.detail["by"] == "age_band"
    assert event.detail["area"] == f"region-{cv.pk}"


def test_the_commissioner_page_renders_in_welsh(client_for, commissioner, regions, south, alice):
    _supported(south, 7, alice)
    response = client_for(commissioner).get("/cy" + reverse("reporting:area")[3:], {"period": _quarter().code})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'lang="cy"' in body
    assert "Ffigurau allweddol" in body  # "Key figures"
    assert "Bwrdd Partneriaeth Rhanbarthol Caerdydd a'r Fro" in body or "Caerdydd a&#x27;r Fro" in body


# --- The service's own people -------------------------------------------------------------------


def test_a_manager_sees_their_service_unsuppressed(client_for, manager, regions, south, north, alice, charlie):
    _supported(south, 3, alice)
    _supported(north, 9, charlie)
    body = client_for(manager).get(reverse("reporting:service"), {"period": _quarter().code}).content.decode()
    assert _headline(body, "Young people supported") == "3"  # small numbers shown: their own service
    assert _table_rows(body, "Young people supported, by service") == [("South Service", "3")]
    assert "[c]" not in _supported_section(body)
    assert "Testname" not in body  # figures only: no young person is named


def test_a_manager_may_choose_a_range_of_dates(client_for, manager, regions, south, alice):
    _supported(south, 2, alice)
    start = _quarter().start
    end = start + datetime.timedelta(days=10)
    params = {"period": "custom", "start_day": start.day, "start_month": start.month, "start_year": start.year,
              "end_day": end.day, "end_month": end.month, "end_year": end.year}  # fmt: skip
    response = client_for(manager).get(reverse("reporting:service"), params)
    body = response.content.decode()
    assert _headline(body, "Young people supported") == "2"
    event = AuditEvent.objects.get(actor=manager, detail__page="report")
    assert event.detail["period"] == f"{start.isoformat()}..{end.isoformat()}"
    # A range that ends before it starts is a clear error, and what was typed is kept.
    params["end_year"] = start.year - 1
    body = client_for(manager).get(reverse("reporting:service"), params).content.decode()
    assert "The end of the range must be on or after its start" in body
    assert f'value="{start.year - 1}"' in body


def test_a_practitioner_sees_their_caseload_only(client_for, alice, bob, regions, south):
    _supported(south, 2, alice, caseload=alice)
    _supported(south, 5, alice, caseload=bob)
    body = client_for(alice).get(reverse("reporting:caseload"), {"period": _quarter().code}).content.decode()
    assert _headline(body, "Young people supported") == "2"
    assert client_for(alice).get(reverse("reporting:service")).status_code == 404
    assert client_for(alice).get(reverse("reporting:area")).status_code == 404


def test_reports_lead_each_audience_to_their_page_and_others_nowhere(
    client_for, commissioner, manager, alice, duty, partner, administrator
):
    expected = {commissioner: "reporting:area", manager: "reporting:service", alice: "reporting:caseload"}
    for user, name in expected.items():
        assert client_for(user).get(reverse("reporting:index"))["Location"] == reverse(name)
    for nobody in (duty, partner, administrator):
        client = client_for(nobody)
        for name in ("reporting:index", "reporting:area", "reporting:service", "reporting:caseload"):
            assert client.get(reverse(name)).status_code == 404, (nobody.username, name)


def test_every_indicator_has_a_table_chart_and_definition(client_for, manager, regions, south, alice):
    from reporting.queries import INDICATORS

    _supported(south, 6, alice)
    body = (
        client_for(manager)
        .get(reverse("reporting:service"), {"period": _quarter().code, "by": "gender"})
        .content.decode()
    )
    for indicator in INDICATORS.values():
        assert f'id="ind-{indicator.code}"' in body
        assert str(indicator.numerator) in body.replace("&#x27;", "'")
    assert body.count('class="nyth-chart"') >= len(INDICATORS)
    assert "<script" not in body.split("<main", 1)[1].split("</main>", 1)[0]
    assert "Trends over quarters" in body


# --- Query counts constant in the data size -----------------------------------------------------


@pytest.mark.parametrize("persona", ["commissioner", "manager", "alice"])
def test_query_counts_do_not_grow_with_the_data(client_for, request, persona, regions, south, alice):
    user = request.getfixturevalue(persona)
    name = {"commissioner": "reporting:area", "manager": "reporting:service", "alice": "reporting:caseload"}[persona]
    client = client_for(user)
    params = {"period": _quarter().code, "by": "local_authority"}

    def cost() -> int:
        with CaptureQueriesContext(connection) as run:
            assert client.get(reverse(name), params).status_code == 200
        return len(run)

    _supported(south, 1, alice, caseload=alice)
    client.get(reverse(name), params)  # warm: sessions, caches
    small = cost()
    _supported(south, 12, alice, caseload=alice, gender="male")
    assert cost() == small
