#!/usr/bin/env python
"""The quarterly return's indicators at national scale against hand-written SQL (issue 15).

Run it against a database seeded by ``manage.py seed_national`` (PostgreSQL; a scratch database).
For one region and one quarter (by default the region with the most young people and the last
complete quarter) it, for every indicator of ``reporting.queries.INDICATORS`` that has a
hand-written query ``bench/report_sql/<code>.sql`` (the registry: an indicator and its SQL file
plug in, the rest are listed as not benchmarked):

- computes the indicator as Nyth does – ``reporting.report.internal_report`` for that indicator
  alone: every breakdown and the headline figures, unsuppressed so the numbers can be compared –
  and runs the hand-written query, in the same run; **fails loudly** (exit status 1, the
  differences printed) when their numbers differ;
- times both: one warm-up each, then ``--runs`` (at least 5) alternately Nyth first and SQL
  first, and takes the medians (``nyth_s``, ``sql_s``, ``ratio`` = nyth / sql);
- writes Nyth's SQL as Django sent it (``CaptureQueriesContext``) and ``EXPLAIN (ANALYZE,
  BUFFERS)`` of each of its queries and of the hand-written one to
  ``bench/results/report_explain/<code>.{nyth.sql,nyth.explain.txt,sql.explain.txt}``.

Then it times the region page end to end: ``reporting.report.suppressed_report`` for the region
and the quarter, all indicators (what a commissioner's page and every export are built from),
medians of ``--runs`` after a warm-up. Targets: the page under 2 s, each ratio at most 1.5; a miss
is reported (and the run's exit status is 0: a benchmark, not a test; only disagreeing numbers
fail). Everything goes to ``bench/results/report.json`` with the data sizes, the ``uptime`` load
before and after, ``shared_buffers``, the database's size and the git commit.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/nyth_national .venv/bin/python bench/report.py
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("NYTH_DEMO", "1")  # the development secret key and audit key
RESULTS = ROOT / "bench" / "results"
SQL_DIR = ROOT / "bench" / "report_sql"
EXPLAIN_DIR = RESULTS / "report_explain"
PAGE_TARGET_S = 2.0
RATIO_TARGET = 1.5

#: One comparable number: (dimension, category) -> value. Breakdowns by their dimension; headline
#: figures under "figure" (a Share as code.numerator/code.denominator, a Stat as code.value/code.people).
Numbers = dict[tuple[str, str], float | None]


def nyth_numbers(section: Any) -> Numbers:
    """An ``InternalSection`` flattened into ``Numbers``."""
    from reporting.queries import Share, Stat

    out: Numbers = {}
    for dimension, counts in section.breakdowns.items():
        for category, n in counts.items():
            out[(dimension, category)] = float(n)
    for code, value in section.figures.items():
        if isinstance(value, Share):
            out[("figure", f"{code}.numerator")] = float(value.numerator)
            out[("figure", f"{code}.denominator")] = float(value.denominator)
        elif isinstance(value, Stat):
            out[("figure", f"{code}.value")] = None if value.value is None else float(value.value)
            out[("figure", f"{code}.people")] = float(value.people)
        else:
            out[("figure", code)] = float(value)
    return out


def sql_numbers(rows: list[tuple[str, str, Decimal | int | float | None]]) -> Numbers:
    out: Numbers = {}
    for dimension, category, value in rows:
        key = (str(dimension), "" if category is None else str(category))
        if key in out:
            raise SystemExit(f"the hand-written SQL returns {key} twice")
        out[key] = None if value is None else float(value)
    return out


def differences(nyth: Numbers, sql: Numbers) -> list[str]:
    """Where the two disagree (relative 1e-9 for rates; counts exactly, being whole floats)."""
    problems = []
    for key in sorted(set(nyth) | set(sql)):
        a, b = nyth.get(key, "missing"), sql.get(key, "missing")
        if a is None or b is None or isinstance(a, str) or isinstance(b, str):
            if a != b:
                problems.append(f"{key}: Nyth {a}, SQL {b}")
        elif abs(a - b) > 1e-9 * max(1.0, abs(a), abs(b)):
            problems.append(f"{key}: Nyth {a}, SQL {b}")
    return problems


def median_pair(first: Callable[[], object], second: Callable[[], object], runs: int) -> tuple[float, float]:
    """Medians of ``runs`` timings of each, after one warm-up each; the order alternates so that
    neither always runs on the other's warm cache."""
    first()
    second()
    a: list[float] = []
    b: list[float] = []
    for i in range(runs):
        for which in (0, 1) if i % 2 == 0 else (1, 0):
            started = time.perf_counter()
            (first if which == 0 else second)()
            (a if which == 0 else b).append(time.perf_counter() - started)
    return statistics.median(a), statistics.median(b)


