"""Exports made by a task worker (the production runtime's django-tasks: ``jobs/``), and the
quarterly return the service prepares itself.

* ``start_export`` stores an ``ExportJob`` and queues ``run_export`` once the transaction commits
  (``jobs.queue.enqueue_on_commit``). The task builds the suppressed report one indicator at a
  time – each a step of the page's progress bar – then renders the file and stores it in **one
  UPDATE with status DONE**: a worker killed part-way leaves no half file. The reaper re-queues a
  killed worker's task (it starts again from the first indicator: the steps are cheap and
  deterministic); a task given up, or one that raised, leaves the job FAILED and the page says so.
* ``prepare_quarterly_returns(today)`` runs every morning (``manage.py report --quarterly-returns``,
  a systemd timer): on the **first Welsh working day after a quarter ends** (``core.workdays``)
  it makes each active service's return for that quarter, in English and in Welsh, and emails the
  service's managers through the outbox (``jobs.email.send_once``). Idempotent: each return has a
  unique key and each email an event key, so running it twice makes one return and one email.
* Files expire ``NYTH_EXPORT_KEEP_DAYS`` (7) days after they were made; ``purge_expired`` (the
  same morning run) deletes their bytes and keeps the row (who asked for what, when).
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, transaction
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus, task
from django_tasks.signals import task_finished

from core.workdays import add_working_days
from jobs.crash import crash_point
from jobs.queue import enqueue_on_commit
from reporting import exports, periods
from reporting.filters import Filters
from reporting.models import ExportJob, ExportKind, ExportStatus
from reporting.queries import INDICATORS
from reporting.report import SuppressedReport, suppressed_report

logger = logging.getLogger(__name__)


def keep_days() -> int:
    return int(getattr(settings, "NYTH_EXPORT_KEEP_DAYS", 7))


def start_export(
    *, user: Any, period: periods.Period, filters: Filters, area_label: str, fmt: str, language: str
) -> ExportJob:
    if fmt not in exports.FORMATS:
        raise ValueError(f"not an export format: {fmt!r}")
    if not period.fixed:
        raise ValueError("exports are for quarters and years only")
    job = ExportJob.objects.create(
        requested_by=user, period=period.code, filters=dataclasses.asdict(filters), area_label=area_label[:255],
        format=fmt, language=language, steps_total=len(INDICATORS) + 1,
    )  # fmt: skip
    enqueue_on_commit(run_export, str(job.pk))
    return job


def build_report(period: periods.Period, filters: Filters, progress: Any = None) -> SuppressedReport:
    """The same report as ``suppressed_report(period, filters)``, one indicator at a time
    (sections are independent: each indicator's release is suppressed on its own)."""
    sections = []
    report = None
    for done, code in enumerate(INDICATORS, start=1):
        report = suppressed_report(period, filters, [code])
        sections.extend(report.sections)
        if progress is not None:
            progress(done)
    if report is None:
        return suppressed_report(period, filters)
    return SuppressedReport(period, filters, sections, report.limit, report.round_to)


@task()
def run_export(job_id: str) -> str:
    job = ExportJob.objects.get(pk=UUID(job_id))
    if job.finished:
        return str(job.status)
    try:
        _run(job)
    except Exception:
        logger.exception("export %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.FAILED, finished_at=timezone.now())
        raise
    return ExportStatus.DONE


def _run(job: ExportJob) -> None:
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, runs=job.runs + 1, steps_done=0)
    period = periods.parse(job.period)
    filters = Filters(**job.filters)

    def progress(done: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(steps_done=done)
        crash_point("export:after_step")

    report = build_report(period, filters, progress)
    made_at = job.created_at
    content = exports.render(report, job.format, language=job.language, made_at=made_at)
    crash_point("export:before_save")  # made, not stored: a kill here leaves no file
    now = timezone.now()
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.DONE, content=content, size=len(content), filename=exports.filename(report, job.format),
        steps_done=job.steps_total, made_at=made_at, finished_at=now,
        expires_at=now + datetime.timedelta(days=keep_days()),
    )  # fmt: skip


@receiver(task_finished)
def _export_task_failed(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """A task given up by the reaper (its worker lost too often) leaves its job unfinished: say
    it failed, so the page stops waiting."""
    if task_result.status != TaskResultStatus.FAILED or task_result.task.func is not run_export.func:
        return
    ExportJob.objects.filter(pk=task_result.args[0]).exclude(
        status__in=[ExportStatus.DONE, ExportStatus.FAILED]
    ).update(status=ExportStatus.FAILED, finished_at=timezone.now())


# --- The quarterly return ---------------------------------------------------------------------


def return_day(quarter: periods.Period) -> datetime.date:
    """The first Welsh working day after ``quarter`` ends."""
    return add_working_days(quarter.end, 1)


def due_quarter(today: datetime.date) -> periods.Period | None:
    """The quarter whose return is made ``today``, if any."""
    last = periods.quarter_of(periods.quarter_of(today).start - datetime.timedelta(days=1))
    return last if return_day(last) == today else None


def prepare_quarterly_returns(today: datetime.date) -> list[ExportJob]:
    """On a return day, each active service's return (PDF, in English and in Welsh) and one email
    to each of its managers; on any other day nothing. Returns the jobs made now (none when they
    exist already)."""
    from accounts.models import Organisation, OrganisationType

    quarter = due_quarter(today)
    if quarter is None:
        return []
    made: list[ExportJob] = []
    for service in Organisation.objects.filter(type=OrganisationType.SERVICE, is_active=True):
        for language in ("en", "cy"):
            key = f"quarterly:{quarter.code}:service:{service.pk}:{language}"
            with translation.override(language):
                label = service.name
            try:
                with transaction.atomic():
                    job = ExportJob.objects.create(
                        kind=ExportKind.QUARTERLY, key=key, service=service, period=quarter.code,
                        filters=dataclasses.asdict(Filters(service_id=service.pk)), area_label=label[:255],
                        format="pdf", language=language, steps_total=len(INDICATORS) + 1,
                    )  # fmt: skip
            except IntegrityError:
                continue  # made by an earlier run (or a concurrent one)
            enqueue_on_commit(run_export, str(job.pk))
            made.append(job)
        _tell_managers(service, quarter)
    return made


def _tell_managers(service: Any, quarter: periods.Period) -> None:
    from accounts.models import Role
    from jobs.email import send_once

    site = getattr(settings, "NYTH_SITE_URL", "").rstrip("/")
    for manager in service.users.filter(role=Role.SERVICE_MANAGER, is_active=True).exclude(email=""):
        with translation.override(manager.preferred_language or "en"):
            send_once(
                event_key=f"quarterly-return:{quarter.code}:{service.pk}",
                to=manager.email,
                subject=_("Nyth: the quarterly return for %(period)s is being prepared") % {"period": quarter.code},
                body=_(
                    "The quarterly return for %(period)s (%(service)s), with small numbers suppressed, is being "
                    "prepared. It will be on the exports page within a few minutes, for %(days)s days: %(url)s"
                ) % {"period": quarter.code, "service": service.name, "days": keep_days(), "url": site + reverse("reporting_exports:start")},
            )  # fmt: skip


def purge_expired(now: datetime.datetime | None = None) -> int:
    """Delete the bytes of expired files (the row stays: who asked for what). Returns how many."""
    now = now or timezone.now()
    return ExportJob.objects.filter(expires_at__lte=now, content__isnull=False).update(content=None)
