"""Background tasks of the people context."""

from __future__ import annotations

from django_tasks import task


@task()
def report_emergency_access_task() -> dict[str, int]:
    """The morning emergency access report, run by a worker (safe to re-run: see the service)."""
    from people.services import report_emergency_access

    return {str(service): count for service, count in report_emergency_access().items()}
