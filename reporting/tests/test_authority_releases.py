"""A region and its authorities are one release (ADR 029): an authority's report is its row of
the region's two-way table, so no difference between the two pages discloses a small number.

Cardiff and Vale (the commissioner's region) has two member authorities, Cardiff and the Vale of
Glamorgan. With 20 young people of Cardiff and 2 of the Vale supported, separate releases showed
the region's 22 and Cardiff's 20 – and so the Vale's 2 – although each release suppressed its own
small numbers."""

from __future__ import annotations

import datetime
import math

import numpy as np
import pytest
from django.urls import reverse
from django.utils import timezone
from scipy.optimize import LinearConstraint, milp

from accounts.models import Organisation, OrganisationType, Role
from accounts.tests.factories import UserFactory
from core.disclosure import MARK
from episodes.models import Episode, EpisodeEvent
from people.tests.factories import ChildFactory
from reporting.filters import Filters
from reporting.forms import fixed_periods
from reporting.queries import AUTHORITY
from reporting.report import internal_report, suppressed_report

pytestmark = pytest.mark.django_db


def _quarter():
    return fixed_periods(timezone.localdate(), complete_only=True)[0]


@pytest.fixture
def cv(db):
    return Organisation.objects.get(code="RPB-CV")


@pytest.fixture
def cardiff(db):
    return Organisation.objects.get(code="W06000015", type=OrganisationType.LOCAL_AUTHORITY)


@pytest.fixture
def vale(db):
    return Organisation.objects.get(code="W06000014", type=OrganisationType.LOCAL_AUTHORITY)


@pytest.fixture
def in_region(south, cv):
    south.region = cv
    south.save()
    return south


def _supported(service, count, by, authority, *, gender="female"):
    day = _quarter().start + datetime.timedelta(days=3)
    for _ in range(count):
        kid = ChildFactory(service=service, gender=gender, responsible_local_authority=authority)
        episode = Episode.objects.create(child=kid, opened_on=day, opened_from="referral", opened_by=by)
        EpisodeEvent.objects.create(episode=episode, kind="opened", on=day, recorded_by=by)


def _supported_release(filters):
    report = suppressed_report(_quarter(), filters, ["young_people_supported"])
    return report.sections[0].release


def test_an_authoritys_figures_cannot_be_subtracted_from_its_regions(in_region, cv, cardiff, vale, alice):
    _supported(in_region, 20, alice, cardiff)
    _supported(in_region, 2, alice, vale)
    # The true counts: what separate releases used to show (Cardiff's own 20).
    own = internal_report(
        _quarter(), Filters(region_id=cv.pk, local_authority_id=cardiff.pk), ["young_people_supported"]
    )
    assert sum(next(iter(own.sections[0].breakdowns.values())).values()) == 20
    region = _supported_release(Filters(region_id=cv.pk))
    assert region.total.value == 22
    # The region's two-way table: the Vale's 2 is hidden, and so is Cardiff's 20 (22 − 20 = 2).
    table = region.tables[0]
    assert table.rows == AUTHORITY
    assert table.row_totals[str(vale.pk)].suppressed and table.row_totals[str(cardiff.pk)].suppressed
    # Cardiff's own report is that row: its total is [c] too, so the region minus Cardiff is nothing.
    view = _supported_release(Filters(local_authority_id=cardiff.pk))
    assert view.total.suppressed
    assert view.total == table.row_totals[str(cardiff.pk)]
    assert all(cell.suppressed for cell in view.breakdowns["service"].values())


def test_an_authoritys_row_shows_when_nothing_small_would_follow(in_region, cv, cardiff, vale, alice):
    _supported(in_region, 20, alice, cardiff)
    _supported(in_region, 9, alice, vale)
    view = _supported_release(Filters(local_authority_id=cardiff.pk))
    assert view.total.value == 20
    assert view.breakdowns["service"] == {str(in_region.pk): view.total}
    region = _supported_release(Filters(region_id=cv.pk))
    assert region.total.value == 29
    # The page's one-way breakdown by authority is the table's margin: the same cells.
    by_authority = suppressed_report(_quarter(), Filters(region_id=cv.pk), ["young_people_supported"],
                                     dimensions=[AUTHORITY]).sections[0].release  # fmt: skip
    assert by_authority.breakdowns[AUTHORITY][str(cardiff.pk)] == view.total
    # …and a breakdown by another dimension does not show the authorities' table as a breakdown.
    by_gender = suppressed_report(_quarter(), Filters(region_id=cv.pk), ["young_people_supported"],
                                  dimensions=["gender"]).sections[0].release  # fmt: skip
    assert AUTHORITY not in by_gender.breakdowns and by_gender.tables


def test_an_authority_with_nobody_shows_zeros_and_one_without_a_region_has_no_report(
    in_region, cv, cardiff, vale, alice
):
    _supported(in_region, 20, alice, cardiff)
    view = _supported_release(Filters(local_authority_id=vale.pk))
    assert view.total.value == 0
    vale.region = None
    vale.save()
    assert suppressed_report(_quarter(), Filters(local_authority_id=vale.pk)).sections == []


