"""Send the "something new" emails that waited for their window to reopen, and forget the
addresses of emailed invitations that can no longer be used (every 15 minutes, idempotent:
deploy/systemd/nyth-space-notify.timer)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from myspace.notify import send_due


class Command(BaseCommand):
    help = "Send the waiting 'something new' emails to young people and carers who turned them on."

    def handle(self, *args: Any, **options: Any) -> None:
        count = send_due()
        self.stdout.write(f"Sent {count} email(s).")
