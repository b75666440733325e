"""The Active Offer and the language used, on small hand-made data (expected figures here)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from contacts.models import Contact
from episodes.models import Episode, EpisodeEvent
from people.tests.factories import ChildFactory
from referrals.tests.factories import ReferralFactory
from reporting import periods
from reporting.filters import Filters
from reporting.queries import INDICATORS, Share
from reporting.queries.welsh import (
    contacts_by_language,
    offer_at_referral,
    offer_to_young_people,
    young_people_by_language,
)
from reporting.report import internal_report, suppressed_report

pytestmark = pytest.mark.django_db
D = datetime.date
Q1 = periods.quarter(2026, 1)  # 1 April to 30 June 2026
CODES = ["active_offer_referrals", "active_offer_young_people", "language_of_young_people", "contact_language"]


def at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def supported(child, by, opened=None, closed=None):
    opened = opened or D(2025, 9, 1)
    e = Episode.objects.create(child=child, opened_on=opened, opened_from="referral", opened_by=by,
                               status="closed" if closed else "open")  # fmt: skip
    EpisodeEvent.objects.create(episode=e, kind="opened", on=opened, recorded_by=by)
    if closed:
        EpisodeEvent.objects.create(episode=e, kind="closed", on=closed, recorded_by=by)


def contact(child, by, day, language, attendance="attended"):
    Contact.objects.create(child=child, kind="individual", attendance=attendance, starts_at=at(day), practitioner=by,
                           recorded_by=by, idempotency_key=f"{child.pk}{day}{language}", duration_minutes=50,
                           language=language, location="school")  # fmt: skip


@pytest.fixture
def data(south, alice):
    for made, day in [(True, D(2026, 4, 10)), (False, D(2026, 5, 1)), (True, D(2026, 6, 2)), (True, D(2026, 7, 1))]:
        ReferralFactory(service=south, active_offer_made=made, received_at=at(day))
    kids = {}
    for name, offer, when, language in [
        ("a", "welsh", D(2026, 4, 1), "cy"),
        ("b", "english", D(2026, 7, 15), "en"),  # made after the quarter: not made by its end
        ("c", "both", None, "cy"),  # an answer without a date counts as made
        ("d", "not_made", None, "en"),
        ("e", "no_answer", D(2026, 5, 1), "other"),
    ]:
        kids[name] = ChildFactory(
            service=south, active_offer=offer, active_offer_date=when, preferred_language=language
        )
        supported(kids[name], alice)
    # Support closed before the quarter: not counted.
    gone = ChildFactory(service=south, active_offer="welsh", active_offer_date=D(2025, 1, 1), preferred_language="cy")
    supported(gone, alice, D(2025, 1, 1), D(2026, 3, 1))
    contact(kids["a"], alice, D(2026, 4, 10), "cy")
    contact(kids["a"], alice, D(2026, 5, 1), "bilingual")
    contact(kids["a"], alice, D(2026, 5, 5), "cy", attendance="did_not_attend")
    contact(kids["b"], alice, D(2026, 6, 1), "en")
    contact(kids["b"], alice, D(2026, 7, 1), "en")  # next quarter
    contact(gone, alice, D(2026, 2, 1), "cy")  # last quarter
    return kids


def test_the_active_offer_at_referral(data):
    assert offer_at_referral(Q1, Filters()) == {"made": 2, "not_made": 1}
    assert INDICATORS["active_offer_referrals"].figures(Q1, Filters())["offer_made"] == Share(2, 3)
    assert offer_at_referral(Q1, Filters(), "route") == {"staff": 3}


def test_the_active_offer_to_young_people_as_it_stood_at_the_end_of_the_period(data):
    assert offer_to_young_people(Q1, Filters()) == {"welsh": 1, "not_made": 2, "both": 1, "no_answer": 1}
    figures = INDICATORS["active_offer_young_people"].figures(Q1, Filters())
    assert figures == {"supported": 5, "offer_made": Share(3, 5), "chose_welsh": Share(2, 3)}
    # In the next quarter B's offer (15 July) has been made.
    assert offer_to_young_people(periods.quarter(2026, 2), Filters())["english"] == 1


def test_the_language_used(data):
    assert young_people_by_language(Q1, Filters()) == {"cy": 2, "en": 2, "other": 1}
    assert INDICATORS["language_of_young_people"].figures(Q1, Filters())["prefer_welsh"] == Share(2, 5)
    assert contacts_by_language(Q1, Filters()) == {"cy": 1, "bilingual": 1, "en": 1}
    assert INDICATORS["contact_language"].figures(Q1, Filters()) == {"contacts": 3, "in_welsh": Share(2, 3)}
    assert contacts_by_language(Q1, Filters(language="cy")) == {"cy": 1, "bilingual": 1}


def test_every_breakdown_from_one_query_as_one_count_each(data, north, alice):
    """``count_many`` (ADR 028): one query, the same partitions as ``count`` for each dimension;
    here with a second service and filters so that the partitions are not all one category."""
    kid = ChildFactory(service=north, active_offer="english", preferred_language="en", gender="male")
    supported(kid, alice)
    contact(kid, alice, D(2026, 5, 3), "other")
    ReferralFactory(service=north, child=kid, route="public", active_offer_made=True, received_at=at(D(2026, 5, 3)))
    for filters in (Filters(), Filters(language="cy"), Filters(service_id=data["a"].service_id)):
        for code in CODES:
            indicator = INDICATORS[code]
            assert indicator.count_many is not None, code
            one_each = {d: indicator.count(Q1, filters, d) for d in indicator.dimensions}
            with CaptureQueriesContext(connection) as ran:
                together = indicator.count_many(Q1, filters, indicator.dimensions)
            assert len(ran) == 1, code
            assert together == one_each, (code, filters)
    south = Filters(service_id=data["a"].service_id)
    assert INDICATORS["active_offer_referrals"].breakdowns(Q1, south, ["offer", "route"]) == {
        "offer": {"made": 2, "not_made": 1},
        "route": {"staff": 3},
    }


def test_the_queries_do_not_grow_with_the_data(data, south, alice):
    def cost() -> list[int]:
        found = []
        for code in CODES:
            indicator = INDICATORS[code]
            with CaptureQueriesContext(connection) as ran:
                indicator.count(Q1, Filters(), indicator.dimensions[0])
                indicator.figures(Q1, Filters())
            found.append(len(ran))
        return found

    small = cost()
    for day in range(1, 7):
        kid = ChildFactory(service=south, active_offer="welsh", preferred_language="cy")
        supported(kid, alice)
        contact(kid, alice, D(2026, 4, day), "cy")
        ReferralFactory(service=south, active_offer_made=True, received_at=at(D(2026, 4, day)))
    assert cost() == small


def test_both_reports_carry_the_welsh_indicators_defined_in_both_languages(data):
    report = {s.indicator.code: s for s in suppressed_report(Q1, Filters(), CODES).sections}
    # Five young people (shown); each answer (1, 2, 1, 1) is small and suppressed; 3 of 5 too.
    young_people = report["active_offer_young_people"]
    assert str(young_people.release.total) == "5"
    assert all(cell.suppressed for cell in young_people.release.breakdowns["offer"].values())
    assert young_people.figures["offer_made"].value is None
    assert report["active_offer_referrals"].release.total.suppressed  # 3 referrals
    internal = {s.indicator.code: s for s in internal_report(Q1, Filters(), CODES).sections}
    assert internal["language_of_young_people"].breakdowns["language"] == {"cy": 2, "en": 2, "other": 1}
    assert internal["contact_language"].figures["in_welsh"] == Share(2, 3)
    for code in CODES:
        indicator = INDICATORS[code]
        for part in (indicator.title, indicator.numerator, indicator.denominator, indicator.period_rule):
            english = str(part)
            with translation.override("cy"):
                assert str(part) != english, english
