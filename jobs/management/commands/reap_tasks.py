"""Re-queue the tasks whose worker was killed (every worker also does this by itself)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from jobs.recovery import reap


class Command(BaseCommand):
    help = "Re-queue running tasks whose worker's lease expired; fail those past NYTH_TASK_MAX_ATTEMPTS."

    def handle(self, *args, **options):
        report = reap()
        self.stdout.write(f"Re-queued {len(report.requeued)} task(s); failed {len(report.failed)} task(s).")
        for task_id in report.failed:
            self.stderr.write(f"FAILED (worker lost too often): {task_id}")
