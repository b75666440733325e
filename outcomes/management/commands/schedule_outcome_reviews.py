"""Add the next interval review to every open episode with nothing waiting (daily, idempotent).

Recording or marking a point not done already schedules the next review at once; this sweep is
the backstop for points completed before that rule and for episodes resumed after a pause
(deploy/systemd/nyth-outcome-reviews.timer)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from outcomes.schedule import schedule_interval_reviews


class Command(BaseCommand):
    help = "Schedule the next interval outcome review (NYTH_OUTCOMES_REVIEW_INTERVAL_DAYS) where none is waiting."

    def handle(self, *args, **options):
        added = schedule_interval_reviews()
        self.stdout.write(f"Scheduled {added} review point(s).")
