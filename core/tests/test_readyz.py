"""/readyz: templates (the static manifest) and the database are fatal, Redis is degraded, the
task queue is a figure."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

pytestmark = pytest.mark.django_db

MANIFEST_STORAGE = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}


def test_readyz_is_ok_without_signing_in(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"templates": "ok", "database": "ok", "redis": "not configured"}
    assert body["tasks"] == {"backend": "database", "waiting": 0, "oldest_waiting_seconds": None}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_returns_503_naming_the_database_when_it_is_down(client):
    with mock.patch.object(BaseDatabaseWrapper, "ensure_connection", side_effect=OperationalError("refused")):
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failed"] == ["database"]
    assert body["checks"]["database"] == "failed: OperationalError"
    assert body["checks"]["templates"] == "ok"
    assert "refused" not in response.content.decode()  # the driver's message stays in the log
    assert client.get("/readyz").status_code == 200  # and it recovers by itself


def test_readyz_returns_503_naming_the_templates_when_the_static_manifest_is_missing(client, tmp_path):
    # Production storage over an empty STATIC_ROOT: collectstatic never ran (the original fault).
    with override_settings(STORAGES=MANIFEST_STORAGE, STATIC_ROOT=tmp_path):
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["templates"]
    assert body["checks"]["templates"] == "failed: ValueError"
    assert body["checks"]["database"] == "ok"


def test_readyz_reports_unreachable_redis_as_degraded_with_200(client):
    # Nothing listens on port 1 of loopback: the connection is refused at once.
    with override_settings(NYTH_REDIS_URL="redis://127.0.0.1:1/1"):
        response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["degraded"] == ["redis"]
    assert body["checks"]["redis"].startswith("degraded: ")


def test_readyz_reports_reachable_redis_as_ok(client):
    with override_settings(NYTH_REDIS_URL="redis://127.0.0.1:6379/1"):
        response = client.get("/readyz")
    assert response.json()["checks"]["redis"] == "ok"
    assert response.json()["status"] == "ok"


def _task(status: str, enqueued_minutes_ago: float, run_after: datetime.datetime | None = None) -> DBTaskResult:
    from django_tasks_db.models import get_date_max

    result = DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="core.tests.nothing",
        backend_name="default",
        run_after=run_after or get_date_max(),
    )
    # enqueued_at is auto_now_add: set the past afterwards.
    DBTaskResult.objects.filter(pk=result.pk).update(
        enqueued_at=timezone.now() - datetime.timedelta(minutes=enqueued_minutes_ago)
    )
    return result


def test_readyz_gives_the_count_and_age_of_the_oldest_waiting_task(client):
    _task("READY", 10)
    _task("READY", 2)
    _task("RUNNING", 60)  # being worked on: not waiting
    _task("SUCCESSFUL", 120)  # finished
    _task("READY", 90, run_after=timezone.now() + datetime.timedelta(hours=1))  # not due yet
    tasks = client.get("/readyz").json()["tasks"]
    assert tasks["waiting"] == 2
    assert 10 * 60 - 5 <= tasks["oldest_waiting_seconds"] <= 10 * 60 + 60


def test_rq_queue_figures_read_the_real_queue_on_redis():
    """The RQ backend's figure, against the machine's Redis (DB 1, this test's own queue)."""
    import django_rq
    import redis
    from rq import Queue

    from core.health import rq_queue_figures

    url = "redis://127.0.0.1:6379/1"
    queues = {"readyz-test": {"URL": url, "DEFAULT_TIMEOUT": 60}}
    tasks = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["readyz-test"]}}
    connection = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
    queue = Queue("readyz-test", connection=connection)
    queue.empty()
    try:
        with (
            override_settings(RQ_QUEUES=queues, TASKS=tasks),
            mock.patch.object(django_rq.queues, "get_redis_connection", return_value=connection),
        ):
            assert rq_queue_figures(timezone.now()).waiting == 0
            queue.enqueue("builtins.print", "one")
            queue.enqueue("builtins.print", "two")
            later = timezone.now() + datetime.timedelta(seconds=30)
            figures = rq_queue_figures(later)
        assert figures.waiting == 2
        assert figures.backend == "rq"
        assert 29 <= figures.oldest_waiting_seconds <= 60
    finally:
        queue.empty()
        connection.close()
