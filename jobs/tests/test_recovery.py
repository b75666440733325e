"""The reaper's rules, and enqueueing only after commit (in-process, database backend)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from jobs.email import deliver_email
from jobs.models import WorkerLease
from jobs.queue import enqueue_on_commit
from jobs.recovery import reap
from referrals import import_jobs
from referrals.models import ImportJob

pytestmark = pytest.mark.django_db
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _running(task, *, workers: list[str], minutes_ago: int = 5) -> DBTaskResult:
    result = DBTaskResult.objects.get(pk=task.id)
    result.status, result.worker_ids = "RUNNING", workers
    result.started_at = timezone.now() - timedelta(minutes=minutes_ago)
    result.save()
    return result


def _enqueue():
    return deliver_email.enqueue(event_key="e", to="a@example.invalid", subject="s", body="b")


@override_settings(TASKS=DB_TASKS, NYTH_TASK_LEASE_SECONDS=60, NYTH_TASK_MAX_ATTEMPTS=3)
def test_a_task_of_a_dead_worker_is_requeued_and_a_live_ones_is_left():
    dead, live = _running(_enqueue(), workers=["dead"]), _running(_enqueue(), workers=["live"])
    WorkerLease.objects.create(worker_id="live", beat_at=timezone.now())
    WorkerLease.objects.create(worker_id="dead", beat_at=timezone.now() - timedelta(minutes=2))
    report = reap()
    assert report.requeued == [str(dead.pk)] and report.failed == []
    dead.refresh_from_db(), live.refresh_from_db()
    assert (dead.status, dead.started_at) == ("READY", None) and live.status == "RUNNING"


@override_settings(TASKS=DB_TASKS, NYTH_TASK_LEASE_SECONDS=60, NYTH_TASK_MAX_ATTEMPTS=3)
def test_a_task_that_lost_its_worker_too_often_is_failed_and_its_import_says_it_stopped(
    south, manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = import_jobs.start_import(
            raw=b"given_name\nAnna\n",
            filename="f.csv",
            mode="valid_only",
            service=south,
            by=manager,
            language="en",
            rows=1,
        )
    task = DBTaskResult.objects.get(task_path__endswith="run_import_job")
    result = _running(task, workers=["a", "b", "c"])
    report = reap()
    assert report.failed == [str(result.pk)]
    result.refresh_from_db()
    assert result.status == "FAILED" and "WorkerLost" in result.exception_class_path
    job.refresh_from_db()
    assert job.status == "failed" and job.finished_at is not None


@override_settings(TASKS=DB_TASKS, NYTH_TASK_LEASE_SECONDS=60)
def test_a_task_just_started_is_not_taken_for_abandoned():
    task = _running(_enqueue(), workers=["not-yet-beating"], minutes_ago=0)
    assert reap().requeued == []
    task.refresh_from_db()
    assert task.status == "RUNNING"


@override_settings(TASKS=DB_TASKS)
def test_enqueue_happens_on_commit_and_never_for_a_rollback(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                enqueue_on_commit(deliver_email, event_key="x", to="a@example.invalid", subject="s", body="b")
                raise RuntimeError
        except RuntimeError:
            pass
    assert not DBTaskResult.objects.exists()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enqueue_on_commit(deliver_email, event_key="x", to="a@example.invalid", subject="s", body="b")
        assert not DBTaskResult.objects.exists()  # not inside the transaction
    callbacks[0]()
    assert DBTaskResult.objects.get().args_kwargs["kwargs"]["event_key"] == "x"


def test_send_once_sends_each_recipient_once(django_capture_on_commit_callbacks, mailoutbox):
    from jobs.email import send_once

    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            send_once(
                event_key="k", to=["a@example.invalid", "b@example.invalid", "a@example.invalid"], subject="s", body="b"
            )
    assert sorted(m.to[0] for m in mailoutbox) == ["a@example.invalid", "b@example.invalid"]
    assert ImportJob.objects.count() == 0
