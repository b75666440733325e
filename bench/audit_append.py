#!/usr/bin/env python
"""Audit appends per second with N concurrent "requests", before and after ADR 012.

Each simulated request opens a transaction, records one audit event, does ``--work-ms`` of
other work (``pg_sleep``: the rest of a page's queries) and commits.

- **before**: ADR 002's append, reproduced here: lock the chain head row, chain the event in its
  own row, move the head – and keep the lock until the request commits.
- **after**: ``audit.services.record`` (an INSERT, no lock) while one sequencer thread runs
  ``audit.chain.seal_pending`` in a loop, as the worker does; the figure includes the time until
  every event is sealed.

Runs in a throwaway database (``nyth_auditchain_bench_<pid>`` on PostgreSQL, created and dropped by
Django's test-database machinery). Writes bench/results/audit_append.json.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/nyth_auditchain .venv/bin/python bench/audit_append.py
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("NYTH_DEMO", "1")  # the development secret key and audit key


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", default="1,4,16", help="comma-separated thread counts (default 1,4,16)")
    parser.add_argument("--per-thread", type=int, default=100, help="requests per thread (default 100)")
    parser.add_argument("--work-ms", type=float, default=5.0, help="other work inside each request (default 5 ms)")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, connections, transaction
    from django.test.utils import setup_databases, teardown_databases
    from django.utils import timezone

    from accounts.models import Organisation, OrganisationType, Role, User
    from audit import chain
    from audit.models import AuditChainHead, AuditEvent
    from audit.services import record

    if connection.vendor != "postgresql":
        sys.exit("Run on PostgreSQL (DATABASE_URL=postgres://…): SQLite serialises every writer anyway.")
    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = f"nyth_auditchain_bench_{os.getpid()}"
    print("Creating a throwaway PostgreSQL database and migrating it…", file=sys.stderr)
    old_config = setup_databases(verbosity=0, interactive=False, aliases={"default"})  # type: ignore[arg-type]  # any collection of aliases; the stubs say Mapping

    def work() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(%s)", [args.work_ms / 1000])

    def before(actor: User, n: int) -> None:
        with transaction.atomic():
            # A head row of its own (pk=2), so the real chain (pk=1) stays whole for "after":
            # the same one-row lock as ADR 002's.
            head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=2)
            event = AuditEvent(
                seq=head.last_seq + 1,
                occurred_at=timezone.now(),
                action="view",
                actor=actor,
                actor_label="bench",
                detail={"n": n},
                prev_hash=head.last_hash,
            )
            event.hash = event.compute_hash()
            event.save()
            head.last_seq, head.last_hash = head.last_seq + 1, event.hash
            head.save(update_fields=["last_seq", "last_hash"])
            work()

    def after(actor: User, n: int) -> None:
        with transaction.atomic():
            record(actor=actor, action="view", detail={"n": n}, route="ui")
            work()

    def run(mode: str, threads: int, actor: User) -> dict:
        append = before if mode == "before" else after
        barrier = threading.Barrier(threads + 1)
        stop = threading.Event()
        errors: list[BaseException] = []

        def writer() -> None:
            try:
                barrier.wait()
                for n in range(args.per_thread):
                    append(actor, n)
            except BaseException as error:
                errors.append(error)
            finally:
                connections.close_all()

        def sequencer() -> None:
            try:
                while not stop.is_set():
                    if not chain.seal_pending():
                        stop.wait(0.01)
            finally:
                connections.close_all()

        workers = [threading.Thread(target=writer) for _ in range(threads)]
        sealer = threading.Thread(target=sequencer) if mode == "after" else None
        for thread in workers:
            thread.start()
        if sealer:
            sealer.start()
        barrier.wait()
        started = time.perf_counter()
        for thread in workers:
            thread.join()
        appended = time.perf_counter() - started
        if sealer:
            stop.set()
            sealer.join()
            chain.seal_pending()
        sealed = time.perf_counter() - started
        if errors:
            raise errors[0]
        total = threads * args.per_thread
        return {
            "mode": mode,
            "threads": threads,
            "appends": total,
            "appends_per_second": round(total / appended, 1),
            "seconds": round(appended, 3),
            "seconds_until_all_sealed": round(sealed, 3),
        }

    results = []
    try:
        service = Organisation.objects.create(
            code="BENCH", name_en="Bench", name_cy="Mainc", type=OrganisationType.SERVICE
        )
        actor = User.objects.create_user(username="bench", organisation=service, role=Role.PRACTITIONER)
        chain.seal_pending()
        for threads in (int(x) for x in args.threads.split(",")):
            for mode in ("before", "after"):
                figures = run(mode, threads, actor)
                results.append(figures)
                print(
                    f"{mode:6} {threads:3} threads: {figures['appends_per_second']:8.1f} appends/s "
                    f"({figures['appends']} in {figures['seconds']} s; all sealed at {figures['seconds_until_all_sealed']} s)"
                )
                chain.seal_pending()  # "before" events join the real chain too, for the final check
        verified = chain.verify()
        with connection.cursor() as cursor:
            cursor.execute("select version()")
            version = cursor.fetchone()[0].split(" on ")[0]
    finally:
        teardown_databases(old_config, verbosity=0)
    uptime = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()  # noqa: S607
    print(f"database: {version}; {os.cpu_count()} CPUs; uptime: {uptime}")
    print(f"chain after the runs: {verified.message}")
    output = {
        "what": "audit appends per second, N concurrent requests each recording one event then doing "
        f"{args.work_ms} ms of other work before commit; before = ADR 002 head lock, after = ADR 012 insert + sequencer",
        "database": version,
        "cpus": os.cpu_count(),
        "uptime": uptime,
        "per_thread": args.per_thread,
        "work_ms": args.work_ms,
        "runs": results,
        "chain_verified": verified.ok,
    }
    (ROOT / "bench" / "results" / "audit_append.json").write_text(json.dumps(output, indent=2) + "\n")


if __name__ == "__main__":
    main()
