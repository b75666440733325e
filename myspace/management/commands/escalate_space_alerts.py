"""Send to the service's managers every alert from a young person's space that nobody picked up
within NYTH_SPACE_ALERT_ESCALATE_MINUTES of someone watching (every 5 minutes, idempotent:
deploy/systemd/nyth-space-alerts.timer). Audited with the route system."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from myspace.voice import escalate_overdue


class Command(BaseCommand):
    help = "Escalate alerts from young people's spaces not picked up in time to the service's managers."

    def handle(self, *args: Any, **options: Any) -> None:
        count = escalate_overdue()
        self.stdout.write(f"Escalated {count} alert(s).")
