"""Benchmark the CSV import of referrals: N synthetic rows (default 10,000), imported through
``referrals.importer.run_import`` – the same checks and the same ``submit_referral`` per row as
the upload page and ``manage.py import_referrals`` – then printed as rows per second.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/nyth .venv/bin/python bench/import_referrals.py [--rows N]

It never touches the database named in DATABASE_URL: it creates a throwaway database beside it
(``nyth_bench_import_<pid>`` on PostgreSQL; in memory on SQLite), migrates it, imports, imports
the same file again (every row already present), prints the figures and drops the database.
The target is 10,000 rows in under 30 s on PostgreSQL. This prints figures; it is not a test.

The data are invented (``people.demo``: made-up names, NHS numbers from the 999 range reserved
for testing, Ofcom drama phone numbers, example.invalid addresses): no real person.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")

HEADER = [
    "given_name",
    "family_name",
    "preferred_name",
    "date_of_birth",
    "nhs_number",
    "postcode",
    "local_authority",
    "legal_status",
    "placement_type",
    "placement_out_of_county",
    "preferred_language",
    "active_offer_made",
    "communication_needs",
    "referrer_type",
    "referrer_name",
    "referrer_organisation",
    "referrer_relationship",
    "referrer_email",
    "referrer_phone",
    "referrer_language",
    "needs",
    "complex_needs",
    "diagnosis",
    "young_person_views",
    "young_person_knows",
    "young_person_agrees",
    "professionals_involved",
    "consent_to_contact_others",
    "risk_self_harm",
    "risk_exploitation",
    "risk_going_missing",
    "risk_placement_breakdown",
    "risk_secure_or_dols",
    "risk_harm_to_others",
    "risk_notes",
    "date_received",
]
REFERRERS = [
    ("social_worker", "Social worker"),
    ("teacher", "Form tutor"),
    ("camhs", "CAMHS clinician"),
    ("foster_carer", "Foster carer"),
    ("youth_worker", "Youth worker"),
    ("gp", "GP"),
    ("alnco", "ALNCo"),
]
NEEDS = [
    "Has moved placement twice this year and has stopped going to school.",
    "Night terrors and angry outbursts since contact with birth family changed.",
    "Withdrawn at home, refuses to talk about the past; carers need support to keep things stable.",
    "Mae'n dawel iawn yn y dosbarth ers symud lleoliad ac mae angen help arno i setlo.",
    "Struggling with friendships and sleep; has told a teacher she feels unsafe at night.",
]
POSTCODES = ["CF10 1AA", "NP20 1XX", "SA1 1AA", "LL55 1AA", "SA31 1AA", "CF47 8AA", "LD1 5AA", "CH7 1AA"]
YES_NO = [("yes", "no"), ("ie", "na"), ("y", "n"), ("true", "false"), ("1", "0")]


def synthetic_csv(rows: int, seed: int) -> bytes:
    """Deterministic: the same rows and seed give the same bytes."""
    from accounts.reference import LOCAL_AUTHORITIES
    from people.demo import ADULT_FIRST, SURNAMES, make_child

    today = date(2026, 1, 15)
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for index in range(rows):
        child = make_child(seed, index, today, len(LOCAL_AUTHORITIES))
        rng = random.Random(f"bench-import:{seed}:{index}")  # noqa: S311 - synthetic data
        code, name_en, name_cy, _region = LOCAL_AUTHORITIES[child.la_index]
        yes, no = rng.choice(YES_NO)
        referrer_type, relationship = rng.choice(REFERRERS)
        referrer = f"{rng.choice(ADULT_FIRST)} {rng.choice(SURNAMES)}"
        placement = child.placements[-1][0] if child.placements else ""
        dob = child.date_of_birth.strftime("%d/%m/%Y") if index % 2 else child.date_of_birth.isoformat()
        writer.writerow(
            [
                child.given_name,
                child.family_name,
                child.preferred_name,
                dob,
                child.nhs_number,
                rng.choice(POSTCODES),
                rng.choice([code, name_en, name_cy]),
                child.legal_status,
                placement if child.legal_status == "looked_after" else "",
                rng.choice([yes, no, ""]),
                child.preferred_language,
                yes if child.preferred_language == "cy" else no,
                "",
                referrer_type,
                referrer,
                "Example organisation (synthetic)",
                relationship,
                f"referrer{index}@example.invalid",
                "029 2018 0123",
                rng.choice(["en", "cy"]),
                f"{rng.choice(NEEDS)} (Synthetic row {index + 2}.)",
                yes,
                "",
                rng.choice(["", "Wants someone to talk to.", "Eisiau siarad yn Gymraeg."]),
                rng.choice(["yes", "no", "not_yet", "not_known"]),
                rng.choice(["yes", "no", "not_known"]),
                "",
                rng.choice([yes, no]),
                *[yes if rng.random() < 0.2 else no for _risk in range(6)],
                "",
                rng.choice(["", f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2025"]),
            ]
        )
    return out.getvalue().encode("utf-8-sig")


def _server_cpu(pid: int | None) -> float | None:
    """CPU seconds used so far by the PostgreSQL backend serving us, when it runs on this machine."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000, help="rows to import (default 10,000)")
    parser.add_argument("--seed", type=int, default=2026, help="random seed (same seed, same file)")
    parser.add_argument("--keep-csv", type=Path, help="also write the generated CSV here")
    parser.add_argument("--all-or-nothing", action="store_true", help="import in all-or-nothing mode (one transaction)")
    parser.add_argument(
        "--background",
        action="store_true",
        help="as the web page does: store an ImportJob and run the import task (referrals.import_jobs); "
        "writes bench/results/import.json",
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases
    from tqdm import tqdm

    from accounts.models import Organisation, OrganisationType, Role, User
    from referrals import importer

    database = settings.DATABASES["default"]
    if connection.vendor != "sqlite":
        database.setdefault("TEST", {})["NAME"] = f"nyth_bench_import_{os.getpid()}"
    raw = synthetic_csv(args.rows, args.seed)
    if args.keep_csv:
        args.keep_csv.write_bytes(raw)

    print(f"Creating a throwaway {connection.vendor} database and migrating it…", file=sys.stderr)
    old_config = setup_databases(verbosity=0, interactive=False, aliases={"default"})  # type: ignore[arg-type]  # any collection of aliases; the stubs say Mapping
    try:
        service = Organisation.objects.create(
            code="BENCH-SVC", name_en="Benchmark Service", name_cy="Gwasanaeth Meincnodi", type=OrganisationType.SERVICE
        )
        manager = User.objects.create_user(username="bench-manager", organisation=service, role=Role.SERVICE_MANAGER)
        mode = importer.ALL_OR_NOTHING if args.all_or_nothing else importer.VALID_ONLY

        def progress(description: str, total: int) -> tqdm:
            return tqdm(total=total, desc=description, unit="rows", file=sys.stderr, leave=False)

        with connection.cursor() as cursor:
            cursor.execute("select version()" if connection.vendor == "postgresql" else "select sqlite_version()")
            version = cursor.fetchone()[0].split(" on ")[0]
            backend_pid = None
            if connection.vendor == "postgresql":
                cursor.execute("select pg_backend_pid()")
                backend_pid = cursor.fetchone()[0]
        figures: list[tuple[str, Any, float, float, float | None]] = []
        for label in ("first import", "same file again"):
            started, cpu, server = time.perf_counter(), os.times(), _server_cpu(backend_pid)
            if args.background:
                from referrals import import_jobs
                from referrals.models import ImportJob

                # The tests' immediate task backend runs the task at enqueue, in this process:
                # the same code a worker runs, without a second process on a busy machine.
                job = import_jobs.start_import(
                    raw=raw,
                    filename="bench.csv",
                    mode=mode,
                    service=service,
                    by=manager,
                    language="en",
                    rows=import_jobs.precheck(raw),
                )
                job = ImportJob.objects.get(pk=job.pk)
                report = importer.ImportReport(
                    mode=mode, rows=job.rows_total, created=job.created, duplicates=job.duplicates, invalid=job.invalid
                )
            else:
                report = importer.run_import(
                    raw, service=service, by=manager, mode=mode, language="en", progress=progress
                )
            seconds = time.perf_counter() - started
            used = os.times()
            server_used = _server_cpu(backend_pid)
            figures.append(
                (
                    label,
                    report,
                    seconds,
                    used.user - cpu.user + used.system - cpu.system,
                    None if server is None or server_used is None else server_used - server,
                )
            )
    finally:
        teardown_databases(old_config, verbosity=0)

    print(
        f"database: {connection.vendor} ({version}); mode: {mode}; file: {len(raw) / 1_048_576:.1f} MB, {args.rows} rows"
    )
    print(
        f"machine: {os.cpu_count()} CPUs, load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} (other work slows the figures)"
    )
    for label, report, seconds, cpu_seconds, server_seconds in figures:
        server_note = f", database server CPU {server_seconds:.1f} s" if server_seconds is not None else ""
        print(
            f"{label}: {report.rows} rows in {seconds:.2f} s = {report.rows / seconds:,.0f} rows/s "
            f"(created {report.created}, already present {report.duplicates}, invalid {report.invalid}; "
            f"this process's CPU {cpu_seconds:.1f} s{server_note})"
        )
    first = figures[0]
    if first[1].invalid:
        print("warning: the synthetic file had invalid rows:", first[1].errors[:5], file=sys.stderr)
    target = 30.0 * args.rows / 10_000
    verdict = "within" if first[2] < target else "OVER"
    print(f"target: {args.rows} rows in under {target:.0f} s – {verdict} ({first[2]:.2f} s)")
    if args.background:
        import json

        results = {
            "what": "web-style import through the background task (ImportJob + run_import_job)",
            "database": f"{connection.vendor} ({version})",
            "mode": mode,
            "rows": args.rows,
            "cpus": os.cpu_count(),
            "load_average": [round(x, 1) for x in os.getloadavg()],
            "runs": [
                {
                    "label": label,
                    "seconds": round(seconds, 2),
                    "created": r.created,
                    "duplicates": r.duplicates,
                    "invalid": r.invalid,
                }
                for label, r, seconds, _cpu, _server in figures
            ],
        }
        (ROOT / "bench" / "results" / "import.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