def test_every_indicator_by_authority_has_its_table_in_the_regions_release(in_region, cv, cardiff, vale, alice):
    """The two-way table's rows are the indicator counted per authority, those of other regions
    included (a young person of Swansea supported by Cardiff and Vale's service is in Cardiff and
    Vale's release). A count whose parts did not add up would raise."""
    swansea = Organisation.objects.get(code="W06000011")
    _supported(in_region, 7, alice, cardiff)
    _supported(in_region, 6, alice, vale, gender="male")
    _supported(in_region, 5, alice, swansea)
    report = suppressed_report(_quarter(), Filters(region_id=cv.pk))
    with_table = [s for s in report.sections if AUTHORITY in s.indicator.dimensions[1:]]
    assert len(with_table) >= 15
    for section in with_table:
        assert section.release is not None and len(section.release.tables) == 1, section.indicator.code
    supported = next(s for s in with_table if s.indicator.code == "young_people_supported").release
    assert {r: c.value for r, c in supported.tables[0].row_totals.items()} == {
        str(cardiff.pk): 7,
        str(vale.pk): 6,
        str(swansea.pk): 5,
    }
    # The authority's view has only indicators broken down by authority, without headline figures.
    view = suppressed_report(_quarter(), Filters(local_authority_id=vale.pk))
    assert [s.indicator.code for s in view.sections] == [s.indicator.code for s in with_table]
    assert all(not s.figures for s in view.sections)


def test_what_the_region_and_all_its_authorities_show_together_protects_every_hidden_count(
    in_region, north, cv, cardiff, vale, alice, charlie
):
    """The attacker of core/tests/test_releases.py against everything a reader of the region's
    page and every authority's page holds at once: the region's total and breakdowns by service
    and by authority, and each authority's row by service. Integer programming over the people
    cross-classified by authority and service; every [c] can still take at least 5 values."""
    north.region = cv
    north.save()
    _supported(in_region, 12, alice, cardiff)
    _supported(in_region, 2, alice, vale)
    _supported(north, 9, charlie, cardiff)
    _supported(north, 6, charlie, vale)
    authorities = [str(cardiff.pk), str(vale.pk)]
    services = [str(in_region.pk), str(north.pk)]
    truth = {(a, s): 0 for a in authorities for s in services}
    for (a, s), n in {
        (str(cardiff.pk), str(in_region.pk)): 12,
        (str(vale.pk), str(in_region.pk)): 2,
        (str(cardiff.pk), str(north.pk)): 9,
        (str(vale.pk), str(north.pk)): 6,
    }.items():
        truth[(a, s)] = n
    cells = list(truth)
    shown: list[tuple[np.ndarray, object]] = []

    def quantity(pick):
        return np.array([1.0 if pick(c) else 0.0 for c in cells])

    region = suppressed_report(_quarter(), Filters(region_id=cv.pk), ["young_people_supported"]).sections[0].release
    shown.append((quantity(lambda c: True), region.total))
    for s, cell in region.breakdowns["service"].items():
        shown.append((quantity(lambda c, s=s: c[1] == s), cell))
    for a, cell in region.breakdowns[AUTHORITY].items():
        shown.append((quantity(lambda c, a=a: c[0] == a), cell))
    for authority in (cardiff, vale):
        view = _supported_release(Filters(local_authority_id=authority.pk))
        a = str(authority.pk)
        shown.append((quantity(lambda c, a=a: c[0] == a), view.total))
        for s, cell in view.breakdowns["service"].items():
            shown.append((quantity(lambda c, a=a, s=s: c == (a, s)), cell))
    rows, lo, hi, hidden = [], [], [], []
    values = np.array([truth[c] for c in cells])
    for vector, cell in shown:
        if cell.value is None:
            rows.append(vector), lo.append(1), hi.append(np.inf)
            hidden.append(vector)
        else:
            assert cell.value == int(vector @ values)
            rows.append(vector), lo.append(cell.value), hi.append(cell.value)
    assert hidden, "the data must make something small"
    constraints = LinearConstraint(np.array(rows), np.array(lo, dtype=float), np.array(hi, dtype=float))
    for vector in hidden:
        low = milp(vector, constraints=constraints, integrality=np.ones(len(cells)), bounds=(0, np.inf))
        high = milp(-vector, constraints=constraints, integrality=np.ones(len(cells)), bounds=(0, np.inf))
        assert low.status == 0
        largest = -high.fun if high.status == 0 else math.inf
        assert largest - low.fun >= 4, vector  # at least 5 whole numbers


def test_an_authority_commissioners_page_shows_its_row_and_no_headline_figures(
    client_for, in_region, cv, cardiff, vale, alice
):
    _supported(in_region, 20, alice, cardiff)
    _supported(in_region, 2, alice, vale)
    commissioner = UserFactory(username="cardiff-commissioner", organisation=cardiff, role=Role.COMMISSIONER)
    body = client_for(commissioner).get(reverse("reporting:area"), {"period": _quarter().code}).content.decode()
    start = body.index('id="ind-young_people_supported"')
    section = body[start : body.index("</section>", start)]
    assert MARK in section and ">20<" not in section
    assert "Key figures beyond the counts are published for the region" in body


def test_a_regions_trend_needs_no_authority_table_and_shows_the_same_totals(in_region, cv, cardiff, vale, alice):
    """Trends show each quarter's totals only; a total's decision is its own, so the region's
    trend is computed without the authorities' table – and shows what the full release shows."""
    _supported(in_region, 20, alice, cardiff)
    _supported(in_region, 2, alice, vale)
    full = suppressed_report(_quarter(), Filters(region_id=cv.pk))
    trend = suppressed_report(_quarter(), Filters(region_id=cv.pk), dimensions=[], with_figures=False)
    for whole, totals in zip(full.sections, trend.sections, strict=True):
        if whole.release is None:
            continue
        assert totals.release is not None and not totals.release.tables, whole.indicator.code
        assert totals.release.total == whole.release.total, whole.indicator.code
    # An authority's trend is still its row of the region's table (its total's decision is the table's).
    view = suppressed_report(_quarter(), Filters(local_authority_id=cardiff.pk), dimensions=[], with_figures=False)
    supported = next(s.release for s in view.sections if s.indicator.code == "young_people_supported")
    assert supported is not None and supported.total.suppressed  # 20 of 22: the Vale's 2 would follow
