"""Email each service's managers the emergency (break-glass) accesses since the last report.

Run it every morning (cron or a systemd timer), for example at 07:30::

    30 7 * * *  cd /srv/nyth && .venv/bin/python manage.py report_emergency_access

It runs the report in this process; ``--enqueue`` hands it to the task worker instead. Either
way each manager's email has its sent-marker, so a run killed part-way and run again tells
nobody twice (except an email in flight at the crash: see ``jobs.email``).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from people.services import report_emergency_access
from people.tasks import report_emergency_access_task


class Command(BaseCommand):
    help = "Email service managers the emergency accesses not yet reported to them (run each morning)."

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true", help="Put the report on the task queue for a worker.")

    def handle(self, *args, enqueue=False, **options):
        if enqueue:
            result = report_emergency_access_task.enqueue()
            self.stdout.write(f"Enqueued the emergency access report (task {result.id}).")
            return
        reported = report_emergency_access()
        total = sum(reported.values())
        self.stdout.write(f"Reported {total} emergency access(es) to the managers of {len(reported)} service(s).")
