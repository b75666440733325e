#!/usr/bin/env python
"""The manager's and the practitioner's pages at national scale (issue 12 D).

Run it against a database seeded by ``manage.py seed_national`` (PostgreSQL; a scratch database:
each page opened writes an audit event, as in production). Signs in with the test client
(``force_login``, second factor marked verified) as the manager of the largest service and as the
practitioner with the largest caseload there, opens each page ``--requests`` times and reports
p50/p95 per page, with a floor (``/healthz``: one query, no page) in the same run for comparison.
For each page it captures the queries of one request and runs ``EXPLAIN (ANALYZE, BUFFERS)`` on
the ``--explain`` slowest SELECTs.

``--label before`` / ``--label after`` name the run; the results of each label are kept side by
side in bench/results/national_pages.json, with the ``uptime`` load, and bench/results/national_pages.md
is rewritten from it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/nyth_national .venv/bin/python bench/national_pages.py --label after
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("NYTH_DEMO", "1")  # the development secret key and audit key
RESULTS = ROOT / "bench" / "results"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--label", required=True, help="name of this run, e.g. before or after")
    parser.add_argument("--requests", type=int, default=10, help="requests per page (default 10)")
    parser.add_argument(
        "--max-seconds", type=float, default=120.0, help="stop repeating a page after this long (default 120 s)"
    )
    parser.add_argument("--explain", type=int, default=2, help="slowest queries of each page to EXPLAIN (default 2)")
    parser.add_argument("--output", default=str(RESULTS / "national_pages.json"))
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count, Q
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse
    from django.utils import translation
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import Role, User
    from contacts.models import Contact
    from people.models import Child

    if connection.vendor != "postgresql":
        sys.exit("Run on PostgreSQL, on a database seeded by manage.py seed_national.")
    setup_test_environment()  # the test client's host is allowed
    translation.activate("en")

    manager = (
        User.objects.filter(role=Role.SERVICE_MANAGER, username__startswith="nat-")
        .annotate(children=Count("organisation__children"))
        .order_by("-children", "pk")
        .first()
    )
    if manager is None:
        sys.exit("No seed_national data here: run manage.py seed_national first.")
    practitioner = (
        User.objects.filter(organisation=manager.organisation, role=Role.PRACTITIONER)
        .annotate(caseload=Count("care_teams", filter=Q(care_teams__ended_at__isnull=True)))
        .order_by("-caseload", "pk")
        .first()
    )
    if practitioner is None:
        sys.exit("The seeded service has no practitioner: run manage.py seed_national again.")

    def client_for(user: User) -> Client:
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
        client = Client()
        client.force_login(user)
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
        return client

    anonymous, as_manager, as_practitioner = Client(), client_for(manager), client_for(practitioner)
    pages = [
        ("floor: /healthz", anonymous, "/healthz"),
        ("manager: team", as_manager, reverse("contacts:team")),
        ("manager: home", as_manager, reverse("core:home")),
        ("practitioner: home", as_practitioner, reverse("core:home")),
        ("practitioner: caseload", as_practitioner, reverse("contacts:caseload")),
        ("practitioner: diary", as_practitioner, reverse("contacts:diary")),
    ]

    results = {}
    for name, client, url in pages:
        captured: list[dict] = []

        def capture(execute, sql, params, many, context, captured=captured):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                captured.append({"sql": sql, "params": params, "time": time.perf_counter() - started})

        with connection.execute_wrapper(capture):
            started = time.perf_counter()
            response = client.get(url)
            first_ms = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            sys.exit(f"{name}: {url} answered {response.status_code}")
        times = [first_ms]
        began = time.monotonic()
        while len(times) < args.requests and time.monotonic() - began < args.max_seconds:
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        slowest = sorted(
            (q for q in captured if q["sql"].lstrip().upper().startswith("SELECT")),
            key=lambda q: -float(q["time"]),
        )[: args.explain]
        explains = []
        for query in slowest:
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"], query["params"])
                plan = "\n".join(row[0] for row in cursor.fetchall())
                shown = cursor.mogrify(query["sql"], query["params"]) if hasattr(cursor, "mogrify") else query["sql"]
            explains.append({"ms": round(float(query["time"]) * 1000, 1), "sql": shown, "plan": plan})
        results[name] = {
            "url": url,
            "requests": len(times),
            "p50_ms": round(percentile(times, 0.5), 1),
            "p95_ms": round(percentile(times, 0.95), 1),
            "max_ms": round(max(times), 1),
            "mean_ms": round(statistics.fmean(times), 1),
            "queries": len(captured),
            "slowest_queries": explains,
        }
        print(
            f"{name:<24} p50 {results[name]['p50_ms']:>9.1f} ms  p95 {results[name]['p95_ms']:>9.1f} ms  "
            f"({len(times)} requests, {len(captured)} queries)",
            file=sys.stderr,
        )

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0]
        cursor.execute("SHOW autovacuum")
        autovacuum = cursor.fetchone()[0]
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename IN (%s, %s) ORDER BY indexname",
            ["contacts_contact", "people_careteammembership"],
        )
        indexes = [row[0] for row in cursor.fetchall()]
    run = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "uptime": subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip(),
        "database_version": version,
        "autovacuum": autovacuum,
        "data": {
            "children": Child.objects.count(),
            "contacts": Contact.objects.count(),
            "practitioners": User.objects.filter(role=Role.PRACTITIONER, username__startswith="nat-").count(),
            "manager": manager.username,
            "service_children": Child.objects.filter(service=manager.organisation).count(),
            "service_staff": User.objects.filter(organisation=manager.organisation).count(),
            "practitioner": practitioner.username,
            "practitioner_caseload": practitioner.caseload,
        },
        "indexes_on_contacts_and_care_teams": indexes,
        "pages": results,
    }
    output = Path(args.output)
    stored = json.loads(output.read_text()) if output.exists() else {}
    stored[args.label] = run
    output.write_text(json.dumps(stored, indent=2, ensure_ascii=False) + "\n")
    output.with_suffix(".md").write_text(summary(stored))
    print(f"Wrote {output} and {output.with_suffix('.md')}", file=sys.stderr)


def summary(stored: dict) -> str:
    """A short markdown table: p50/p95 and query counts per page for each label."""
    labels = list(stored)
    lines = ["# National-scale pages (bench/national_pages.py)", ""]
    for label in labels:
        run = stored[label]
        data = run["data"]
        lines.append(
            f"- **{label}** ({run['at']}): {data['children']:,} young people, {data['contacts']:,} contacts; "
            f"manager of {data['service_children']:,} young people and {data['service_staff']} staff; practitioner "
            f"with a caseload of {data['practitioner_caseload']}. `{run['uptime']}`"
        )
    lines += [
        "",
        "| page | " + " | ".join(f"{label} p50 / p95 (ms) | {label} queries" for label in labels) + " |",
        "| --- |" + " --- | --- |" * len(labels),
    ]
    for page in stored[labels[0]]["pages"]:
        cells = []
        for label in labels:
            result = stored[label]["pages"].get(page)
            cells += [f"{result['p50_ms']:,} / {result['p95_ms']:,}", str(result["queries"])] if result else ["–", "–"]
        lines.append(f"| {page} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "The plans (`EXPLAIN (ANALYZE, BUFFERS)`) of each page's slowest queries are in national_pages.json.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
