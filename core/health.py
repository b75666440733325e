"""Readiness: can this process serve pages right now? (``/readyz``; ``/healthz`` is liveness.)

Two checks are fatal, because without them every page fails: rendering a template that uses
``{% static %}`` (in production that reads collectstatic's manifest — a missing manifest made
every page a 500 while /healthz still said ok) and a database query. Redis is reported as
"degraded" but not fatal: pages must keep working while it is down (sessions live in the
database). The task queue is a figure, not a verdict: how many tasks wait and how long the
oldest has waited, so monitoring can alert on a stuck or missing worker.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.template import loader
from django.utils import timezone

logger = logging.getLogger(__name__)

OK = "ok"
FAILED = "failed"
DEGRADED = "degraded"
NOT_CONFIGURED = "not configured"

PROBE_TEMPLATE = "core/readyz_probe.html"
REDIS_TIMEOUT_SECONDS = 1.0


@dataclass
class QueueFigures:
    waiting: int | None  # None when the queue could not be read
    oldest_waiting_seconds: float | None  # None when nothing waits (or unreadable)
    backend: str


@dataclass
class Readiness:
    checks: dict[str, str] = field(default_factory=dict)
    fatal: list[str] = field(default_factory=list)
    degraded: list[str] = field(default_factory=list)
    queue: QueueFigures | None = None

    @property
    def status(self) -> str:
        if self.fatal:
            return "unavailable"
        return DEGRADED if self.degraded else OK

    def as_dict(self) -> dict:
        body: dict = {"status": self.status, "checks": self.checks}
        if self.fatal:
            body["failed"] = self.fatal
        if self.degraded:
            body["degraded"] = self.degraded
        if self.queue is not None:
            body["tasks"] = {
                "backend": self.queue.backend,
                "waiting": self.queue.waiting,
                "oldest_waiting_seconds": self.queue.oldest_waiting_seconds,
            }
        return body


def check_templates() -> None:
    """Render a template that resolves a static file name (the manifest in production)."""
    loader.get_template(PROBE_TEMPLATE).render({})


def check_database(alias: str = DEFAULT_DB_ALIAS) -> None:
    """One cheap query; raises the driver's error when the database does not answer. The one probe
    behind /healthz, /readyz and the session middleware's outage test."""
    connection = connections[alias]
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def database_answers(alias: str = DEFAULT_DB_ALIAS) -> bool:
    try:
        check_database(alias)
    except DatabaseError:
        return False
    return True


def check_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(
        url, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS
    )
    try:
        client.ping()
    finally:
        client.close()


def _age_seconds(since: datetime | None, now: datetime) -> float | None:
    if since is None:
        return None
    if timezone.is_naive(since):  # RQ stores naive UTC times
        since = since.replace(tzinfo=UTC)
    return round(max((now - since).total_seconds(), 0.0), 1)


def database_queue_figures(now: datetime) -> QueueFigures:
    """django-tasks-db: tasks READY and due (a task scheduled for later is not waiting yet)."""
    from django.db.models import Min
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.ready()
    figures = waiting.order_by().aggregate(oldest=Min("enqueued_at"))
    return QueueFigures(
        waiting=waiting.count(), oldest_waiting_seconds=_age_seconds(figures["oldest"], now), backend="database"
    )


def rq_queue_figures(now: datetime) -> QueueFigures:
    """RQ: jobs in the configured queues. A queue is a list run from its head, so the oldest
    job is at the head or (for jobs pushed to the front) the tail: both ends are read."""
    import django_rq

    waiting = 0
    oldest: datetime | None = None
    for name in settings.TASKS["default"].get("QUEUES", ["default"]):
        queue = django_rq.get_queue(name)
        waiting += queue.count
        for job_id in {*queue.get_job_ids(0, 1), *queue.get_job_ids(-1, -1)}:
            job = queue.fetch_job(job_id)
            if job is not None and job.enqueued_at is not None:
                enqueued = (
                    job.enqueued_at if timezone.is_aware(job.enqueued_at) else job.enqueued_at.replace(tzinfo=UTC)
                )
                oldest = enqueued if oldest is None or enqueued < oldest else oldest
    return QueueFigures(waiting=waiting, oldest_waiting_seconds=_age_seconds(oldest, now), backend="rq")


def _failure(name: str, exc: BaseException) -> str:
    # The class name only: /readyz is public, and a driver's message can name hosts or users.
    logger.warning("readiness check %s failed: %s", name, exc.__class__.__name__, exc_info=exc)
    return f"{FAILED}: {exc.__class__.__name__}"


def readiness() -> Readiness:
    result = Readiness()
    for name, check in (("templates", check_templates), ("database", check_database)):
        try:
            check()
        except Exception as exc:  # noqa: BLE001 - any failure here means pages fail
            result.checks[name] = _failure(name, exc)
            result.fatal.append(name)
        else:
            result.checks[name] = OK

    redis_url = getattr(settings, "NYTH_REDIS_URL", "")
    if redis_url:
        try:
            check_redis(redis_url)
        except Exception as exc:  # noqa: BLE001 - reported, never fatal
            result.checks["redis"] = f"{DEGRADED}: {exc.__class__.__name__}"
            logger.warning("readiness: Redis unreachable (%s)", exc.__class__.__name__)
            result.degraded.append("redis")
        else:
            result.checks["redis"] = OK
    else:
        result.checks["redis"] = NOT_CONFIGURED

    backend = getattr(settings, "NYTH_TASK_BACKEND", "database")
    now = timezone.now()
    try:
        result.queue = rq_queue_figures(now) if backend == "rq" else database_queue_figures(now)
    except Exception as exc:  # noqa: BLE001 - the figure is unknown, the reason is logged
        logger.warning("readiness: task queue unreadable (%s)", exc.__class__.__name__)
        result.queue = QueueFigures(waiting=None, oldest_waiting_seconds=None, backend=backend)
        if backend == "rq" and "redis" not in result.degraded:
            result.degraded.append("tasks")
    return result
