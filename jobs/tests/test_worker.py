"""Background work against a real worker process (``manage.py run_worker``) on the database
backend: the same database as the test (a file on SQLite, the test database on PostgreSQL).

The crash tests kill the worker at named points (``jobs.crash``; SIGKILL, nothing cleans up),
start a second worker whose reaper re-queues the abandoned task once the first worker's lease
has expired, and assert exactly the guarantee the docs state."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from email import message_from_bytes
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.models import Role
from accounts.tests.factories import UserFactory
from jobs.models import SentEmail
from people.models import BreakGlassAccess
from referrals import import_jobs
from referrals.models import ImportJob, Referral
from referrals.tests.test_import import csv_bytes, row

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]

ROOT = Path(__file__).resolve().parents[2]
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
LEASE = 3  # seconds: short, so the tests wait little for a dead worker's lease to expire


def _database_url() -> str:
    s = connection.settings_dict
    if s["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def mail_dir(tmp_path) -> Path:  # also used by test_rq_worker
    path = tmp_path / "mail"
    path.mkdir()
    return path


@pytest.fixture
def start_worker(mail_dir, request):
    """Start ``run_worker`` processes on this test's database; every one is killed at the end."""
    processes: list[subprocess.Popen] = []

    def start(**extra: str) -> subprocess.Popen:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "SECRET_KEY": "worker-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            "NYTH_TESTING": "1",
            "NYTH_HTTPS": "0",
            "DATABASE_URL": _database_url(),
            "NYTH_TASK_BACKEND": "database",
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
            "NYTH_TASK_LEASE_SECONDS": str(LEASE),
            "NYTH_TASK_HEARTBEAT_SECONDS": "0.5",
            "NYTH_TASK_REAP_SECONDS": "1",
            **extra,
        }
        env.pop("NYTH_CRASH_AT", None) if "NYTH_CRASH_AT" not in extra else None
        process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "run_worker",
                "--no-reload",
                "--interval",
                "0.2",
                "--no-startup-delay",
                "-v",
                "0",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        processes.append(process)
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        if process.stderr:
            process.stderr.close()


def wait_for(condition, *, timeout: float = 120, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)  # polling interval, not a fixed wait: the deadline bounds it
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def _names(n: int) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return [f"Rhes{letters[i // 676 % 26]}{letters[i // 26 % 26]}{letters[i % 26]}" for i in range(n)]


def _file(valid: int, invalid: int) -> bytes:
    rows = [row(given_name=name, nhs_number="") for name in _names(valid)]
    rows += [row(given_name=f"Drwg{name}", date_of_birth="31/02/2011", nhs_number="") for name in _names(invalid)]
    return csv_bytes(rows)


def _start(raw: bytes, south, manager, mode: str = "valid_only") -> ImportJob:
    with override_settings(TASKS=DB_TASKS):
        return import_jobs.start_import(
            raw=raw,
            filename="list.csv",
            mode=mode,
            service=south,
            by=manager,
            language="en",
            rows=import_jobs.precheck(raw),
        )


def _done(job: ImportJob) -> ImportJob | None:
    job.refresh_from_db()
    return job if job.finished else None


def test_a_worker_process_imports_an_uploaded_file(south, manager, start_worker):
    job = _start(_file(5, 1), south, manager)
    assert DBTaskResult.objects.get().status == "READY"  # enqueued on commit, not yet run
    start_worker()
    job = wait_for(lambda: _done(job), what="the import")
    assert (job.status, job.created, job.duplicates, job.invalid, job.rows_total) == ("done", 5, 0, 1, 6)
    assert Referral.objects.filter(service=south).count() == 5
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


@pytest.mark.parametrize(
    ("crash_at", "committed"),
    [("import:before_first_batch", 0), ("import:mid_batch@2", 200), ("import:after_batch@2", 400)],
)
def test_a_killed_import_is_resumed_with_exact_counts(south, manager, start_worker, crash_at, committed):
    job = _start(_file(650, 3), south, manager)
    first = start_worker(NYTH_CRASH_AT=crash_at)
    assert first.wait(timeout=120) == -9  # SIGKILLed at the named point
    job.refresh_from_db()
    task = DBTaskResult.objects.get()
    assert task.status == "RUNNING"  # what django-tasks-db would leave for ever
    assert job.checkpoint == committed and Referral.objects.count() == committed == job.created
    second = start_worker()
    job = wait_for(lambda: _done(job), what="the resumed import")
    assert second.poll() is None
    assert (job.status, job.created, job.duplicates, job.invalid, job.valid_total) == ("done", 650, 0, 3, 650)
    assert Referral.objects.count() == 650  # nothing twice, nothing lost
    assert job.runs == 2
    # The worker marks the task successful just after the import's last commit: wait for it
    # (under load the gap is long enough to see RUNNING), never for a fixed time.
    task = wait_for(
        lambda: DBTaskResult.objects.filter(pk=task.pk, status="SUCCESSFUL").first(), what="the task marked successful"
    )
    assert len(task.worker_ids) == 2


