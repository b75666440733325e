"""The web CSV import, run in the background by a task worker.

Why: 10,000 rows take about 50 s on PostgreSQL, longer than a web worker may hold a request
(gunicorn kills it at 30 s, which once left 4,200 of 9,963 rows committed and the user with a
bare error page). The upload page now only checks the file as a whole and stores it in an
``ImportJob``; ``run_import_job`` (a task) checks every row and writes the valid ones in batches
of ``importer.CHUNK_SIZE`` (≤ 500); the job page shows the progress and, at the end, the same
row-by-row report as before.

Guarantees, with a worker killed at any point and the task re-queued by the reaper:

* **Valid rows only** – each batch commits together with the job's checkpoint and counts. A run
  that starts again re-checks the file (deterministic) and writes from the checkpoint on, so
  ``created`` + ``duplicates`` + ``invalid`` are exact and nothing is created twice (the
  idempotency keys would refuse it anyway).
* **All or nothing** – the whole file is written in one transaction, so a kill rolls every row
  back and the re-run starts from the first row; no one ever sees part of the file. The page
  shows the checking progress, then "Importing" until the transaction commits (its rows cannot
  be counted from outside before then).
* If the task is given up (the worker lost ``NYTH_TASK_MAX_ATTEMPTS`` times) the page says the
  import stopped and how many rows were committed; uploading the same file again finishes it
  and creates nothing twice.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any
from uuid import UUID

from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone, translation
from django_tasks import TaskResultStatus, task
from django_tasks.signals import task_finished

from jobs.crash import crash_point
from jobs.queue import enqueue_on_commit
from referrals import importer
from referrals.models import ImportJob, ImportJobStatus

logger = logging.getLogger(__name__)

# Progress of the checking stage is saved every this many rows (one small UPDATE each).
PROGRESS_EVERY = 250


def precheck(raw: bytes) -> int:
    """The checks on the file as a whole, fast enough for the request (decode, parse, headers):
    the number of rows, or ``ImportFileError`` with the reasons, shown on the upload form."""
    text = importer.decode(raw)
    header, rows = importer.read_records(text)
    importer.map_headers(header)
    if not rows:
        raise importer.ImportFileError([translation.gettext("The file has no rows to import below the header row.")])
    return len(rows)


def start_import(*, raw: bytes, filename: str, mode: str, service: Any, by: Any, language: str, rows: int) -> ImportJob:
    """Store the upload and queue its import (once this transaction commits)."""
    job = ImportJob.objects.create(
        service=service,
        uploaded_by=by,
        filename=filename[:255],
        mode=mode,
        language=language,
        data=raw,
        size=len(raw),
        rows_total=rows,
    )
    enqueue_on_commit(run_import_job, str(job.pk))
    return job


class _CheckingProgress:
    """The importer's progress bar, saved on the job so the page can show it."""

    def __init__(self, job: ImportJob) -> None:
        self.job = job
        self.done = 0

    def update(self, n: int = 1) -> None:
        self.done += n
        if self.done % PROGRESS_EVERY < n:
            ImportJob.objects.filter(pk=self.job.pk).update(rows_checked=self.done)

    def close(self) -> None:
        ImportJob.objects.filter(pk=self.job.pk).update(rows_checked=self.done)


def _errors(errors: list[importer.RowError]) -> list[list[Any]]:
    return [[e.row, e.column, e.message] for e in sorted(errors, key=lambda e: e.row)]


@task()
def run_import_job(job_id: str) -> dict[str, int]:
    job = ImportJob.objects.select_related("service", "uploaded_by").get(pk=UUID(job_id))
    if job.finished:
        return {"created": job.created, "duplicates": job.duplicates, "invalid": job.invalid}
    try:
        with translation.override(job.language):
            _run(job)
    except Exception:
        logger.exception("import job %s failed", job.pk)
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJobStatus.FAILED, finished_at=timezone.now())
        raise
    return {"created": job.created, "duplicates": job.duplicates, "invalid": job.invalid}


