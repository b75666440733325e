"""Recovering tasks whose worker was killed.

django-tasks' database backend marks a task "running" when a worker claims it and never looks at
it again: if that worker is killed (OOM, deploy, power), the task stays "running" for ever.
Nyth's worker (``manage.py run_worker``) holds a lease – a ``WorkerLease`` row it beats every
``NYTH_TASK_HEARTBEAT_SECONDS`` from a thread of its own, even during a long task – and the
reaper (run by every worker every ``NYTH_TASK_REAP_SECONDS``, and by ``manage.py reap_tasks``)
re-queues each running task whose worker's lease is older than ``NYTH_TASK_LEASE_SECONDS``.

Attempts are counted by the backend itself: each claim appends the worker's id to the task's
``worker_ids``. A task abandoned ``NYTH_TASK_MAX_ATTEMPTS`` times is marked failed (a
``WorkerLost`` error with every worker named) and logged at ERROR – a task that kills its worker
each time (say, out of memory) must not loop for ever.

A re-queued task runs again from its start, so every task must be safe to re-run: emails skip
recipients already marked (``jobs.email``), the CSV import resumes from its committed checkpoint.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus, task_finished
from django_tasks_db.models import DBTaskResult

from jobs.models import WorkerLease

logger = logging.getLogger("jobs.recovery")


class WorkerLost(Exception):
    """The task's worker died every time it ran it."""


@dataclass
class ReapReport:
    requeued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def lease_seconds() -> float:
    return float(settings.NYTH_TASK_LEASE_SECONDS)


def beat(worker_id: str) -> None:
    """Renew this worker's lease (creating it on the first beat)."""
    now = timezone.now()
    updated = WorkerLease.objects.filter(worker_id=worker_id).update(beat_at=now)
    if not updated:
        WorkerLease.objects.update_or_create(
            worker_id=worker_id,
            defaults={"beat_at": now, "hostname": socket.gethostname()[:255], "pid": os.getpid()},
        )


def release(worker_id: str) -> None:
    """A worker that stops cleanly gives its lease back (it finished its task first)."""
    WorkerLease.objects.filter(worker_id=worker_id).delete()


def _abandoned(task: DBTaskResult, live: set[str], cutoff: datetime) -> bool:
    worker = task.worker_ids[-1] if task.worker_ids else None
    if worker in live:
        return False
    # No live lease: abandoned once it has been running longer than a lease. Our worker beats
    # before it claims anything. (A plain ``db_worker`` holds no lease, so its long tasks would
    # be taken for abandoned: run ``run_worker`` only.)
    return task.started_at is None or task.started_at < cutoff


def reap(*, now: datetime | None = None) -> ReapReport:
    """Re-queue (or, past the ceiling, fail) every running task whose worker is gone."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=lease_seconds())
    max_attempts = int(settings.NYTH_TASK_MAX_ATTEMPTS)
    report = ReapReport()
    failed_results: list[DBTaskResult] = []
    live = set(WorkerLease.objects.filter(beat_at__gte=cutoff).values_list("worker_id", flat=True))
    for candidate in DBTaskResult.objects.running().only("id", "worker_ids", "started_at"):
        if not _abandoned(candidate, live, cutoff):
            continue
        with transaction.atomic():
            task = (
                DBTaskResult.objects.select_for_update()
                .filter(pk=candidate.pk, status=TaskResultStatus.RUNNING)
                .first()
            )
            if task is None or task.worker_ids != candidate.worker_ids:
                continue  # finished, or claimed again, meanwhile
            attempts = len(task.worker_ids)
            if attempts >= max_attempts:
                task.set_failed(
                    WorkerLost(
                        f"{task.task_path}: the worker was lost {attempts} times "
                        f"(workers {', '.join(task.worker_ids)}); not retried again"
                    )
                )
                logger.error("task %s (%s) failed: its worker was lost %s times", task.pk, task.task_path, attempts)
                report.failed.append(str(task.pk))
                failed_results.append(task)
            else:
                task.status = TaskResultStatus.READY
                task.started_at = None
                task.save(update_fields=["status", "started_at"])
                logger.warning(
                    "task %s (%s) re-queued: worker %s lost (attempt %s of %s)",
                    task.pk,
                    task.task_path,
                    task.worker_ids[-1] if task.worker_ids else "?",
                    attempts,
                    max_attempts,
                )
                report.requeued.append(str(task.pk))
    for task in failed_results:
        # The same signal a worker sends when a task fails, so the task's owner can report it
        # (an import job says it stopped, with the rows committed).
        try:
            task_finished.send(sender=type(task.task.get_backend()), task_result=task.task_result)
        except ImportError:
            logger.exception("task %s: its code is gone", task.pk)
    # Leases of workers long gone are only clutter.
    WorkerLease.objects.filter(beat_at__lt=now - timedelta(seconds=lease_seconds() * 20)).delete()
    return report