def test_all_or_nothing_killed_mid_file_shows_nothing_then_finishes(south, manager, start_worker):
    job = _start(_file(450, 0), south, manager, mode="all_or_nothing")
    assert start_worker(NYTH_CRASH_AT="import:after_batch@2").wait(timeout=120) == -9
    assert Referral.objects.count() == 0  # two batches written, none committed
    start_worker()
    job = wait_for(lambda: _done(job), what="the all-or-nothing import")
    assert (job.created, Referral.objects.count()) == (450, 450)


def _sent(mail_dir: Path) -> Counter:
    counts: Counter = Counter()
    for path in mail_dir.iterdir():
        for chunk in path.read_bytes().split(b"-" * 79):
            if chunk.strip():
                counts[message_from_bytes(chunk.strip()).get("To")] += 1
    return counts


def test_an_email_in_flight_at_a_crash_is_the_only_one_sent_twice(south, manager, duty, child, start_worker, mail_dir):
    managers = [manager, *(UserFactory(organisation=south, role=Role.SERVICE_MANAGER) for _ in range(2))]
    for number, user in enumerate(managers):
        user.email = f"manager{number}@example.invalid"
        user.save()
    started = timezone.now() - timedelta(hours=9)
    access = BreakGlassAccess.objects.create(
        user=duty,
        child=child,
        reason="Crisis call at night",
        started_at=started,
        expires_at=started + timedelta(hours=4),
    )
    from people.tasks import report_emergency_access_task

    with override_settings(TASKS=DB_TASKS):
        report_emergency_access_task.enqueue()
    # Killed after the second manager's email was sent and before its marker was written.
    assert start_worker(NYTH_CRASH_AT="email:after_send@2").wait(timeout=60) == -9
    first_run = _sent(mail_dir)
    marked = set(SentEmail.objects.values_list("recipient", flat=True))
    assert sorted(first_run.values()) == [1, 1] and len(marked) == 1 and marked < set(first_run)
    (in_flight,) = set(first_run) - marked  # sent, not marked: the duplicate window
    access.refresh_from_db()
    assert access.reported_at is None
    start_worker()
    wait_for(lambda: DBTaskResult.objects.filter(status="SUCCESSFUL").exists(), what="the re-run report")
    sent = _sent(mail_dir)
    # Every manager told; only the one in flight twice.
    everyone = {f"manager{n}@example.invalid" for n in range(3)}
    assert sent == {address: 2 if address == in_flight else 1 for address in everyone}
    access.refresh_from_db()
    assert access.reported_at is not None


def test_the_worker_is_the_audit_sequencer(south, manager, start_worker):
    from audit.chain import verify
    from audit.models import AuditEvent
    from audit.services import record

    start_worker(NYTH_AUDIT_SEAL_SECONDS="0.2")
    events = [
        record(actor=manager, action="view", detail={"n": n}, route="ui") for n in range(3)
    ]  # committed: autocommit
    wait_for(lambda: not AuditEvent.objects.unsealed().exists(), timeout=60, what="the worker to seal the events")
    assert [event.link.seq for event in AuditEvent.objects.filter(pk__in=[e.pk for e in events])] == [1, 2, 3]
    assert verify(seal=False).ok


@pytest.mark.parametrize("crash_at", ["export:after_step@3", "export:before_save"])
def test_a_killed_export_leaves_no_half_file_and_is_finished_by_the_next_worker(south, manager, start_worker, crash_at):
    """An export's worker SIGKILLed part-way (after its third indicator, or with the file made but
    not stored) leaves the job running with no content; the reaper re-queues it and the next
    worker makes the whole file once (issue 15: "a killed job never leaves half a change")."""
    from reporting import periods, tasks
    from reporting.filters import Filters
    from reporting.models import ExportJob

    with override_settings(TASKS=DB_TASKS):
        job = tasks.start_export(user=manager, period=periods.quarter(2026, 1), filters=Filters(service_id=south.pk),
                                 area_label="South", fmt="csv", language="cy")  # fmt: skip
    assert start_worker(NYTH_CRASH_AT=crash_at).wait(timeout=120) == -9
    job.refresh_from_db()
    assert job.status == "running" and not job.content and job.size == 0
    assert DBTaskResult.objects.get().status == "RUNNING"
    start_worker()
    job = wait_for(lambda: ExportJob.objects.filter(pk=job.pk, status="done").first(), what="the re-run export")
    assert job.runs == 2 and job.steps_done == job.steps_total
    text = bytes(job.content).decode("utf-8-sig")
    assert text.count("\n") > 10 and job.size == len(bytes(job.content))