def _run(job: ImportJob) -> None:
    job.status, job.started_at, job.runs = ImportJobStatus.CHECKING, job.started_at or timezone.now(), job.runs + 1
    job.save(update_fields=["status", "started_at", "runs"])
    report = importer.ImportReport(mode=job.mode)
    if job.data is None:
        _finish(
            job,
            report,
            file_errors=[translation.gettext("The file was deleted before it was imported. Upload it again.")],
        )
        return
    try:
        text = importer.decode(bytes(job.data))
        header, rows = importer.read_records(text)
        columns = importer.map_headers(header)
    except importer.ImportFileError as problem:
        _finish(job, report, file_errors=problem.messages)
        return
    report.rows = len(rows)
    valid = importer._check_rows(rows, job.service, columns, report, lambda _label, _total: _CheckingProgress(job))
    in_file_repeats = report.duplicates
    job.valid_total = len(valid)
    # job.errors holds only rows that failed while writing, in batches an earlier run committed.
    job.invalid = report.invalid + len({error[0] for error in job.errors})
    job.status = ImportJobStatus.IMPORTING
    job.save(update_fields=["valid_total", "invalid", "status"])
    if job.mode == importer.ALL_OR_NOTHING and report.invalid:
        _finish(job, report, duplicates=0)
        return
    crash_point("import:before_first_batch")
    failures: list[importer.RowError] = []
    aborted = False
    all_or_nothing = job.mode == importer.ALL_OR_NOTHING
    start = 0 if all_or_nothing else job.checkpoint
    try:
        with transaction.atomic() if all_or_nothing else contextlib.nullcontext():
            for offset in range(start, len(valid), importer.CHUNK_SIZE):
                chunk = valid[offset : offset + importer.CHUNK_SIZE]
                with transaction.atomic():
                    outcomes, chunk_failures = importer.write_chunk(
                        chunk, service=job.service, by=job.uploaded_by, mode=job.mode
                    )
                    crash_point("import:mid_batch")  # written, not committed: rolled back by a kill
                    made = sum(1 for _row, _referral, was_created in outcomes if was_created)
                    job.created += made
                    job.duplicates += len(outcomes) - made
                    job.checkpoint = offset + len(chunk)
                    failures.extend(chunk_failures)
                    job.errors = [*job.errors, *_errors(chunk_failures)]
                    job.invalid += len({f.row for f in chunk_failures})
                    # The checkpoint and counts commit with the batch's referrals, or not at all.
                    job.save(update_fields=["created", "duplicates", "checkpoint", "errors", "invalid"])
                crash_point("import:after_batch")
            if all_or_nothing:
                crash_point("import:before_commit")
    except importer._Abort as abort:
        aborted = True
        failures.extend(abort.failures)
    if aborted:
        job.refresh_from_db()
        job.created = job.duplicates = job.checkpoint = 0
        job.errors = []
        job.invalid = report.invalid + len({f.row for f in failures})
        report.errors.extend(failures)
        _finish(job, report, duplicates=0)
        return
    _finish(job, report, duplicates=job.duplicates + in_file_repeats, write_errors=job.errors)


@transaction.atomic
def _finish(
    job: ImportJob,
    report: importer.ImportReport,
    *,
    file_errors: list[str] | None = None,
    duplicates: int | None = None,
    write_errors: list[list[Any]] | None = None,
) -> None:
    """Mark the job done, with the full report, and write the import's one audit event."""
    job.status = ImportJobStatus.DONE
    job.finished_at = timezone.now()
    job.file_errors = file_errors or []
    job.errors = sorted([*_errors(report.errors), *(write_errors or [])], key=lambda error: error[0])
    if duplicates is not None:
        job.duplicates = duplicates
    job.save()
    report.file_errors = job.file_errors
    report.rows, report.created, report.duplicates, report.invalid = (
        job.rows_total,
        job.created,
        job.duplicates,
        job.invalid,
    )
    importer._audit(job.uploaded_by, report, job.filename)


@receiver(task_finished)
def _import_task_failed(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """A task given up (by the reaper, or RQ's failure callback) leaves its job unfinished:
    say it stopped, so the page reports the rows committed instead of waiting for ever."""
    if task_result.status != TaskResultStatus.FAILED or task_result.task.func is not run_import_job.func:
        return
    ImportJob.objects.filter(pk=task_result.args[0]).exclude(
        status__in=[ImportJobStatus.DONE, ImportJobStatus.FAILED]
    ).update(status=ImportJobStatus.FAILED, finished_at=timezone.now())
