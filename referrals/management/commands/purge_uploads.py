"""Delete uploaded CSV files (personal data) NYTH_UPLOAD_RETENTION_DAYS after their import
finished. The job's counts and its row-by-row report are kept; only the file's bytes go.
Run it daily (the deploy timers do)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from referrals.models import ImportJob


def purge_uploads(*, now=None, days: int | None = None) -> int:
    now = now or timezone.now()
    days = settings.NYTH_UPLOAD_RETENTION_DAYS if days is None else days
    return ImportJob.objects.filter(finished_at__lt=now - timedelta(days=days), data__isnull=False).update(
        data=None, purged_at=now
    )


class Command(BaseCommand):
    help = "Delete uploaded import files NYTH_UPLOAD_RETENTION_DAYS after their import finished (reports kept)."

    def handle(self, *args, **options):
        count = purge_uploads()
        self.stdout.write(f"Deleted {count} uploaded file(s) older than {settings.NYTH_UPLOAD_RETENTION_DAYS} day(s).")
