"""The ``nest_maturity`` indicator: each service's latest completed round, worked out by hand."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Organisation
from accounts.tests.factories import UserFactory
from reporting.filters import Filters
from reporting.periods import custom
from reporting.queries import INDICATORS
from reporting.queries._common import Stat
from reporting.queries.nest import maturity_figures, statements_by_level
from selfassess import services
from selfassess.tests.conftest import completed_round

YEAR = custom(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
LATER = {"nurturing": 2, "empowering": 3, "safe": 4, "trusted": 2, "long-term-transitions": 2,
         "welsh-language": 3, "outcomes": 1}  # fmt: skip


@pytest.fixture
def rounds(south, north, manager, framework):
    north_manager = UserFactory(username="north-manager", organisation=north, role="service_manager")
    completed_round(south, manager, datetime.date(2026, 3, 1), 1)
    completed_round(south, manager, datetime.date(2026, 9, 1), LATER)
    services.start_round(by=manager, service=south, assessed_on=datetime.date(2026, 10, 1))  # a draft: not counted
    completed_round(north, north_manager, datetime.date(2026, 5, 1), 4)


def test_the_indicator_is_registered_and_says_the_young_persons_filters_do_not_apply():
    indicator = INDICATORS["nest_maturity"]
    assert "Only the service and region filters apply" in str(indicator.period_rule)
    assert indicator.dimensions == ("level", "domain")


def test_one_service_latest_completed_round(rounds, south):
    only_south = Filters(service_id=south.pk)
    # Later round: 2 statements per domain at 2, 3, 4, 2, 2, 3, 1.
    assert statements_by_level(YEAR, only_south) == {"1": 2, "2": 6, "3": 4, "4": 2}
    figures = maturity_figures(YEAR, only_south)
    assert figures["services"] == 1
    assert figures["mean_all"] == Stat(pytest.approx(34 / 14), 14)
    assert figures["mean_safe"] == Stat(4.0, 2) and figures["mean_outcomes"] == Stat(1.0, 2)
    # A period ending before September: the March round, every statement at 1.
    spring = custom(datetime.date(2026, 1, 1), datetime.date(2026, 6, 30))
    assert statements_by_level(spring, only_south) == {"1": 14}
    assert statements_by_level(spring, only_south, "domain")["welsh-language"] == 2


def test_all_services_and_a_region(rounds, north):
    assert statements_by_level(YEAR, Filters()) == {"1": 2, "2": 6, "3": 4, "4": 16}
    figures = maturity_figures(YEAR, Filters())
    assert figures["services"] == 2
    assert figures["mean_all"] == Stat(pytest.approx((34 + 56) / 28), 28)
    north.region = Organisation.objects.get(code="RPB-CV")
    north.save()
    region = Filters(region_id=north.region_id)
    assert statements_by_level(YEAR, region) == {"4": 14}
    # The young person's filters do not narrow a self-assessment.
    assert statements_by_level(YEAR, Filters(region_id=north.region_id, age_band="11-15", language="cy")) == {"4": 14}


def test_labels_name_domains_and_levels_from_the_data(framework):
    from django.utils import translation

    labels = INDICATORS["nest_maturity"].labels
    with translation.override("cy"):
        assert str(labels["mean_welsh-language"]) == "Lefel gymedrig: Y Gymraeg"
        assert str(labels["3"]) == "3. Wedi'i sefydlu"
    assert str(labels["services"]) == "Services with a completed self-assessment"


def test_queries_do_not_grow_with_rounds(south, manager, framework):
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            statements_by_level(YEAR, Filters())
            maturity_figures(YEAR, Filters())
        return len(captured)

    completed_round(south, manager, datetime.date(2026, 1, 5), 1)
    before = count()
    for month in (2, 3, 4):
        completed_round(south, manager, datetime.date(2026, month, 5), 2)
    assert count() == before == 3
