"""django-tasks-rq's backend, with RQ's ``Retry`` on every job so a job abandoned by a killed
worker is re-queued (RQ's ``StartedJobRegistry.cleanup`` retries an abandoned job only when it
has retries left; without them it is moved to the failed registry). ``NYTH_TASK_MAX_ATTEMPTS``
is the same ceiling as on the database backend. Unlike the database backend, RQ also retries a
job that raised – tasks are re-runnable anyway (ADR 007)."""

from __future__ import annotations

from typing import Any

import django_rq
from django.conf import settings
from django_tasks.base import TASK_MAX_PRIORITY, TaskResult, TaskResultStatus
from django_tasks.signals import task_enqueued
from django_tasks.utils import get_random_id
from django_tasks_rq.backend import Job, RQBackend, failed_callback, success_callback
from rq import Retry, Worker
from rq.job import Callback, JobStatus


def final_failure_callback(
    job: Job, connection: Any, exception_class: Any, exception_value: Any, traceback: Any
) -> None:
    """django-tasks-rq's failure callback, only for a failure that will not be retried.

    RQ calls a job's failure callback *before* it decides to retry (both for an abandoned job in
    ``StartedJobRegistry.cleanup`` and for one that raised), so the plain callback sent
    ``task_finished`` (FAILED) for a job about to run again: the import job was marked
    "stopped" and the retry then returned at once (found by smoke/test_proof.py under RQ)."""
    if job.retries_left:
        return
    failed_callback(job, connection, exception_class, exception_value, traceback)


class RetryingRQBackend(RQBackend):
    def enqueue(self, task: Any, args: Any, kwargs: Any) -> TaskResult:
        # As RQBackend.enqueue (django-tasks-rq 0.12), plus ``retry``.
        self.validate_task(task)
        task_result: TaskResult = TaskResult(
            task=task,
            id=get_random_id(),
            status=TaskResultStatus.READY,
            enqueued_at=None,
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=args,
            kwargs=kwargs,
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        queue = django_rq.get_queue(task.queue_name, job_class=Job)
        job = queue.create_job(
            task.module_path,
            args=args,
            kwargs=kwargs,
            job_id=task_result.id,
            status=JobStatus.SCHEDULED if task.run_after else JobStatus.QUEUED,
            on_failure=Callback(final_failure_callback),
            on_success=Callback(success_callback),
            meta={"backend_name": self.alias},
            retry=Retry(max=max(int(settings.NYTH_TASK_MAX_ATTEMPTS) - 1, 0)),
        )
        if task.run_after is None:
            job = queue.enqueue_job(job, at_front=task.priority == TASK_MAX_PRIORITY)
        else:
            job = queue.schedule_job(job, task.run_after)
        object.__setattr__(task_result, "enqueued_at", job.enqueued_at)
        task_enqueued.send(type(self), task_result=task_result)
        return task_result


class NythWorker(Worker):
    """RQ's forking worker with the two intervals that bound how soon a killed worker's job is
    re-queued taken from settings (django-rq's ``rqworker`` has no option for either; it takes
    ``RQ["WORKER_CLASS"]``). A job is abandoned once its heartbeat lapses – at most
    ``job_monitoring_interval`` + 60 s (RQ's fixed margin) after the kill – and is re-queued by
    the next maintenance run of any worker (every ``maintenance_interval``, and at its start).
    RQ's defaults are 30 s and 10 minutes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("maintenance_interval", int(settings.NYTH_RQ_MAINTENANCE_SECONDS))
        kwargs.setdefault("job_monitoring_interval", int(settings.NYTH_RQ_JOB_MONITORING_SECONDS))
        super().__init__(*args, **kwargs)

    @property
    def dequeue_timeout(self) -> int:
        # An idle worker blocks in BLPOP for worker_ttl - 15 s (405 s with django-rq's default)
        # and runs maintenance only between two waits: wake at least every maintenance interval,
        # or a killed worker's job waits minutes longer than the interval says (found by
        # smoke/test_proof.py: with a 3 s interval nothing was re-queued in 5 minutes).
        return max(1, min(super().dequeue_timeout, int(self.maintenance_interval)))