def explain(sql: str, params: Any = None) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def git_commit() -> str:
    head = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, cwd=ROOT, check=False)
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True, cwd=ROOT, check=False
    )
    return head.stdout.strip() + (" (uncommitted changes)" if dirty.stdout.strip() else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--period", help="a quarter, e.g. 2026Q2 (default: the last complete quarter)")
    parser.add_argument("--region", type=int, help="the region's id (default: the one with the most young people)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each, after a warm-up (at least 5)")
    parser.add_argument(
        "--output",
        help="default bench/results/report.json; a partial run (--only, --no-page) bench/results/report-partial.json (not kept in git)",
    )
    parser.add_argument(
        "--only", help="comma-separated indicator codes: benchmark these alone (checking a new SQL file)"
    )
    parser.add_argument("--no-page", action="store_true", help="skip the region page's timing")
    args = parser.parse_args()
    if args.runs < 5:
        parser.error("--runs must be at least 5")
    if args.output is None:
        # A partial run never overwrites the committed whole one.
        partial = args.only or args.no_page
        args.output = str(RESULTS / ("report-partial.json" if partial else "report.json"))

    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone, translation

    from accounts.models import Organisation
    from contacts.models import Contact
    from episodes.models import Episode, EpisodeEvent
    from events.models import RecordingPeriod, SignificantEvent
    from outcomes.models import Measurement, MeasurementPoint
    from people.models import Child, Placement
    from referrals.models import Decision, InitialConsultation, Referral
    from reporting.filters import Filters
    from reporting.periods import parse, previous_quarters
    from reporting.queries import INDICATORS
    from reporting.report import internal_report, suppressed_report

    if connection.vendor != "postgresql":
        sys.exit("Run on PostgreSQL, on a database seeded by manage.py seed_national.")
    translation.activate("en")
    load_before = uptime()

    period = parse(args.period) if args.period else previous_quarters(timezone.localdate(), 1)[0]
    if not period.fixed:
        sys.exit("--period must be a quarter or a year")
    region_id = args.region
    if region_id is None:
        busiest = (
            Organisation.objects.filter(children__isnull=False)
            .values("region_id")
            .annotate(n=Count("children"))
            .order_by("-n")
            .first()
        )
        if busiest is None:
            sys.exit("No young people here: run manage.py seed_national first.")
        region_id = busiest["region_id"]
    region = Organisation.objects.get(pk=region_id)
    filters = Filters(region_id=region_id)
    params = {"start": period.start, "end": period.end, "region": region_id}
    print(f"{period.code} ({period.start}…{period.end}), region {region.name_en} (id {region_id})", file=sys.stderr)

    EXPLAIN_DIR.mkdir(parents=True, exist_ok=True)
    indicators: dict[str, Any] = {}
    not_benchmarked: list[str] = []
    disagreements: dict[str, list[str]] = {}
    only = set(args.only.split(",")) if args.only else None
    if only and only - set(INDICATORS):
        parser.error(f"no such indicator: {', '.join(sorted(only - set(INDICATORS)))}")
    for code in INDICATORS:
        if only is not None and code not in only:
            continue
        path = SQL_DIR / f"{code}.sql"
        if not path.exists():
            not_benchmarked.append(code)
            continue
        hand = path.read_text()

        def run_nyth(code: str = code) -> Any:
            return internal_report(period, filters, [code]).sections[0]

        def run_sql(hand: str = hand) -> list[Any]:
            with connection.cursor() as cursor:
                cursor.execute(hand, params)
                return cursor.fetchall()

        with CaptureQueriesContext(connection) as captured:
            section = run_nyth()
        problems = differences(nyth_numbers(section), sql_numbers(run_sql()))
        if problems:
            disagreements[code] = problems
            print(f"{code}: Nyth and the hand-written SQL DISAGREE:", *problems[:20], sep="\n  ", file=sys.stderr)
            continue
        nyth_s, sql_s = median_pair(run_nyth, run_sql, args.runs)
        queries = [q["sql"] for q in captured.captured_queries]
        (EXPLAIN_DIR / f"{code}.nyth.sql").write_text(
            f"-- {code}: the {len(queries)} queries Nyth sent for {period.code}, region id {region_id}\n"
            + "".join(f"\n-- query {i}\n{q};\n" for i, q in enumerate(queries, 1))
        )
        (EXPLAIN_DIR / f"{code}.nyth.explain.txt").write_text(
            "".join(f"-- query {i}\n{explain(q)}\n\n" for i, q in enumerate(queries, 1))
        )
        (EXPLAIN_DIR / f"{code}.sql.explain.txt").write_text(
            f"-- bench/report_sql/{code}.sql with {params}\n{explain(hand, params)}\n"
        )
        indicators[code] = {
            "nyth_s": round(nyth_s, 4),
            "sql_s": round(sql_s, 4),
            "ratio": round(nyth_s / sql_s, 2) if sql_s else None,
            "nyth_queries": len(queries),
            "numbers_compared": len(nyth_numbers(section)),
            "within_ratio_target": bool(sql_s) and nyth_s / sql_s <= RATIO_TARGET,
        }
        print(
            f"{code:<28} Nyth {nyth_s * 1000:8.1f} ms ({len(queries)} queries)  SQL {sql_s * 1000:8.1f} ms  "
            f"ratio {indicators[code]['ratio']}",
            file=sys.stderr,
        )

    # The region page end to end: the suppressed report, all indicators.
    def page() -> object:
        return suppressed_report(period, filters)

    page_times: list[float] = []
    page_queries = 0
    page_s = float("nan")
    if not args.no_page:
        page()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            page()
            page_times.append(time.perf_counter() - started)
        page_queries = len(captured.captured_queries)
        for _ in range(args.runs - 1):
            started = time.perf_counter()
            page()
            page_times.append(time.perf_counter() - started)
        page_s = statistics.median(page_times)
        print(f"region page (suppressed report)  {page_s * 1000:8.1f} ms ({page_queries} queries)", file=sys.stderr)

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0]
        cursor.execute("SHOW shared_buffers")
        shared_buffers = cursor.fetchone()[0]
        cursor.execute("SHOW autovacuum")
        autovacuum = cursor.fetchone()[0]
        cursor.execute("SELECT current_database(), pg_size_pretty(pg_database_size(current_database()))")
        database, size = cursor.fetchone()

    def sizes(region_only: bool) -> dict[str, int]:
        def n(qs: Any, path: str) -> int:
            return int(qs.filter(**{path: region_id}).count() if region_only else qs.count())

        return {
            "children": n(Child.objects, "service__region_id"),
            "referrals": n(Referral.objects, "service__region_id"),
            "decisions": n(Decision.objects, "referral__service__region_id"),
            "initial_consultations": n(InitialConsultation.objects, "referral__service__region_id"),
            "episodes": n(Episode.objects, "child__service__region_id"),
            "episode_events": n(EpisodeEvent.objects, "episode__child__service__region_id"),
            "contacts": n(Contact.objects, "child__service__region_id"),
            "significant_events": n(SignificantEvent.objects, "child__service__region_id"),
            "recording_periods": n(RecordingPeriod.objects, "child__service__region_id"),
            "placements": n(Placement.objects, "child__service__region_id"),
            "measurement_points": n(MeasurementPoint.objects, "child__service__region_id"),
            "measurements": n(Measurement.objects, "child__service__region_id"),
        }

    run = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "git_commit": git_commit(),
        "uptime_before": load_before,
        "uptime": uptime(),
        "database": database,
        "database_size": size,
        "database_version": version,
        "shared_buffers": shared_buffers,
        "autovacuum": autovacuum,
        "period": period.code,
        "region": {"id": region_id, "name": region.name_en},
        "runs": args.runs,
        "data": {"all": sizes(False), "region": sizes(True)},
        "indicators": indicators,
        "not_benchmarked": not_benchmarked,
        "disagreements": disagreements,
        "region_page": None
        if args.no_page
        else {
            "what": "reporting.report.suppressed_report(quarter, Filters(region_id=…)), all indicators",
            "median_s": round(page_s, 4),
            "runs_s": [round(t, 4) for t in page_times],
            "queries": page_queries,
            "target_s": PAGE_TARGET_S,
            "within_target": page_s < PAGE_TARGET_S,
        },
        "ratio_target": RATIO_TARGET,
    }
    output = Path(args.output)
    output.write_text(json.dumps(run, indent=2, ensure_ascii=False, default=_json_default) + "\n")
    print(f"Wrote {output} and {EXPLAIN_DIR}/", file=sys.stderr)
    if not_benchmarked:
        print("Not benchmarked (no bench/report_sql/<code>.sql):", ", ".join(not_benchmarked), file=sys.stderr)
    if disagreements:
        sys.exit(f"FAILED: Nyth and the hand-written SQL disagree for {', '.join(disagreements)}")
    missed = [c for c, r in indicators.items() if not r["within_ratio_target"]]
    if missed or (not args.no_page and page_s >= PAGE_TARGET_S):
        print(f"Targets missed: ratio > {RATIO_TARGET} for {missed or 'none'}; page {page_s:.2f} s", file=sys.stderr)


def _json_default(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(type(value))


if __name__ == "__main__":
    main()
