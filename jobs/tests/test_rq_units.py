"""The two RQ details the proof under the real server found (ADR 007), checked without a worker."""

from __future__ import annotations

import redis
from django.test import override_settings

from jobs import rq_backend


class _Job:
    def __init__(self, retries_left: int | None) -> None:
        self.retries_left = retries_left


def test_the_failure_callback_is_forwarded_only_when_no_retry_follows(monkeypatch):
    forwarded = []
    monkeypatch.setattr(rq_backend, "failed_callback", lambda job, *args: forwarded.append(job))
    about_to_retry, last_attempt, never_retried = _Job(1), _Job(0), _Job(None)
    for job in (about_to_retry, last_attempt, never_retried):
        rq_backend.final_failure_callback(job, None, RuntimeError, RuntimeError(), None)
    assert forwarded == [last_attempt, never_retried]


def test_an_idle_worker_wakes_for_maintenance_at_its_interval():
    # Constructing a worker does not talk to Redis; django-rq passes worker_ttl=420.
    connection = redis.Redis.from_url("redis://127.0.0.1:6379/5", socket_timeout=1)
    with override_settings(NYTH_RQ_MAINTENANCE_SECONDS=7, NYTH_RQ_JOB_MONITORING_SECONDS=3):
        worker = rq_backend.NythWorker(["default"], connection=connection, worker_ttl=420)
    assert worker.maintenance_interval == 7 and worker.job_monitoring_interval == 3
    assert worker.dequeue_timeout == 7  # not 405: maintenance would wait for the next job or 405 s
    with override_settings(NYTH_RQ_MAINTENANCE_SECONDS=600):
        assert rq_backend.NythWorker(["default"], connection=connection, worker_ttl=420).dequeue_timeout == 405
    connection.close()
