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


def test_labels_name_domains_and_levels_from_the_data(rounds, south):
    from django.utils import translation

    from reporting import labels
    from reporting.pages import build_internal
    from reporting.report import internal_report

    indicator = INDICATORS["nest_maturity"]
    report = internal_report(YEAR, Filters(service_id=south.pk), ["nest_maturity"])
    with translation.override("cy"):
        page = build_internal(report, [])
    figures = dict((label, shown.text) for label, shown in page.sections[0].figures)
    assert "Lefel gymedrig: Y Gymraeg" in figures
    by_level = dict(page.sections[0].tables[0].rows)
    assert "3. Wedi'i sefydlu" in by_level and "1. Dechrau" in by_level
    by_domain = [label for label, _shown in page.sections[0].tables[1].rows]
    assert "Y Gymraeg" in by_domain and "welsh-language" not in by_domain
    assert labels.figure_label(indicator, "services", {}) == "Services with a completed self-assessment"


def _small_framework() -> None:
    """A service's own framework: one domain of one statement, two levels (loaded, now current)."""
    from selfassess.framework_data import STARTING
    from selfassess.loader import load
    from selfassess.models import Domain, Framework, Level, Statement

    first = STARTING["domains"][0]
    data = {
        **STARTING,
        "code": "small",
        "version": "1",
        "levels": STARTING["levels"][:2],
        "domains": [{**first, "statements": first["statements"][:1]}],
    }
    load(data, framework_model=Framework, domain_model=Domain, statement_model=Statement, level_model=Level)


def test_naming_a_report_costs_the_same_queries_however_many_domains_and_levels_it_shows(
    south, north, manager, framework
):
    """One query for the domains' names and one for the levels', not one per label shown."""
    from reporting.exports import report_lines
    from reporting.pages import build_internal, build_suppressed
    from reporting.periods import year
    from reporting.report import internal_report, suppressed_report

    north_manager = UserFactory(username="north-manager", organisation=north, role="service_manager")
    completed_round(south, manager, datetime.date(2026, 9, 1), LATER)  # 7 domains, 4 levels
    _small_framework()
    completed_round(north, north_manager, datetime.date(2026, 9, 1), 1)  # 1 domain, 1 level

    def naming(service) -> tuple[int, list[str]]:
        only = Filters(service_id=service.pk)
        internal = internal_report(YEAR, only, ["nest_maturity"])
        suppressed = suppressed_report(year(2026), only, ["nest_maturity"])
        with CaptureQueriesContext(connection) as captured:
            page = build_internal(internal, [])
            build_suppressed(suppressed, [])
            lines = report_lines(suppressed)
        shown = [label for table in page.sections[0].tables for label, _shown in table.rows]
        shown += [label for label, _shown in page.sections[0].figures]
        assert not any(line.category.startswith("mean_") for line in lines)
        return len(captured), shown

    many_queries, many = naming(south)
    few_queries, few = naming(north)
    assert len(many) == 4 + 7 + 2 + 7 and len(few) == 1 + 1 + 2 + 1
    # Each of the three namers: domains once, levels once; the file's cover names the service once.
    assert many_queries == few_queries == 3 * 2 + 1


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
