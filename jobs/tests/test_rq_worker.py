"""The task API on RQ: a real ``rqworker`` on the machine's Redis (DB 2) runs an outbox email."""

from __future__ import annotations

import subprocess
import sys

import pytest
import redis
from django.test import override_settings

from jobs.email import deliver_email
from jobs.models import SentEmail
from jobs.tests.test_worker import ROOT, _database_url, _sent

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
REDIS_URL = "redis://127.0.0.1:6379/2"
RQ_TASKS = {"default": {"BACKEND": "jobs.rq_backend.RetryingRQBackend", "QUEUES": ["default"]}}


@pytest.fixture
def redis_db():
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=5, socket_connect_timeout=5)
    client.flushdb()  # DB 2 is this test's own
    yield client
    client.flushdb()
    client.close()


def test_an_rq_worker_sends_an_outbox_email_once(redis_db, mail_dir):
    with override_settings(TASKS=RQ_TASKS, RQ_QUEUES={"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 60}}):
        for _ in range(2):  # the same event twice: one email
            deliver_email.enqueue(event_key="rq-test", to="rq@example.invalid", subject="RQ", body="Sent by RQ")
    assert redis_db.llen("rq:queue:default") == 2
    from rq.job import Job

    queued = Job.fetch(redis_db.lindex("rq:queue:default", 0).decode(), connection=redis_db)
    assert queued.retries_left == 2  # NYTH_TASK_MAX_ATTEMPTS 3: an abandoned job is re-queued twice
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "worker-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "NYTH_TESTING": "1",
        "NYTH_HTTPS": "0",
        "DATABASE_URL": _database_url(),
        "NYTH_TASK_BACKEND": "rq",
        "NYTH_REDIS_URL": REDIS_URL,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    # --burst: work the queue, then exit; bounded by the timeout either way.
    done = subprocess.run(
        [sys.executable, "manage.py", "rqworker", "--burst", "--with-scheduler", "default"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert _sent(mail_dir) == {"rq@example.invalid": 1}, (done.stdout + done.stderr).decode()[-3000:]
    assert SentEmail.objects.filter(event_key="rq-test", recipient="rq@example.invalid").count() == 1
