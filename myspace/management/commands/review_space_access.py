"""Put to the service's managers every space account due for review: a young person older than
NYTH_SPACE_MAX_AGE, or whose last episode closed more than NYTH_SPACE_REVIEW_AFTER_CLOSE_DAYS ago
(daily, idempotent: deploy/systemd/nyth-space-reviews.timer). Nothing is ended: a person decides.
Audited with the route system."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from myspace.reviews import sweep


class Command(BaseCommand):
    help = "Open a review for every young person's space account due one (at 26, or long after support ended)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = sweep()
        self.stdout.write(f"Opened {count} review(s).")
