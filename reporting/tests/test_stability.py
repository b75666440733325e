"""Placement stability and significant events before support on small hand-made data (expected
figures worked out here)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from episodes.models import Episode, EpisodeEvent
from events.models import RecordingPeriod, SignificantEvent
from people.tests.factories import ChildFactory, PlacementFactory
from reporting import periods
from reporting.filters import Filters
from reporting.queries import INDICATORS
from reporting.queries.stability import events_before_support, moves_during_support, stability_figures
from reporting.report import internal_report, suppressed_report

pytestmark = pytest.mark.django_db
D = datetime.date
Q1 = periods.quarter(2026, 1)  # 1 April to 30 June 2026


def episode(child, opened, closed, by):
    e = Episode.objects.create(child=child, opened_on=opened, opened_from="referral", opened_by=by,
                               status="closed" if closed else "open")  # fmt: skip
    EpisodeEvent.objects.create(episode=e, kind="opened", on=opened, recorded_by=by)
    if closed:
        EpisodeEvent.objects.create(episode=e, kind="closed", on=closed, recorded_by=by)
    return e


def event(child, kind, day, by, *, removed=False, placement=None):
    SignificantEvent.objects.create(child=child, kind=kind, occurred_on=day, source="records", recorded_by=by,
                                    form_key=f"{child.pk}-{kind}-{day}", placement=placement,
                                    removed_at=timezone.now() if removed else None)  # fmt: skip


def recorded(child, start, end, by):
    RecordingPeriod.objects.create(child=child, starts_on=start, ends_on=end, source="Chronology", recorded_by=by)


@pytest.fixture
def people(south, alice):
    a, b, c, d, e = (ChildFactory(service=south, gender=g) for g in ("female", "male", "female", "male", "female"))
    # A: support opened 1 May (61 days in the quarter).
    episode(a, D(2026, 5, 1), None, alice)
    PlacementFactory(child=a, start_date=D(2020, 1, 1))  # the first recorded: not a move
    PlacementFactory(child=a, start_date=D(2025, 4, 1))  # 395 days before support: not "before"
    broke = PlacementFactory(child=a, start_date=D(2025, 9, 1))  # 242 days before: before support
    PlacementFactory(child=a, start_date=D(2026, 5, 1), type="residential")  # the day support opened: during
    PlacementFactory(child=a, start_date=D(2026, 6, 15))  # during
    # The breakdown of the September placement is an event, not a second move.
    event(a, "placement_breakdown", D(2026, 4, 30), alice, placement=broke)
    # B: supported since 2025, closed 30 April (30 days in the quarter).
    episode(b, D(2025, 1, 1), D(2026, 4, 30), alice)
    PlacementFactory(child=b, start_date=D(2019, 1, 1))
    PlacementFactory(child=b, start_date=D(2026, 4, 10))  # during
    PlacementFactory(child=b, start_date=D(2026, 5, 10))  # after support closed
    # C: support opened 1 June (30 days); only one placement recorded (not a move).
    episode(c, D(2026, 6, 1), None, alice)
    PlacementFactory(child=c, start_date=D(2026, 3, 1))
    # D: never supported; moves in the quarter do not count.
    PlacementFactory(child=d, start_date=D(2020, 1, 1))
    PlacementFactory(child=d, start_date=D(2026, 5, 5))
    # E: support opened 15 April (77 days).
    episode(e, D(2026, 4, 15), None, alice)
    return a, b, c, d, e


def test_moves_during_support_per_young_person_year_and_before_it(people):
    figures = stability_figures(Q1, Filters())
    # During: A's moves of 1 May and 15 June, B's of 10 April.
    assert figures["moves_during"] == 3
    years = (61 + 30 + 30 + 77) / 365.25
    assert figures["during_per_young_person_year"].value == pytest.approx(3 / years)
    assert figures["during_per_young_person_year"].people == 4
    # Before: A's September move; C, E none; three young people started support (B did not).
    assert figures["moves_before"] == 1
    assert figures["before_per_young_person"].value == pytest.approx(1 / 3)
    assert figures["before_per_young_person"].people == 3
    assert moves_during_support(Q1, Filters()) == {"residential": 1, "foster_la": 2}
    assert moves_during_support(Q1, Filters(), "gender") == {"female": 2, "male": 1}
    assert stability_figures(Q1, Filters(gender="male"))["moves_before"] == 0


def test_events_before_support_only_where_recording_was_complete(people, alice):
    a, b, c, d, e = people
    # A: two recording periods together cover 1 May 2025 – 30 April 2026.
    recorded(a, D(2025, 1, 1), D(2025, 12, 31), alice)
    recorded(a, D(2026, 1, 1), None, alice)
    event(a, "self_harm", D(2025, 6, 1), alice)
    event(a, "missing", D(2025, 4, 30), alice)  # 366 days before: outside the year
    event(a, "police", D(2026, 5, 2), alice)  # during support
    event(a, "missing", D(2026, 1, 5), alice, removed=True)  # entered in error
    # (A's placement breakdown on 30 April is one of their events before support.)
    # C: recording only from September 2025: incomplete for the year before 1 June 2026.
    recorded(c, D(2025, 9, 1), None, alice)
    event(c, "police", D(2026, 3, 1), alice)
    # E: recording exactly the year before 15 April 2026; an event on its first day.
    recorded(e, D(2025, 4, 15), D(2026, 4, 14), alice)
    event(e, "exclusion", D(2025, 4, 15), alice)
    # B started support before the quarter: not counted, whatever was recorded.
    recorded(b, D(2020, 1, 1), None, alice)
    event(b, "police", D(2026, 1, 1), alice)
    counts, young_people, incomplete = events_before_support(Q1, Filters())
    assert counts == {"self_harm": 1, "placement_breakdown": 1, "exclusion": 1}
    assert (young_people, incomplete) == (2, 1)
    section = {
        s.indicator.code: s for s in internal_report(Q1, Filters(), ["significant_events_before_support"]).sections
    }
    figures = section["significant_events_before_support"].figures
    assert figures["per_young_person_year"].value == pytest.approx(3 / 2)
    assert figures["not_counted"] == 1
    assert INDICATORS["significant_events_before_support"].caveat is not None


def test_the_queries_do_not_grow_with_the_data(south, alice, people):
    def cost() -> list[int]:
        found = []
        for run in (
            lambda: stability_figures(Q1, Filters()),
            lambda: moves_during_support(Q1, Filters(), "age_band"),
            lambda: events_before_support(Q1, Filters()),
        ):
            with CaptureQueriesContext(connection) as ran:
                run()
            found.append(len(ran))
        return found

    small = cost()
    for day in range(1, 7):
        kid = ChildFactory(service=south)
        episode(kid, D(2026, 4, day), None, alice)
        PlacementFactory(child=kid, start_date=D(2025, 1, day))
        PlacementFactory(child=kid, start_date=D(2026, 5, day))
        recorded(kid, D(2024, 1, 1), None, alice)
        event(kid, "missing", D(2026, 1, day), alice)
    assert cost() == small
    assert events_before_support(Q1, Filters())[1] == 6


def test_both_reports_carry_stability_and_events_before_support(people):
    codes = ["placement_stability", "significant_events_before_support"]
    report = {s.indicator.code: s for s in suppressed_report(Q1, Filters(), codes).sections}
    stability = report["placement_stability"]
    assert stability.release.total.suppressed  # 3 moves
    assert stability.figures["during_per_young_person_year"].value is None  # over 4 young people
    assert report["significant_events_before_support"].figures["not_counted"].suppressed
    internal = {s.indicator.code: s for s in internal_report(Q1, Filters(), codes).sections}
    assert internal["placement_stability"].breakdowns["type"] == {"residential": 1, "foster_la": 2}


def test_a_reopened_episode_is_open_support_to_the_periods_end(south, alice):
    """Re-opening keeps the episode's last "closed" event: its support in the quarter is every
    day of it (91), not the days up to that old closing date (which came out negative)."""
    kid = ChildFactory(service=south)
    e = episode(kid, D(2024, 1, 1), D(2025, 6, 30), alice)
    EpisodeEvent.objects.create(episode=e, kind="reopened", on=D(2026, 3, 1), recorded_by=alice)
    Episode.objects.filter(pk=e.pk).update(status="open")
    PlacementFactory(child=kid, start_date=D(2018, 1, 1))
    PlacementFactory(child=kid, start_date=D(2026, 5, 20))
    figures = stability_figures(Q1, Filters())
    assert figures["moves_during"] == 1
    assert figures["during_per_young_person_year"].value == pytest.approx(1 / (91 / 365.25))
    events = internal_report(Q1, Filters(), ["significant_events"]).sections[0].figures
    assert events["young_person_years"].value == round(91 / 365.25, 1)


def test_a_report_computes_events_before_support_once(people):
    """The breakdown by kind and the headline need the same three queries: once per report."""
    with CaptureQueriesContext(connection) as ran:
        section = internal_report(Q1, Filters(), ["significant_events_before_support"]).sections[0]
    assert len(ran) == 3
    assert section.figures["young_people"] == 0 and section.figures["not_counted"] == 3
