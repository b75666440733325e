"""Email each service's managers the emergency (break-glass) accesses since the last report.

Run it every morning (cron or a systemd timer), for example at 07:30::

    30 7 * * *  cd /srv/nyth && .venv/bin/python manage.py report_emergency_access
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from people.services import report_emergency_access


class Command(BaseCommand):
    help = "Email service managers the emergency accesses not yet reported to them (run each morning)."

    def handle(self, *args, **options):
        reported = report_emergency_access()
        total = sum(reported.values())
        self.stdout.write(f"Reported {total} emergency access(es) to the managers of {len(reported)} service(s).")
