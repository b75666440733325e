"""Each indicator on small hand-made data, with the expected figure worked out here; periods;
filters; and a commissioner's release is suppressed and fixed-period only."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contacts.models import Contact
from episodes.models import Episode, EpisodeEvent
from events.models import SignificantEvent
from people.tests.factories import ChildFactory
from referrals.models import Decision
from referrals.tests.factories import DirectoryServiceFactory, ReferralFactory
from reporting import periods, queries
from reporting.filters import Filters, born_for_age

pytestmark = pytest.mark.django_db
D = datetime.date
Q1 = periods.quarter(2026, 1)  # April to June 2026 (financial year)


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


# --- Periods and filters ------------------------------------------------------------------------


def test_quarters_follow_the_financial_year_by_default_and_can_be_calendar():
    assert (Q1.start, Q1.end) == (D(2026, 4, 1), D(2026, 6, 30))
    assert (periods.quarter(2026, 4).start, periods.quarter(2026, 4).end) == (D(2027, 1, 1), D(2027, 3, 31))
    assert periods.parse("2026").end == D(2027, 3, 31) and periods.parse("2026").fixed
    assert periods.quarter_of(D(2027, 2, 14)).code == "2026Q4"
    assert [p.code for p in periods.previous_quarters(D(2026, 5, 1), 3)] == ["2025Q2", "2025Q3", "2025Q4"]
    custom = periods.parse("2026-05-01..2026-05-31")
    assert not custom.fixed and custom.days == 31
    with override_settings(NYTH_REPORTING_YEAR_START_MONTH=1):
        assert (periods.quarter(2026, 3).start, periods.quarter(2026, 3).end) == (D(2026, 7, 1), D(2026, 9, 30))
    for bad in ("2026Q5", "26Q1", "2026-06-01..2026-05-01", ""):
        with pytest.raises(ValueError):
            periods.parse(bad)


def test_age_bands_are_ages_on_the_last_day_of_the_period():
    earliest, latest = born_for_age(D(2026, 6, 30), 11, 15)
    assert latest == D(2015, 6, 30)  # 11 that day
    assert earliest == D(2010, 7, 1)  # 15 that day, 16 the next


# --- Referrals ------------------------------------------------------------------------------------


def test_referrals_received_by_route_and_referrer_with_filters(south, north):
    for route, referrer, day in [
        ("staff", "teacher", D(2026, 4, 1)),
        ("public", "foster_carer", D(2026, 5, 20)),
        ("public", "young_person", D(2026, 6, 30)),
        ("partner", "camhs", D(2026, 7, 1)),  # next quarter
        ("staff", "teacher", D(2026, 3, 31)),  # last quarter
    ]:
        ReferralFactory(service=south, route=route, referrer_type=referrer, received_at=at(day))
    ReferralFactory(service=north, route="public", received_at=at(D(2026, 5, 1)))
    everyone = Filters()
    assert queries.referrals_received(Q1, everyone) == {"staff": 1, "public": 3}
    assert queries.referrals_received(Q1, Filters(service_id=south.pk), by="referrer_type") == {
        "teacher": 1,
        "foster_carer": 1,
        "young_person": 1,
    }
    assert queries.referrals_received(Q1, Filters(age_band="11-15"), by="age_band") == {"11-15": 4}  # born June 2011


def test_decisions_by_outcome_and_where_warm_handovers_went(south, manager):
    place = DirectoryServiceFactory()
    for outcome, day in [("accepted", D(2026, 4, 2)), ("consultation", D(2026, 5, 2)), ("redirected", D(2026, 6, 2)),
                         ("redirected", D(2026, 6, 3)), ("accepted", D(2026, 7, 2))]:  # fmt: skip
        referral = ReferralFactory(service=south, received_at=at(D(2026, 4, 1)))
        Decision.objects.create(
            referral=referral, outcome=outcome, reason="Reason", decided_by=manager, decided_at=at(day),
            directory_service=place if outcome == "redirected" else None,
        )  # fmt: skip
    assert queries.referral_decisions(Q1, Filters()) == {"accepted": 1, "consultation": 1, "redirected": 2}
    assert queries.referral_decisions(Q1, Filters(), by="directory_service") == {str(place.pk): 2}


# --- Episodes, contacts, events -------------------------------------------------------------------


def _episode(child, opened: datetime.date, closed: datetime.date | None, by) -> Episode:
    episode = Episode.objects.create(child=child, opened_on=opened, opened_from="referral", opened_by=by,
                                     status="closed" if closed else "open")  # fmt: skip
    EpisodeEvent.objects.create(episode=episode, kind="opened", on=opened, recorded_by=by)
    if closed:
        EpisodeEvent.objects.create(episode=episode, kind="closed", on=closed, recorded_by=by)
    return episode


def test_young_people_supported_new_and_closed(south, alice):
    kids = [ChildFactory(service=south, gender=g) for g in ("female", "male", "female", "male", "female")]
    _episode(kids[0], D(2025, 1, 1), None, alice)  # open throughout: supported
    _episode(kids[1], D(2026, 5, 1), None, alice)  # new
    _episode(kids[2], D(2025, 1, 1), D(2026, 6, 1), alice)  # closed in the quarter
    _episode(kids[3], D(2025, 1, 1), D(2026, 3, 31), alice)  # closed before: not supported
    _episode(kids[4], D(2026, 7, 1), None, alice)  # opened after: not supported
    assert queries.young_people_supported(Q1, Filters()) == {"supported": 3, "new": 1, "closed": 1}
    assert queries.young_people_supported(Q1, Filters(), by="gender") == {"female": 2, "male": 1}
    assert queries.young_people_supported(Q1, Filters(gender="male")) == {"supported": 1, "new": 1, "closed": 0}


def test_professional_consultations_held(south, alice, child):
    for kind, attendance, day, who in [
        ("consultation", "attended", D(2026, 4, 10), "teacher"),
        ("consultation", "attended", D(2026, 6, 10), "social_worker"),
        ("consultation", "did_not_attend", D(2026, 6, 11), "teacher"),
        ("individual", "attended", D(2026, 6, 12), ""),
        ("consultation", "attended", D(2026, 7, 12), "teacher"),
    ]:
        Contact.objects.create(child=child, kind=kind, attendance=attendance, starts_at=at(day), consultation_with=who,
                               practitioner=alice, recorded_by=alice, idempotency_key=f"{kind}{day}{attendance}",
                               duration_minutes=30, language="en", location="phone")  # fmt: skip
    assert queries.professional_consultations(Q1, Filters()) == {"teacher": 1, "social_worker": 1}


def test_significant_events_during_support_and_the_days_of_support(south, alice):
    one, two = ChildFactory(service=south), ChildFactory(service=south)
    _episode(one, D(2026, 5, 1), None, alice)  # 61 days in the quarter (1 May – 30 June)
    _episode(two, D(2025, 1, 1), D(2026, 4, 30), alice)  # 30 days (1 – 30 April)

    def event(child, kind, day, removed=False):
        SignificantEvent.objects.create(child=child, kind=kind, occurred_on=day, source="police", recorded_by=alice,
                                        form_key=f"{child.pk}{kind}{day}", removed_at=timezone.now() if removed else None)  # fmt: skip

    event(one, "missing", D(2026, 4, 20))  # before their support: not counted
    event(one, "missing", D(2026, 5, 2))
    event(one, "police", D(2026, 6, 30))
    event(one, "police", D(2026, 6, 1), removed=True)  # entered in error
    event(two, "missing", D(2026, 4, 15))
    event(two, "missing", D(2026, 5, 15))  # after their support closed
    figures = queries.significant_events_during_support(Q1, Filters())
    assert figures == {"missing": 2, "police": 1, "young_person_days": 61 + 30}


def test_each_indicator_costs_the_same_queries_whatever_the_data_size(south, alice):
    def cost() -> list[int]:
        found = []
        for run in (
            lambda: queries.referrals_received(Q1, Filters()),
            lambda: queries.referral_decisions(Q1, Filters()),
            lambda: queries.young_people_supported(Q1, Filters()),
            lambda: queries.young_people_supported(Q1, Filters(), by="age_band"),
            lambda: queries.professional_consultations(Q1, Filters()),
            lambda: queries.significant_events_during_support(Q1, Filters()),
        ):
            with CaptureQueriesContext(connection) as queries_run:
                run()
            found.append(len(queries_run))
        return found

    small = cost()
    for _ in range(6):
        kid = ChildFactory(service=south)
        _episode(kid, D(2026, 4, 5), None, alice)
        ReferralFactory(service=south, received_at=at(D(2026, 4, 6)), child=kid)
    assert cost() == small


# --- Releases --------------------------------------------------------------------------------------


def test_a_commissioners_release_is_suppressed_and_only_for_fixed_periods(south, alice):
    for gender in ["female"] * 7 + ["male"] * 2:
        _episode(ChildFactory(service=south, gender=gender), D(2026, 4, 1), None, alice)

    def count(period, filters, by):
        return queries.young_people_supported(period, filters, by=by)

    release = queries.release(Q1, Filters(), count=count, dimensions=["gender"])
    assert str(release.total) == "9"
    assert release.breakdowns["gender"]["male"].suppressed and release.breakdowns["gender"]["female"].suppressed
    with pytest.raises(ValueError):
        queries.release(periods.parse("2026-04-01..2026-04-30"), Filters(), count=count, dimensions=["gender"])


def test_every_indicator_has_a_definition_in_both_languages():
    from django.utils import translation

    for indicator in queries.INDICATORS.values():
        for part in (indicator.title, indicator.numerator, indicator.denominator, indicator.period_rule):
            english = str(part)
            with translation.override("cy"):
                assert str(part) != english, english


# --- Reports ---------------------------------------------------------------------------------------


def test_a_suppressed_report_releases_every_indicator_and_suppresses_its_figures(south, alice):
    from reporting.report import internal_report, suppressed_report

    for gender in ["female"] * 7 + ["male"] * 2:
        kid = ChildFactory(service=south, gender=gender)
        _episode(kid, D(2026, 4, 1), None, alice)
        ReferralFactory(service=south, received_at=at(D(2026, 4, 6)), child=kid)
    report = suppressed_report(Q1, Filters())
    sections = {s.indicator.code: s for s in report.sections}
    assert set(sections) == set(queries.INDICATORS)
    supported = sections["young_people_supported"]
    assert str(supported.release.total) == "9"
    assert supported.release.breakdowns["gender"]["male"].suppressed
    assert str(supported.figures["new"]) == "9" and supported.figures["closed"].value == 0
    assert str(sections["referrals_received"].release.total) == "9"
    # Events: none, so the rate is over 9 people but has no events; the count 0 is shown.
    assert sections["significant_events"].figures["events"].value == 0
    internal = {s.indicator.code: s for s in internal_report(Q1, Filters()).sections}
    assert internal["young_people_supported"].breakdowns["gender"] == {"female": 7, "male": 2}
    with pytest.raises(ValueError):
        suppressed_report(periods.parse("2026-04-01..2026-04-30"), Filters())


def test_an_indicator_that_counts_no_people_is_released_unsuppressed(monkeypatch):
    """Statements of a service's self-assessment by level identify nobody: 2 and 3 are shown.
    The same counts of people are suppressed (a total of 5 with both parts small)."""
    from django.utils.translation import gettext_lazy as _lazy

    from reporting import report
    from reporting.queries import Indicator, Stat

    def count(period, filters, by):
        return {"a": 2, "b": 3}

    def figures(period, filters):
        return {"mean": Stat(2.5, 2)}

    made = {
        code: Indicator(code, _lazy("t"), _lazy("n"), _lazy("d"), _lazy("p"), count, dimensions=("x",), figures=figures, about_people=about)
        for code, about in (("things", False), ("people", True))
    }  # fmt: skip
    monkeypatch.setattr(report, "INDICATORS", made)
    sections = {s.indicator.code: s for s in report.suppressed_report(Q1, Filters()).sections}
    things, people = sections["things"], sections["people"]
    assert [str(c) for c in things.release.breakdowns["x"].values()] == ["2", "3"]
    assert things.figures["mean"].value == 2.5
    assert all(c.suppressed for c in people.release.breakdowns["x"].values())
    assert people.figures["mean"].suppressed


def test_the_service_may_round_every_suppressed_report_to_the_nearest_5(south, alice, settings):
    from reporting.report import suppressed_report

    for gender in ["female"] * 7 + ["male"] * 6:
        _episode(ChildFactory(service=south, gender=gender), D(2026, 4, 1), None, alice)
    settings.NYTH_REPORT_ROUND_TO = 5
    section = next(s for s in suppressed_report(Q1, Filters()).sections if s.indicator.code == "young_people_supported")
    assert str(section.release.total) == "15"  # 13, rounded half up
    assert {k: str(c) for k, c in section.release.breakdowns["gender"].items()} == {"female": "5", "male": "5"}
    assert section.release.round_to == 5


def test_warm_handovers_by_where_to_are_named_in_the_readers_language(south, manager):
    from django.utils import translation

    from referrals.models import Decision, DirectoryService
    from reporting import labels
    from reporting.report import suppressed_report

    def service(en, cy):
        return DirectoryService.objects.create(
            name_en=en, name_cy=cy, offer_en="x", offer_cy="x", welsh_provision="full",
            referral_route_en="x", referral_route_cy="x",
        )  # fmt: skip

    camhs, youth = service("Local CAMHS", "CAMHS lleol"), service("Youth service", "Gwasanaeth ieuenctid")
    for target, n in ((camhs, 6), (youth, 2)):
        for _ in range(n):
            Decision.objects.create(referral=ReferralFactory(service=south, received_at=at(D(2026, 4, 2))),
                                    outcome="redirected", directory_service=target, decided_by=manager,
                                    decided_at=at(D(2026, 4, 3)))  # fmt: skip
    Decision.objects.create(referral=ReferralFactory(service=south, received_at=at(D(2026, 4, 2))), outcome="accepted",
                            decided_by=manager, decided_at=at(D(2026, 4, 3)))  # fmt: skip
    counts = queries.INDICATORS["warm_handovers"].count(Q1, Filters(), "directory_service")
    assert counts == {str(camhs.pk): 6, str(youth.pk): 2}
    section = suppressed_report(Q1, Filters(), ["warm_handovers"]).sections[0]
    assert section.release.breakdowns["directory_service"][str(youth.pk)].suppressed  # 2: small
    names = labels.row_names([("directory_service", list(counts))])
    with translation.override("cy"):
        names_cy = labels.row_names([("directory_service", list(counts))])
        label = labels.category_label("warm_handovers", "directory_service", str(camhs.pk), own={}, names=names_cy)
    assert label == "CAMHS lleol" and names[("referrals.DirectoryService", str(camhs.pk))] == "Local CAMHS"


def test_a_trend_report_leaves_the_headline_figures_out_and_costs_fewer_queries(south, alice):
    from reporting.report import internal_report, suppressed_report

    for _ in range(6):
        _episode(ChildFactory(service=south), D(2026, 4, 1), None, alice)

    def run(make, **kw):
        with CaptureQueriesContext(connection) as ran:
            report = make(Q1, Filters(), **kw)
        return report, len(ran)

    full, full_cost = run(suppressed_report)
    trend, trend_cost = run(suppressed_report, dimensions=[], with_figures=False)
    assert all(not s.figures for s in trend.sections) and any(s.figures for s in full.sections)
    assert [str(s.release.total) for s in trend.sections if s.release] == [
        str(s.release.total) for s in full.sections if s.release
    ]
    assert trend_cost < full_cost
    internal, _ = run(internal_report, dimensions=[], with_figures=False)
    assert all(not s.figures for s in internal.sections)
